// The package's public entry point, as tests use it.
export * from '../../src/index.js';
import { basicLogger } from '../../src/index.js';

export const silentLoggerForTests = basicLogger('none');
