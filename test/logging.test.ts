// basicLogger in both forms: LaunchDarkly's options object and the positional (level, prefix).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { basicLogger } from '../src/index.js';

describe('basicLogger', () => {
  afterEach(() => vi.restoreAllMocks());

  it('takes LaunchDarkly\'s { level, destination }, writing only lines at or above the level', () => {
    const lines: string[] = [];
    const logger = basicLogger({ level: 'warn', destination: (line) => lines.push(line) });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines).toEqual(['[ldedge] warn: w', '[ldedge] error: e']);
  });

  it('takes a prefix in the options, and debug writes everything', () => {
    const lines: string[] = [];
    const logger = basicLogger({ level: 'debug', prefix: '[app]', destination: (line) => lines.push(line) });
    logger.debug('loaded');
    expect(lines).toEqual(['[app] debug: loaded']);
  });

  it('writes through console by default, from info up when no level is given', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const logger = basicLogger({});
    logger.debug('hidden');
    logger.info('shown');
    expect(debug).not.toHaveBeenCalled();
    expect(info).toHaveBeenCalledWith('[ldedge] info: shown');
  });

  it('level none writes nothing; the positional form still works', () => {
    const lines: string[] = [];
    const quiet = basicLogger({ level: 'none', destination: (line) => lines.push(line) });
    quiet.error('never');
    expect(lines).toEqual([]);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const positional = basicLogger('error', '[x]');
    positional.warn('no');
    positional.error('yes');
    expect(warn).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledWith('[x] error: yes');
  });
});
