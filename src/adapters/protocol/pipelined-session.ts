import type { Socket } from 'node:net';
import { isPromise, type MaybePromise } from '../../domain/maybe-promise.js';
import type { ServerStats } from '../../application/server-stats.js';
import type { WriteBackpressure } from '../../domain/ports/write-backpressure.js';
import type { ProtocolSession } from './protocol-session.js';
import { readClock } from './read-clock.js';
import { ReplyWriter } from './reply-writer.js';

/**
 * Input a connection may feed in one event-loop turn before the others get theirs. 64 KiB made a
 * 64 KiB-value client yield (pause, setImmediate, resume) on every set: +15-20 % server CPU per op
 * (bench/ab.ts); 256 KiB keeps the flood scenario's other-client p99 the same (~0.25 ms).
 */
const FAIR_SHARE_BYTES = 256 * 1024;
/**
 * An unparsed end longer than this (one request larger than a read, such as a
 * big RESP bulk) is kept in a buffer that grows by doubling instead of a
 * string joined to each read: a 32 MiB SET read in 64 KiB pieces took 11.6 s
 * of copying that way (3.9 s with the Buffer.concat before it), O(size) now.
 */
const LARGE_REST = 16 * 1024;

const enum Drain {
  /** No write has stalled yet. */
  NoListener,
  /** The 'drain' listener is there; nothing is waiting for it. */
  Listening,
  /** A write stalled: reading is paused until 'drain'. */
  Waiting,
}

/** Options every pipelined session takes (protocol options extend it). */
export interface SessionFlowControl {
  /** The disk tier's write queue, when there is one (see PipelinedSession). */
  writeBackpressure?: WriteBackpressure;
}

/**
 * What every protocol front end does the same way: keep unparsed input,
 * run the parser over it, write the replies of one socket read with one
 * flush, and keep a pipeline in order when a command goes asynchronous
 * (disk). While a command waits, or while the peer does not read its replies,
 * the socket is paused, so unread requests stay in the kernel and
 * per-connection memory stays bounded. While the disk tier's write queue is
 * over its budget, a connection whose command wrote is paused the same way
 * until the queue drains; connections that only read go on.
 *
 * Subclasses implement `step()`: parse and execute one unit (a line, a
 * frame...), returning false when more input is needed.
 */
export abstract class PipelinedSession implements ProtocolSession {
  /** Made by the first reply (see `writer`). */
  private out: ReplyWriter | undefined;
  protected buf: Buffer | undefined;
  protected pos = 0;
  /**
   * The unparsed end of the input (a partial line or frame), kept between reads
   * as a latin1 string (one byte per char): one right-sized allocation, no
   * ArrayBuffer, and no 8 KiB pool slab pinned by a small slice of it.
   */
  private rest: string | undefined;
  /** A large unparsed end (see LARGE_REST), at big[0, bigLen); `buf` views it while it is parsed. */
  private big: Buffer | undefined;
  private bigLen = 0;
  private busy = false;
  private closed = false;
  /** Waiting for 'drain' because the peer is not reading; a stall's listener stays for the next ones. */
  private drain = Drain.NoListener;
  /** Paused until the next event-loop turn to let other connections in (see onData). */
  private yielding = false;
  /** Input bytes since this connection last yielded. */
  private sinceYield = 0;
  /** When the current batch's input was read (ReadClock), while the latency histograms are fed. */
  private readAt = 0;
  /** Replies wait in `deferred` for the end of the poll phase. */
  private flushDeferred = false;

  constructor(
    readonly socket: Socket,
    protected readonly serverStats: ServerStats,
    /** The disk tier's write queue: when it is full, a connection that writes is not read until it drains. */
    private readonly backpressure?: WriteBackpressure,
  ) {}

  /**
   * Where replies are gathered. Made by the first reply, so a connection that
   * has sent only part of its first command holds no writer (docs/memory.md).
   */
  get writer(): ReplyWriter {
    return this.out ?? this.openWriter();
  }

  /** Whether replies are gathered and not yet sent. */
  protected get hasReplies(): boolean {
    return this.out !== undefined && !this.out.isEmpty;
  }

  private openWriter(): ReplyWriter {
    const w = (this.out = new ReplyWriter(this.socket));
    // A FIN read in the same poll phase as a full 64 KiB read ends the socket (allowHalfOpen is off)
    // before the check phase: send what is deferred first. Only a connection that has replied can
    // have something deferred; shared, so a connection holds no closure for it.
    this.socket.on('end', flushDeferred);
    return w;
  }

  /** Parses and executes one unit of input; false when more input is needed. */
  protected abstract step(): MaybePromise<void> | false;

  /** Adds the reply for a command whose asynchronous work failed. */
  protected abstract failed(err: unknown): void;

