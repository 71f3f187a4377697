import { expect } from 'chai';
import type { AsciiSession } from '../../../src/adapters/ascii/ascii-session.js';
import { keepLineTokens, lineTokens, releaseLineTokens } from '../../../src/adapters/ascii/line-tokens.js';
import { asyncStore } from '../../support/async-store.js';
import { cut, makeCacheFixture, makeSession, type FeedMode } from '../../support/cache-fixture.js';

/**
 * What a text connection holds while it waits for the rest of a line
 * (docs/memory.md, issue 16): its parts are made when first needed, the
 * tokenizer is shared, and the unparsed bytes are one string. These tests
 * feed the session as the TCP server does, through one read buffer that the
 * next read overwrites, so anything kept by reference to it shows up as
 * garbage in the replies.
 */

/** The fields of a session this file checks (private in the class). */
interface SessionInsides {
  out: unknown;
  pending: unknown;
  buf: Buffer | undefined;
  rest: string | undefined;
}

function insides(s: AsciiSession): SessionInsides {
  return s as unknown as SessionInsides;
}

/** Feeds each piece through one shared read buffer, scribbled over after every read. */
function feedShared(session: AsciiSession, pieces: Buffer[]): void {
  const shared = Buffer.alloc(64 * 1024);
  for (const p of pieces) {
    p.copy(shared);
    session.onData(shared.subarray(0, p.length));
    // What the next connection's read would leave there: digits and spaces parse as plausible lines.
    shared.fill('9 ', 0, p.length, 'latin1');
  }
}

function driveShared(input: string, mode: FeedMode): string {
  const h = makeSession();
  feedShared(h.session, cut(Buffer.from(input, 'latin1'), mode));
  return h.socket.output;
}

const HALF = 'get ' + 'k'.repeat(125);

