/** Structured logger (pino-compatible subset) so inner layers can log without knowing pino. */
export interface Logger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  isLevelEnabled(level: string): boolean;
}
export const Logger = Symbol('Logger');

/** Logger that drops everything (library default, tests). */
export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  isLevelEnabled() {
    return false;
  },
};
