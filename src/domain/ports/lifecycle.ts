/**
 * Something with a start and a stop: stores, sweepers, listeners. The
 * container lists them once; they are started in order and stopped in reverse.
 */
export interface Lifecycle {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
export const Lifecycle = Symbol('Lifecycle');
