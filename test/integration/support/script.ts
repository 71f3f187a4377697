/**
 * Scripts are data: a list of steps, each one request sent as one write and
 * answered before the next step is sent.
 */

/**
 * Stands for a cas unique inside a request. Servers number cas values
 * differently, so a request cannot carry a literal one: each side substitutes
 * the value it itself returned. `index` counts distinct cas values in the
 * order that side first returned them (0-based); 'last' is the most recently
 * returned one. One that was never returned becomes a value no server issues
 * within a test run.
 */
export interface CasRef {
  readonly cas: number | 'last';
}

/** A piece of a request: latin1 text (one char per byte), raw bytes, or a cas placeholder. */
export type Chunk = string | Buffer | CasRef;

export interface SendStep {
  readonly kind: 'send';
  readonly parts: readonly Chunk[];
}

/** Waits on both sides at once; only the expiry scenarios use it. */
export interface SleepStep {
  readonly kind: 'sleep';
  readonly ms: number;
}

export type Step = SendStep | SleepStep;

export interface Script {
  readonly name: string;
  readonly steps: readonly Step[];
}

/** A cas unique no server hands out during a test run. */
export const UNISSUED_CAS = '999999999999';

/** One request made of chunks, sent as is (no line ending added). */
export function send(...parts: Chunk[]): SendStep {
  return { kind: 'send', parts };
}

/** One command line: `text` plus "\r\n". */
export function line(text: string): SendStep {
  return send(`${text}\r\n`);
}

export function sleep(ms: number): SleepStep {
  return { kind: 'sleep', ms };
}

export function casOf(index: number | 'last'): CasRef {
  return { cas: index };
}

export interface StoreOptions {
  readonly flags?: number | string;
  readonly exptime?: number | string;
  readonly noreply?: boolean;
  /** Overrides the length announced on the command line (for bad data chunk cases). */
  readonly bytes?: number | string;
  /** cas unique for the `cas` command. */
  readonly cas?: CasRef | string;
}

/**
 * A storage command and its data block: `<verb> <key> <flags> <exptime>
 * <bytes> [<cas>] [noreply]\r\n<data>\r\n`.
 */
export function store(verb: string, key: string, value: string | Buffer, options: StoreOptions = {}): SendStep {
  const data = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  const head = `${verb} ${key} ${options.flags ?? 0} ${options.exptime ?? 0} ${options.bytes ?? data.length}`;
  const parts: Chunk[] = [head];
  if (options.cas !== undefined) parts.push(' ', options.cas);
  parts.push(options.noreply ? ' noreply\r\n' : '\r\n', data, '\r\n');
  return send(...parts);
}

/** Renders a step's request bytes with `resolveCas` supplying each cas placeholder. */
export function renderStep(step: SendStep, resolveCas: (ref: CasRef) => string): Buffer {
  return Buffer.concat(
    step.parts.map((part) => {
      if (typeof part === 'string') return Buffer.from(part, 'latin1');
      if (Buffer.isBuffer(part)) return part;
      return Buffer.from(resolveCas(part), 'latin1');
    }),
  );
}

/** Human-readable form of a step for failure reports; long data is abbreviated. */
export function describeStep(step: Step): string {
  if (step.kind === 'sleep') return `<sleep ${step.ms} ms>`;
  const text = step.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      if (Buffer.isBuffer(part)) return part.toString('latin1');
      return `<cas ${part.cas}>`;
    })
    .join('');
  return abbreviate(text);
}

/** JSON-quotes latin1 text, eliding the middle of anything longer than 300 chars. */
export function abbreviate(text: string): string {
  if (text.length <= 300) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, 120))} …(${text.length - 240} more bytes)… ${JSON.stringify(text.slice(-120))}`;
}