  /**
   * Whether step() may parse a borrowed chunk in place. A subclass that says
   * yes copies whatever it keeps beyond the current step (values, partial
   * data blocks) and follows `inputMoved`; otherwise every chunk is copied
   * before parsing, as views of it may outlive the call.
   */
  protected parsesBorrowedInput(): boolean {
    return false;
  }

  /**
   * The unparsed input was copied from `from` to `to` at the same offsets
   * (a command went asynchronous while parsing a borrowed chunk): anything
   * that still reads `from` must read `to` instead.
   */
  protected inputMoved(_from: Buffer, _to: Buffer): void {}

  /** The asynchronous command (or the wait for the disk queue) is over, closed or not. */
  protected resumed(): void {}

  /**
   * `chunk` is borrowed: the TCP server reads every connection into one
   * shared buffer, so its bytes are only valid until this returns.
   */
  onData(chunk: Buffer): void {
    if (this.closed) return;
    this.serverStats.bytes_read += chunk.length;
    if (!this.busy && this.serverStats.latency.enabled) this.readAt = readClock.start();
    if (this.big !== undefined) {
      // Offsets into the big buffer stay valid: `pos` is kept.
      this.appendBig(chunk);
    } else {
      if (this.rest !== undefined) {
        this.buf = joined(this.rest, chunk);
        this.rest = undefined;
      } else if (this.buf === undefined || this.pos >= this.buf.length) {
        this.buf = this.parsesBorrowedInput() ? chunk : Buffer.from(chunk);
      } else {
        this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      }
      this.pos = 0;
    }
    if (!this.busy) this.run();
    if (this.buf === chunk) this.keepUnparsed(chunk);
    else if (!this.busy) this.keepRest();
    this.sinceYield += chunk.length;
    if (this.sinceYield >= FAIR_SHARE_BYTES && !this.yielding) this.yieldTurn();
  }

  /**
   * libuv reads a busy socket up to 32 times per event-loop turn: a client
   * that streams requests (a write flood) would hold the loop for hundreds
   * of ms while other connections wait. After FAIR_SHARE_BYTES of input since
   * its last pause the connection pauses until the next turn. The count is
   * not reset at turn boundaries (that needs a turn signal, a setImmediate per
   * iteration), so a steady 64 KiB writer also pauses on every 4th set: one
   * pause per 256 KiB, measured at parity with no pause at all (ee33a32).
   */
  private yieldTurn(): void {
    this.sinceYield = 0;
    this.yielding = true;
    this.socket.pause();
    setImmediate(() => {
      this.yielding = false;
      if (!this.busy && this.drain !== Drain.Waiting && !this.closed) this.socket.resume();
    });
  }

  /** Copies what is left of a borrowed chunk before its memory is reused. */
  private keepUnparsed(chunk: Buffer): void {
    if (this.busy) {
      // The waiting command may still read the current line: keep its offsets.
      const copy = Buffer.from(chunk);
      this.buf = copy;
      this.inputMoved(chunk, copy);
    } else this.keepRest();
  }

  /** Keeps only the unparsed bytes (see `rest` and `big`), dropping the buffer they were read in. */
  private keepRest(): void {
    const buf = this.buf;
    const left = buf === undefined ? 0 : buf.length - this.pos;
    if (left > LARGE_REST) {
      // Bytes already parsed are never overwritten: commands may still hold views of them (a MULTI
      // queue's arguments). So the buffer is kept only while nothing of it was consumed; else the
      // unparsed end moves to a new one (once per completed request: still O(size)).
      const big = this.big;
      if (big === undefined || buf!.buffer !== big.buffer || this.pos > 0) {
        this.big = Buffer.allocUnsafeSlow(2 * left);
        buf!.copy(this.big, 0, this.pos);
      }
      this.bigLen = left;
      this.buf = this.big!.subarray(0, left);
    } else {
      this.big = undefined;
      this.bigLen = 0;
      if (left > 0) this.rest = buf!.toString('latin1', this.pos);
      this.buf = undefined;
    }
    this.pos = 0;
  }

  /** Appends a read to `big`, doubling it when full (amortised: each byte is copied O(1) times). */
  private appendBig(chunk: Buffer): void {
    let big = this.big!;
    const need = this.bigLen + chunk.length;
    if (need > big.length) {
      // A command still waiting may read the old buffer: it is left as it was, not reused.
      const grown = Buffer.allocUnsafeSlow(Math.max(need, 2 * big.length));
      big.copy(grown, 0, 0, this.bigLen);
      this.big = big = grown;
    }
    chunk.copy(big, this.bigLen);
    this.bigLen = need;
    this.buf = big.subarray(0, need);
  }

  onClose(): void {
    this.closed = true;
    this.buf = undefined;
    this.rest = undefined;
    this.big = undefined;
  }

