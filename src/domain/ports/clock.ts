/** Source of time; replaced by a manual clock in tests so expiry needs no sleeping. */
export interface Clock {
  /** Current wall-clock time in epoch milliseconds. */
  now(): number;
}
export const Clock = Symbol('Clock');
