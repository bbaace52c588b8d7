/**
 * Runs the contract-test service: `PORT` (default 8000) and `LOG_LEVEL` (default `warn`) from the
 * environment. It exits when the harness sends `DELETE /` (`-stop-service-at-end`).
 */
import type { LDLogLevel } from '../../src/index.js';
import { startService } from './service.js';

const port = Number(process.env.PORT ?? 8000);
const service = await startService({
  port,
  logLevel: (process.env.LOG_LEVEL as LDLogLevel | undefined) ?? 'warn',
  onStop: () => {
    void service.close().finally(() => process.exit(0));
  },
});
console.log(`contract-test service listening on ${service.url}`);
