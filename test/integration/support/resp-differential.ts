import { RespClient } from '../../support/resp-client.js';
import { encodeCommand, replyEnd } from '../../support/resp-frames.js';
import { startRespPair } from './resp-servers.js';
import type { RunningServer } from './running-server.js';
import { shrink } from './shrink.js';

/** One command (multibulk), or raw bytes answered by `replies` replies (inline, pipelines, protocol errors). */
export type RespStep =
  | { readonly kind: 'cmd'; readonly args: ReadonlyArray<string | Buffer> }
  | { readonly kind: 'raw'; readonly data: string; readonly replies: number; readonly closes: boolean };

export function cmd(...args: Array<string | Buffer>): RespStep {
  return { kind: 'cmd', args };
}

/** Raw request bytes (latin1) and how many replies they get; `closes` when the server then hangs up. */
export function raw(data: string, replies = 1, closes = false): RespStep {
  return { kind: 'raw', data, replies, closes };
}

export function describeRespStep(step: RespStep): string {
  if (step.kind === 'raw') return `raw ${JSON.stringify(step.data.length > 200 ? step.data.slice(0, 200) + '…' : step.data)}`;
  const text = (a: string | Buffer): string => (typeof a === 'string' ? a : a.toString('latin1'));
  return step.args.map((a) => (text(a).length > 60 ? `${JSON.stringify(text(a).slice(0, 20))}…(${text(a).length} bytes)` : JSON.stringify(text(a)))).join(' ');
}

const name = (step: RespStep): string => (step.kind === 'cmd' && step.args.length > 0 ? String(step.args[0]).toLowerCase() : '');
const sub = (step: RespStep): string => (step.kind === 'cmd' && step.args.length > 1 ? String(step.args[1]).toLowerCase() : '');

/** The elements of an array reply, each as its bytes. */
function elements(reply: string): string[] | undefined {
  if (reply[0] !== '*' && reply[0] !== '~') return undefined;
  const b = Buffer.from(reply, 'latin1');
  const header = reply.indexOf('\r\n');
  const n = Number(reply.slice(1, header));
  const out: string[] = [];
  let p = header + 2;
  for (let i = 0; i < n; i++) {
    const end = replyEnd(b, p);
    out.push(b.toString('latin1', p, end));
    p = end;
  }
  return out;
}

/**
 * What may differ between Redis and us and is not a difference: client ids,
 * the order of KEYS and SCAN results (hash order differs), and introspection
 * whose values are ours (INFO, CLIENT INFO/LIST, COMMAND, CONFIG GET:
 * compared by reply type only; docs/redis-protocol.md).
 */
export function normalise(step: RespStep, reply: string): string {
  const cmdName = name(step);
  if (reply[0] === '-') return reply;
  // HELLO's map carries the client id, also inside an EXEC reply.
  reply = reply.replace(/(\$2\r\nid\r\n):\d+/g, '$1:<id>');
  switch (cmdName) {
    case 'client':
      if (sub(step) === 'id') return ':<id>';
      if (sub(step) === 'info' || sub(step) === 'list') return `${reply[0]}<client info>`;
      return reply;
    case 'info':
    case 'command':
      return `${reply[0]}<${cmdName}>`;
    case 'config':
      return sub(step) === 'get' ? `${reply[0]}<config>` : reply;
    case 'keys': {
      const e = elements(reply);
      return e ? `${reply.slice(0, reply.indexOf('\r\n') + 2)}${e.sort().join('')}` : reply;
    }
    case 'scan': {
      const e = elements(reply);
      const keys = e && elements(e[1]!);
      if (!e || !keys) return reply;
      return `scan cursor ${e[0] === '$1\r\n0\r\n' ? '0' : 'non-zero'} ${keys.sort().join('')}`;
    }
    default:
      return reply;
  }
}

/** Replies that carry a clock reading: equal up to the time between the two sides' requests. */
function clockTolerance(step: RespStep): number {
  switch (name(step)) {
    case 'ttl':
    case 'expiretime':
      return 1;
    case 'pttl':
    case 'pexpiretime':
      return 200;
    default:
      return 0;
  }
}

export function sameReply(step: RespStep, a: string, b: string): boolean {
  if (a === b) return true;
  const slack = clockTolerance(step);
  if (slack === 0) return false;
  const m = /^:(-?\d+)\r\n$/.exec(a);
  const n = /^:(-?\d+)\r\n$/.exec(b);
  if (!m || !n) return false;
  const [x, y] = [Number(m[1]), Number(n[1])];
  return x >= 0 && y >= 0 && Math.abs(x - y) <= slack;
}

class Side {
  private client: RespClient | undefined;

  constructor(readonly server: RunningServer) {}

  async connect(): Promise<void> {
    this.client?.close();
    this.client = await RespClient.connect(this.server.port, this.server.host);
  }

  close(): void {
    this.client?.close();
  }

