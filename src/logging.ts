/** Logging: levels, a console-backed default under a fixed prefix, and a silent logger. */
export type LDLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'none';

export interface LDLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const LEVELS: Record<LDLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, none: 4 };

/** Writes through `console` with an `[ldedge]` prefix, dropping messages below `level`. */
export function basicLogger(level: LDLogLevel = 'info', prefix = '[ldedge]'): LDLogger {
  const min = LEVELS[level] ?? LEVELS.info;
  const at = (lvl: Exclude<LDLogLevel, 'none'>, write: (line: string) => void) =>
    LEVELS[lvl] >= min ? (message: string) => write(`${prefix} ${lvl}: ${message}`) : () => {};
  return {
    debug: at('debug', (l) => console.debug(l)),
    info: at('info', (l) => console.info(l)),
    warn: at('warn', (l) => console.warn(l)),
    error: at('error', (l) => console.error(l)),
  };
}

export const silentLogger: LDLogger = basicLogger('none');