  /** True once the connection is closed (by either side). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes received and not yet consumed by the parser. */
  protected get available(): number {
    return this.buf === undefined ? 0 : this.buf.length - this.pos;
  }

  /**
   * Writes the replies gathered so far now (streaming writes chunk by chunk).
   * False means the peer is not keeping up: wait for `writable()`.
   */
  flushReplies(): boolean {
    this.flush();
    return this.drain !== Drain.Waiting;
  }

  /** Resolves once the socket has drained its buffer (or closed). */
  writable(): Promise<void> {
    const s = this.socket;
    if (this.closed || !s.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  /** Sends what is gathered and closes (memcached's close_after_write). */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.buf = undefined;
    this.rest = undefined;
    this.big = undefined;
    this.socket.end();
    this.socket.destroySoon?.();
  }

  /** Parses and executes everything buffered, then writes the batch once. */
  private run(): void {
    const bp = this.backpressure;
    while (!this.closed) {
      const writes = bp === undefined ? 0 : bp.writesAccepted;
      const r = this.step();
      if (r === false) break;
      if (isPromise(r)) {
        this.block(r);
        return;
      }
      if (bp !== undefined && bp.full && bp.writesAccepted !== writes) {
        // This connection writes faster than the disk applies: hold it (only it) until the queue drains.
        bp.notePause();
        this.block(bp.drained());
        return;
      }
    }
    const w = this.out;
    if (w === undefined) {
      // Nothing replied yet: nothing to send.
    } else if (w.holdsLittle) {
      // As good as sent: a later read's discard() must not reach back into it.
      w.mark();
      this.deferFlush();
    } else this.flush();
    this.recordLatency();
  }

  /**
   * Leaves the replies of this read to flushDeferred(), which writes those
   * of every connection read in this poll phase back to back: one write per
   * read woke the peer (an inter-processor interrupt, a VM exit under a
   * hypervisor) once per connection, interleaved with our parsing; writes in
   * a burst wake a busy peer once. RESP GET -P 16: -25 % server CPU per op,
   * +25-60 % ops/s (docs/adr/0021-deferred-flush.md).
   */
  private deferFlush(): void {
    if (this.flushDeferred) return;
    this.flushDeferred = true;
    if (deferred.length === 0) setImmediate(flushDeferred);
    deferred.push(this);
  }

  /** @internal flushDeferred's entry point. */
  flushNow(): void {
    this.flushDeferred = false;
    this.flush();
  }

  /** Feeds the latency histograms with this batch, while something reads them (RequestLatency.enabled). */
  private recordLatency(): void {
    const latency = this.serverStats.latency;
    if (latency.enabled) latency.record(readClock.end() - this.readAt);
  }

  /** Waits for an asynchronous command, then goes on with the rest of the input. */
  private block(p: Promise<void>): void {
    this.busy = true;
    this.flush();
    this.recordLatency();
    this.socket.pause();
    p.then(
      () => this.unblock(),
      (err: unknown) => {
        this.failed(err);
        this.unblock();
      },
    );
  }

  private unblock(): void {
    this.busy = false;
    this.resumed();
    if (this.closed) return;
    if (this.drain !== Drain.Waiting && !this.yielding) this.socket.resume();
    this.run();
    if (!this.busy) this.keepRest();
  }

  protected flush(): void {
    const w = this.out;
    if (w === undefined || w.isEmpty || this.closed) return;
    const before = w.written;
    const ok = w.flush();
    this.serverStats.bytes_written += w.written - before;
    if (!ok && this.drain !== Drain.Waiting) {
      // The peer is not reading: stop reading its requests until it does. The listener is added by
      // the first stall, so a connection that never stalls holds no closure for it.
      if (this.drain === Drain.NoListener) this.socket.on('drain', () => this.drained());
      this.drain = Drain.Waiting;
      this.socket.pause();
    }
  }

  private drained(): void {
    if (this.drain !== Drain.Waiting) return;
    this.drain = Drain.Listening;
    if (!this.busy && !this.closed && !this.yielding) this.socket.resume();
  }
}

/** `rest` followed by `chunk`, in one new buffer. */
function joined(rest: string, chunk: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(rest.length + chunk.length);
  buf.write(rest, 0, 'latin1');
  chunk.copy(buf, rest.length);
  return buf;
}

/** Sessions with replies waiting for the check phase (PipelinedSession.deferFlush). */
const deferred: PipelinedSession[] = [];

/**
 * Writes every deferred reply now. The check phase does it on its own; a
 * test that drives a session synchronously calls it to see what the peer
 * would have received by the end of the event-loop turn.
 */
export function flushDeferred(): void {
  // Popped before it writes: a write that re-enters here (a test's socket) finds only the others.
  while (deferred.length > 0) deferred.pop()!.flushNow();
}