  /** Sends the steps as one write and returns each step's normalised replies. */
  async perform(steps: readonly RespStep[]): Promise<string[]> {
    if (!this.client || this.client.closed) await this.connect();
    const c = this.client!;
    const parts = steps.map((s) => (s.kind === 'cmd' ? encodeCommand(s.args) : Buffer.from(s.data, 'latin1')));
    c.send(Buffer.concat(parts));
    const out: string[] = [];
    for (const s of steps) {
      const n = s.kind === 'cmd' ? 1 : s.replies;
      const replies: string[] = [];
      for (let i = 0; i < n; i++) replies.push(normalise(s, await c.reply()));
      // QUIT closes too: wait for it, so that the next step does not race the close.
      if ((s.kind === 'raw' && s.closes) || name(s) === 'quit') replies.push((await c.waitClosed(2000)) ? '<closed>' : '<still open>');
      out.push(replies.join(''));
    }
    return out;
  }
}

export interface RespMismatch {
  readonly index: number;
  readonly step: RespStep;
  readonly reference: string;
  readonly target: string;
}

/** redis-server and our RESP listener, one connection each, fed the same steps. */
export class RespDifferential {
  private constructor(
    readonly reference: RunningServer,
    readonly target: RunningServer,
    private readonly ref: Side,
    private readonly ours: Side,
  ) {}

  /** redis-server as the reference and rat-memcache (memory only) as the target, both started here. */
  static async start(): Promise<RespDifferential> {
    const { reference, target } = await startRespPair();
    return RespDifferential.between(reference, target);
  }

  /** Any two RESP servers already running (e.g. ours memory-only against ours over the disk tier). */
  static between(reference: RunningServer, target: RunningServer): RespDifferential {
    return new RespDifferential(reference, target, new Side(reference), new Side(target));
  }

  async stop(): Promise<void> {
    this.ref.close();
    this.ours.close();
    await Promise.all([this.reference.stop(), this.target.stop()]);
  }

  /** Fresh connections (RESP2, no name, no MULTI) on both sides and an empty keyspace. */
  async reset(): Promise<void> {
    await Promise.all([this.ref.connect(), this.ours.connect()]);
    await this.run([cmd('FLUSHALL')]);
  }

  /**
   * Sends the steps to both sides, `batch` commands per write (raw steps
   * alone), and stops at the first reply that differs. Does not reset first.
   */
  async run(
    steps: readonly RespStep[],
    batch = 1,
    record?: (index: number, reference: string, target: string) => void,
  ): Promise<{ compared: number; mismatch?: RespMismatch }> {
    let compared = 0;
    for (let i = 0; i < steps.length;) {
      let j = i + 1;
      if (steps[i]!.kind === 'cmd') while (j < steps.length && j - i < batch && steps[j]!.kind === 'cmd') j++;
      const group = steps.slice(i, j);
      const [a, b] = await Promise.all([this.ref.perform(group), this.ours.perform(group)]);
      for (let k = 0; k < group.length; k++) {
        compared++;
        record?.(i + k, a[k]!, b[k]!);
        if (!sameReply(group[k]!, a[k]!, b[k]!)) return { compared, mismatch: { index: i + k, step: group[k]!, reference: a[k]!, target: b[k]! } };
      }
      i = j;
    }
    return { compared };
  }

  /** Shrinks the steps up to a mismatch to a minimal reproduction on fresh servers and describes it. */
  async explain(context: string, steps: readonly RespStep[], mismatch: RespMismatch): Promise<string> {
    const prefix = steps.slice(0, mismatch.index + 1);
    const started = Date.now();
    const shrunk = await shrink(
      prefix,
      async (candidate) => {
        await this.reset();
        // Only the same failure counts: the pinned last request must be the one that differs.
        return (await this.run(candidate)).mismatch?.index === candidate.length - 1;
      },
      { maxTests: 2_000, deadlineMs: 120_000 },
    );
    const show = (s: string): string => JSON.stringify(s.length > 300 ? s.slice(0, 300) + '…' : s);
    const lines = [
      `${context}: replies differ at step #${mismatch.index} of ${steps.length}`,
      `  request:   ${describeRespStep(mismatch.step)}`,
      `  reference: ${show(mismatch.reference)}  [${this.reference.description}]`,
      `  target:    ${show(mismatch.target)}  [${this.target.description}]`,
      `Shortest reproduction (${shrunk.items.length} of ${prefix.length} steps, ${shrunk.tests} replays, ${Date.now() - started} ms` +
        `${shrunk.minimal ? '' : ', budget exhausted: may not be minimal'}), on fresh connections after FLUSHALL:`,
    ];
    await this.reset();
    await this.run(shrunk.items, 1, (index, reference, target) => {
      lines.push(`  ${index + 1}. send      ${describeRespStep(shrunk.items[index]!)}`);
      if (sameReply(shrunk.items[index]!, reference, target)) lines.push(`     both      ${show(reference)}`);
      else lines.push(`     reference ${show(reference)}`, `     target    ${show(target)}`);
    });
    return lines.join('\n');
  }
}
