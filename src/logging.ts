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

/** `basicLogger`'s options, in the form LaunchDarkly's SDKs take. */
export interface LDBasicLoggerOptions {
  /** The least severe level written; default `info`. `none` writes nothing. */
  level?: LDLogLevel;
  /** Where lines go; default `console.debug`, `console.info`, `console.warn` or `console.error`. */
  destination?: (line: string) => void;
  /** What each line starts with; default `[ldedge]`. */
  prefix?: string;
}

/**
 * Writes `<prefix> <level>: <message>` lines (through `console` unless a destination is given),
 * dropping messages below the level. Takes LaunchDarkly's options object, or a level and a prefix.
 */
export function basicLogger(level: LDLogLevel | LDBasicLoggerOptions = 'info', prefix = '[ldedge]'): LDLogger {
  const { level: name = 'info', destination: to, prefix: start = prefix }: LDBasicLoggerOptions =
    typeof level === 'object' ? level : { level };
  const given = LEVELS.indexOf(name);
  const min = given < 0 ? 1 : given; // an unknown level logs from info up
  const logger = {} as LDLogger;
  LOGGER_METHODS.forEach((lvl, i) => {
    // `console` is looked up per line, so that whatever replaces it later still gets the lines.
    logger[lvl] =
      i < min
        ? () => {}
        : (message) => {
            const line = `${start} ${lvl}: ${message}`;
            if (to) to(line);
            else console[lvl](line);
          };
  });
  return logger;
}

/** Marked pure so that bundles which never use it leave it out. */
export const silentLogger: LDLogger = /* @__PURE__ */ basicLogger('none');
