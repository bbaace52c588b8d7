/** Logging: levels, a console-backed default under a fixed prefix, and a silent logger. */
export type LDLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'none';

export interface LDLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger's methods, least severe first. */
export const LOGGER_METHODS = ['debug', 'info', 'warn', 'error'] as const;

const LEVELS: readonly LDLogLevel[] = [...LOGGER_METHODS, 'none'];

/** Writes through `console` with an `[ldedge]` prefix, dropping messages below `level`. */
export function basicLogger(level: LDLogLevel = 'info', prefix = '[ldedge]'): LDLogger {
  const given = LEVELS.indexOf(level);
  const min = given < 0 ? 1 : given; // an unknown level logs from info up
  const logger = {} as LDLogger;
  LOGGER_METHODS.forEach((lvl, i) => {
    // `console` is looked up per line, so that whatever replaces it later still gets the lines.
    logger[lvl] = i < min ? () => {} : (message) => console[lvl](`${prefix} ${lvl}: ${message}`);
  });
  return logger;
}

/** Marked pure so that bundles which never use it leave it out. */
export const silentLogger: LDLogger = /* @__PURE__ */ basicLogger('none');
