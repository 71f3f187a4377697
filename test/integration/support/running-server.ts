/** A server the integration suite talks to, however it was started. */
export interface RunningServer {
  /** What it is, for messages: "memcached 1.6.18 (container rat-…)" or similar. */
  readonly description: string;
  readonly host: string;
  readonly port: number;
  /** Stops the server; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * An error that mocha prints as exactly one line: its stack is its message.
 * Used for environment problems (no Docker, no binary) where a stack trace
 * would only hide the one thing the reader must do.
 */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
    this.stack = message;
  }
}