describe('A text connection holding half a command line', () => {
  it('holds no reply writer, data block reader, buffer or socket listener of its own', () => {
    const h = makeSession();
    const listeners = (): number[] => ['end', 'drain'].map((e) => h.socket.listenerCount(e));
    expect(listeners()).to.deep.equal([0, 0]);
    feedShared(h.session, [Buffer.from(HALF, 'latin1')]);
    const s = insides(h.session);
    expect(s.out, 'reply writer').to.equal(undefined);
    expect(s.pending, 'data block reader').to.equal(undefined);
    expect(s.buf, 'read buffer').to.equal(undefined);
    expect(s.rest).to.equal(HALF);
    expect(listeners()).to.deep.equal([0, 0]);
    expect(h.socket.output).to.equal('');

    feedShared(h.session, [Buffer.from('\r\n', 'latin1')]);
    expect(h.socket.output).to.equal('END\r\n');
    expect(s.rest).to.equal(undefined);
    // The first reply made the writer, and with it the listener that sends deferred replies before a FIN.
    expect(listeners()).to.deep.equal([1, 0]);
  });

  it('keeps the rest of a longer read as one string, not the read it came in', () => {
    const h = makeSession();
    const s = insides(h.session);
    feedShared(h.session, [Buffer.from('set a 0 0 1\r\nx\r\n' + 'get a'.padEnd(4000, ' '), 'latin1')]);
    expect(s.buf).to.equal(undefined);
    expect(s.rest).to.have.length(4000);
    feedShared(h.session, [Buffer.from(' \r\n', 'latin1')]);
    expect(h.socket.output).to.equal('STORED\r\nVALUE a 0 1\r\nx\r\nEND\r\n');
  });

  it('serves a pipelined mix through a reused read buffer: whole, byte by byte and at every split point', () => {
    const value = 'v'.repeat(300);
    const input =
      'get nope\r\n' +
      'set a 1 0 5\r\nhello\r\n' +
      'get a\r\n' +
      `set big 2 0 300\r\n${value}\r\n` +
      'set bad 0 0 2\r\nabc\r\n' +
      'incr nope 1\r\n' +
      'set n 0 0 1 noreply\r\n7\r\n' +
      'incr n 5\r\n' +
      `get a big ${'k'.repeat(125)} n\r\n` +
      'delete a\r\n';
    const expected =
      'END\r\n' +
      'STORED\r\n' +
      'VALUE a 1 5\r\nhello\r\nEND\r\n' +
      'STORED\r\n' +
      'CLIENT_ERROR bad data chunk\r\nERROR\r\n' +
      'NOT_FOUND\r\n' +
      '12\r\n' +
      `VALUE a 1 5\r\nhello\r\nVALUE big 2 300\r\n${value}\r\nVALUE n 0 2\r\n12\r\nEND\r\n` +
      'DELETED\r\n';
    const modes: FeedMode[] = ['whole', 'bytewise'];
    for (let i = 1; i < input.length; i++) modes.push({ splitAt: [i] });
    for (let i = 1; i < input.length; i += 13) modes.push({ splitAt: [i, i + 1, i + 7] });
    for (const mode of modes) {
      expect(driveShared(input, mode), typeof mode === 'string' ? mode : mode.splitAt.join(',')).to.equal(expected);
    }
  });

  it('a command waiting for the disk keeps its line while other connections parse theirs', async () => {
    const fixture = makeCacheFixture({ wrap: asyncStore });
    const a = makeSession({}, fixture);
    const b = makeSession({}, fixture);
    const feed = (h: { session: AsciiSession }, text: string): void => feedShared(h.session, [Buffer.from(text, 'latin1')]);
    feed(a, 'set k1 0 0 2\r\nv1\r\nset k2 0 0 2\r\nv2\r\n');
    await until(() => a.socket.output.length === 16);
    // a's get goes to the (asynchronous) store on its first key while b parses lines and half a line.
    feed(a, 'get k1 k2 nope k1\r\nget k2 ' + 'x'.repeat(40));
    feed(b, 'get k2 k1\r\nversion\r\nget k');
    feed(b, '1 k2\r\n');
    feed(a, '\r\n');
    await until(() => a.socket.output.length > 16 && b.socket.output.length > 0 && a.socket.output.endsWith('END\r\nVALUE k2 0 2\r\nv2\r\nEND\r\n'));
    await until(() => b.socket.output.split('END').length === 3);
    expect(a.socket.output).to.equal(
      'STORED\r\nSTORED\r\nVALUE k1 0 2\r\nv1\r\nVALUE k2 0 2\r\nv2\r\nVALUE k1 0 2\r\nv1\r\nEND\r\nVALUE k2 0 2\r\nv2\r\nEND\r\n',
    );
    expect(b.socket.output).to.equal(
      'VALUE k2 0 2\r\nv2\r\nVALUE k1 0 2\r\nv1\r\nEND\r\nVERSION 1.6.18\r\nVALUE k1 0 2\r\nv1\r\nVALUE k2 0 2\r\nv2\r\nEND\r\n',
    );
  });
});

describe('line-tokens', () => {
  it('hands the current tokenizer to a waiting command and takes it back once, from its holder only', () => {
    const holder = {};
    const other = {};
    const kept = lineTokens();
    keepLineTokens(holder);
    expect(lineTokens()).to.not.equal(kept);
    releaseLineTokens(other, kept);
    const seen = new Set<unknown>();
    for (let i = 0; i < 5; i++) {
      keepLineTokens(other);
      seen.add(lineTokens());
    }
    expect(seen.has(kept), 'given back by a session that did not keep it').to.equal(false);
    releaseLineTokens(holder, kept);
    releaseLineTokens(holder, kept);
    keepLineTokens(other);
    expect(lineTokens()).to.equal(kept);
    keepLineTokens(other);
    expect(lineTokens(), 'given back twice').to.not.equal(kept);
  });
});

/** Waits (at most 2 s) for a condition that asynchronous store answers make true. */
async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the replies');
    await new Promise((r) => setImmediate(r));
  }
}
