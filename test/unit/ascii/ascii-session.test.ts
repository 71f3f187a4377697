import { expect } from 'chai';
import { cut, drive, makeSession, type FeedMode } from '../../support/cache-fixture.js';

/**
 * Request streams and the exact bytes memcached 1.6.18 answers them with
 * (checked against /usr/bin/memcached). Every case is fed whole, byte by
 * byte and cut at every possible split point: the parser must not care how
 * the network slices the stream.
 */
interface Case {
  name: string;
  input: string;
  output: string;
  closed?: boolean;
  itemSizeMax?: number;
}

const k250 = 'k'.repeat(250);
const k251 = 'k'.repeat(251);

const cases: Case[] = [
  { name: 'set then get', input: 'set a 5 0 3\r\nabc\r\nget a\r\n', output: 'STORED\r\nVALUE a 5 3\r\nabc\r\nEND\r\n' },
  {
    name: 'multi-key get skips misses',
    input: 'set m1 1 0 1\r\na\r\nset m2 2 0 2\r\nbb\r\nget m1 nope m2\r\n',
    output: 'STORED\r\nSTORED\r\nVALUE m1 1 1\r\na\r\nVALUE m2 2 2\r\nbb\r\nEND\r\n',
  },
  { name: 'gets shows cas', input: 'set g 0 0 1\r\na\r\ngets g\r\n', output: 'STORED\r\nVALUE g 0 1 1\r\na\r\nEND\r\n' },
  {
    name: 'gat and gats',
    input: 'set g 3 0 1\r\na\r\ngat 100 g nope\r\ngats 0 g\r\n',
    output: 'STORED\r\nVALUE g 3 1\r\na\r\nEND\r\nVALUE g 3 1 1\r\na\r\nEND\r\n',
  },
  { name: 'gat with a bad exptime', input: 'gat abc g\r\n', output: 'CLIENT_ERROR invalid exptime argument\r\n' },
  { name: 'get without a key', input: 'get\r\n', output: 'ERROR\r\n' },
  { name: 'value containing CRLF', input: 'set v 0 0 6\r\na\r\nb\r\n\r\nget v\r\n', output: 'STORED\r\nVALUE v 0 6\r\na\r\nb\r\n\r\nEND\r\n' },
  { name: 'empty value', input: 'set e 0 0 0\r\n\r\nget e\r\n', output: 'STORED\r\nVALUE e 0 0\r\n\r\nEND\r\n' },
  { name: 'bare LF line endings', input: 'set lf 0 0 1\na\r\nget lf\n', output: 'STORED\r\nVALUE lf 0 1\r\na\r\nEND\r\n' },
  { name: 'leading spaces', input: '   version\r\n', output: 'VERSION 1.6.18\r\n' },
  {
    name: 'add/replace',
    input: 'add x 0 0 1\r\na\r\nadd x 0 0 1\r\nb\r\nreplace y 0 0 1\r\nc\r\nreplace x 7 0 1\r\nd\r\nget x\r\n',
    output: 'STORED\r\nNOT_STORED\r\nNOT_STORED\r\nSTORED\r\nVALUE x 7 1\r\nd\r\nEND\r\n',
  },
  {
    name: 'append/prepend keep the flags',
    input: 'append ap 0 0 1\r\na\r\nset ap 9 0 1\r\nb\r\nappend ap 1 0 2\r\ncd\r\nprepend ap 2 0 2\r\nxy\r\nget ap\r\n',
    output: 'NOT_STORED\r\nSTORED\r\nSTORED\r\nSTORED\r\nVALUE ap 9 5\r\nxybcd\r\nEND\r\n',
  },
  {
    name: 'cas',
    input: 'cas c 0 0 1 1\r\na\r\nset c 0 0 1\r\nb\r\ncas c 0 0 1 99\r\nc\r\ncas c 4 0 1 1\r\nd\r\ngets c\r\n',
    output: 'NOT_FOUND\r\nSTORED\r\nEXISTS\r\nSTORED\r\nVALUE c 4 1 2\r\nd\r\nEND\r\n',
  },
  { name: 'cas with a bad unique', input: 'cas c 0 0 1 abc\r\na\r\n', output: 'CLIENT_ERROR bad command line format\r\nERROR\r\n' },
  { name: 'cas without a unique', input: 'cas c 0 0 1\r\n', output: 'ERROR\r\n' },
  {
    name: 'delete forms',
    input: 'set d 0 0 1\r\na\r\ndelete d\r\ndelete d\r\nset d 0 0 1\r\na\r\ndelete d 0\r\ndelete d 1\r\ndelete d x y\r\ndelete\r\n',
    output:
      'STORED\r\nDELETED\r\nNOT_FOUND\r\nSTORED\r\nDELETED\r\n' +
      'CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n' +
      'CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\nERROR\r\n',
  },
  {
    name: 'incr/decr',
    input: 'set n 0 0 2\r\n10\r\nincr n 5\r\ndecr n 100\r\nincr nope 1\r\nincr n abc\r\nincr n -1\r\nincr n\r\n',
    output: 'STORED\r\n15\r\n0\r\nNOT_FOUND\r\nCLIENT_ERROR invalid numeric delta argument\r\nCLIENT_ERROR invalid numeric delta argument\r\nERROR\r\n',
  },
  { name: 'decr pads with spaces', input: 'set n 0 0 2\r\n10\r\ndecr n 1\r\nget n\r\n', output: 'STORED\r\n9\r\nVALUE n 0 2\r\n9 \r\nEND\r\n' },
  {
    name: 'incr wraps at 2^64',
    input: 'set n 0 0 20\r\n18446744073709551615\r\nincr n 2\r\nget n\r\n',
    output: 'STORED\r\n1\r\nVALUE n 0 20\r\n1                   \r\nEND\r\n',
  },
  {
    name: 'incr of a non-number',
    input: 'set n 0 0 3\r\nabc\r\nincr n 1\r\ndecr n 1\r\n',
    output: 'STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n',
  },
  {
    name: 'touch',
    input: 'set t 0 0 1\r\na\r\ntouch t 10\r\ntouch nope 10\r\ntouch t abc\r\ntouch t\r\n',
    output: 'STORED\r\nTOUCHED\r\nNOT_FOUND\r\nCLIENT_ERROR invalid exptime argument\r\nERROR\r\n',
  },
  {
    name: 'flush_all forms',
    input: 'flush_all 0\r\nflush_all 10\r\nflush_all noreply\r\nflush_all abc\r\nflush_all 1 2\r\nflush_all -1\r\n',
    output: 'OK\r\nOK\r\nCLIENT_ERROR invalid exptime argument\r\nOK\r\nOK\r\n',
  },
  {
    name: 'verbosity',
    input: 'verbosity 1\r\nverbosity\r\nverbosity abc\r\nverbosity 1 noreply\r\nverbosity 5\r\n',
    output: 'OK\r\nERROR\r\nCLIENT_ERROR bad command line format\r\nOK\r\n',
  },
  { name: 'unknown command and empty line', input: 'bogus\r\n\r\n', output: 'ERROR\r\nERROR\r\n' },
  { name: '251-byte key', input: `set ${k251} 0 0 1\r\na\r\nget ok\r\n`, output: 'CLIENT_ERROR bad command line format\r\nERROR\r\nEND\r\n' },
  { name: '250-byte key', input: `set ${k250} 0 0 1\r\na\r\nget ${k250}\r\n`, output: `STORED\r\nVALUE ${k250} 0 1\r\na\r\nEND\r\n` },
  { name: 'negative length', input: 'set x 0 0 -1\r\nget x\r\n', output: 'CLIENT_ERROR bad command line format\r\nEND\r\n' },
  { name: 'bad flags', input: 'set x abc 0 1\r\na\r\n', output: 'CLIENT_ERROR bad command line format\r\nERROR\r\n' },
  { name: 'bad data chunk', input: 'set bc 0 0 1\r\nabc\r\nget bc\r\n', output: 'CLIENT_ERROR bad data chunk\r\nERROR\r\nEND\r\n' },
  {
    name: 'noreply on every storage command',
    input:
      'set nr 0 0 1 noreply\r\na\r\nadd nr 0 0 1 noreply\r\nb\r\nreplace nr 0 0 1 noreply\r\nc\r\nappend nr 0 0 1 noreply\r\nd\r\n' +
      'prepend nr 0 0 1 noreply\r\ne\r\ncas nr 0 0 1 1 noreply\r\nf\r\nincr nr 1 noreply\r\ntouch nr 10 noreply\r\nget nr\r\n',
    output: 'VALUE nr 0 3\r\necd\r\nEND\r\n',
  },
  { name: 'too many tokens are one remainder', input: 'set ' + Array.from({ length: 30 }, (_, i) => 'x' + i).join(' ') + '\r\n', output: 'ERROR\r\n' },
  {
    name: 'numeric fields take leading and trailing whitespace like strtol',
    input: 'set tb \t5 \t0 \t1\r\na\r\nget tb\r\nset n 0 0 1\r\n1\r\nincr n \t7\r\nincr n 7\tjunk\r\ntouch n \t10\r\n',
    output: 'STORED\r\nVALUE tb 5 1\r\na\r\nEND\r\nSTORED\r\n8\r\n15\r\nTOUCHED\r\n',
  },
  { name: 'NUL ends the line', input: 'version\0 junk\r\n', output: 'VERSION 1.6.18\r\n' },
  { name: 'quit closes', input: 'version\r\nquit\r\nversion\r\n', output: 'VERSION 1.6.18\r\n', closed: true },
  { name: 'HTTP request line closes', input: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', output: '', closed: true },
  {
    name: 'too large: data swallowed, old value gone',
    input: 'set tl 0 0 1\r\na\r\nset tl 0 0 200\r\n' + 'x'.repeat(200) + '\r\nget tl\r\n',
    output: 'STORED\r\nSERVER_ERROR object too large for cache\r\nEND\r\n',
    itemSizeMax: 200,
  },
  {
    name: 'too large add keeps the old value',
    input: 'set tl 0 0 1\r\na\r\nadd tl 0 0 200\r\n' + 'x'.repeat(200) + '\r\nget tl\r\n',
    output: 'STORED\r\nSERVER_ERROR object too large for cache\r\nVALUE tl 0 1\r\na\r\nEND\r\n',
    itemSizeMax: 200,
  },
  {
    name: 'stats detail',
    input: 'stats detail on\r\nset p:a 0 0 1\r\na\r\nget p:a\r\nget p:b\r\ndelete p:a\r\nstats detail dump\r\nstats detail off\r\nstats detail\r\n',
    output:
      'OK\r\nSTORED\r\nVALUE p:a 0 1\r\na\r\nEND\r\nEND\r\nDELETED\r\nPREFIX p get 2 hit 1 set 1 del 1\r\nEND\r\nOK\r\nCLIENT_ERROR usage: stats detail on|off|dump\r\n',
  },
];

function feedModes(input: string): FeedMode[] {
  const modes: FeedMode[] = ['whole', 'bytewise'];
  for (let i = 1; i < input.length; i++) modes.push({ splitAt: [i] });
  return modes;
}

function label(mode: FeedMode): string {
  return typeof mode === 'string' ? mode : `split at ${mode.splitAt.join(',')}`;
}

describe('AsciiSession parser', () => {
  for (const c of cases) {
    it(`${c.name}: same bytes whole, byte by byte and at every split point`, () => {
      const settings = c.itemSizeMax !== undefined ? { itemSizeMax: c.itemSizeMax } : {};
      for (const mode of feedModes(c.input)) {
        const r = drive(c.input, mode, {}, settings);
        expect(r.output, `${c.name} (${label(mode)})`).to.equal(c.output);
        expect(r.closed, `${c.name} closed (${label(mode)})`).to.equal(c.closed ?? false);
      }
    });
  }

  it('handles every split point of a whole multi-command stream', () => {
    const stream = cases.filter((c) => !c.closed && c.itemSizeMax === undefined && !c.name.startsWith('noreply') && !c.name.startsWith('stats')).slice(0, 8);
    const input = stream.map((c) => c.input).join('');
    const whole = drive(input, 'whole').output;
    // Two cuts at a time, sampled with a coprime stride so every position is a cut point at least once.
    for (let i = 1; i < input.length; i++) {
      const j = 1 + ((i * 7919) % (input.length - 1));
      const r = drive(input, { splitAt: [Math.min(i, j), Math.max(i, j)] });
      expect(r.output, `cuts ${i},${j}`).to.equal(whole);
    }
    expect(drive(input, 'bytewise').output).to.equal(whole);
  });

  it('writes nothing until a line is complete', () => {
    const h = makeSession();
    h.session.onData(Buffer.from('get a'));
    expect(h.socket.output).to.equal('');
    h.session.onData(Buffer.from('\r'));
    expect(h.socket.output).to.equal('');
    h.session.onData(Buffer.from('\n'));
    expect(h.socket.output).to.equal('END\r\n');
  });

  it('closes a non-get line longer than 2048 bytes without a newline', () => {
    for (const mode of ['whole', 'bytewise'] as const) {
      const r = drive('x'.repeat(3000), mode);
      expect(r.closed, mode).to.equal(true);
      expect(r.output).to.equal('');
    }
  });

  it('allows a long get line', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => 'key' + i);
    const input = 'set key999 0 0 1\r\nz\r\nget ' + keys.join(' ') + '\r\n';
    for (const mode of ['whole', { splitAt: [1000, 2000, 4000] }] as FeedMode[]) {
      const r = drive(input, mode);
      expect(r.closed).to.equal(false);
      expect(r.output).to.equal('STORED\r\nVALUE key999 0 1\r\nz\r\nEND\r\n');
    }
  });

  it('closes a get line beyond maxLineLength', () => {
    const r = drive('get ' + 'k '.repeat(5000), 'whole', { maxLineLength: 4096 });
    expect(r.closed).to.equal(true);
  });

  it('honours shutdown only when enabled', () => {
    expect(drive('shutdown\r\n', 'whole').output).to.equal('ERROR: shutdown not enabled\r\n');
    const r = drive('shutdown\r\n', 'whole', { shutdownEnabled: true });
    expect(r.closed).to.equal(true);
    expect(r.harness.shutdownRequests).to.equal(1);
    expect(drive('shutdown now\r\n', 'whole', { shutdownEnabled: true }).output).to.equal('CLIENT_ERROR invalid shutdown mode\r\n');
  });

  // Fed whole only: which replies are still unsent depends on how the reads fall, in memcached too.
  it('a 251-byte key in a get culls the unsent replies back to the last completed get', () => {
    const whole = (input: string) => drive('set a 0 0 1\r\na\r\n' + input, { splitAt: [16] }).output;
    const err = 'CLIENT_ERROR bad command line format\r\n';
    const hit = 'VALUE a 0 1\r\na\r\nEND\r\n';
    expect(whole(`version\r\nget a ${k251}\r\n`)).to.equal('STORED\r\n' + err);
    expect(whole(`get a\r\nget a b ${k251}\r\n`)).to.equal('STORED\r\n' + hit + err);
    expect(whole(`get a\r\nversion\r\nget a ${k251}\r\n`)).to.equal('STORED\r\n' + hit + err);
    expect(whole(`version\r\nget nope\r\nget nope2 ${k251}\r\n`)).to.equal('STORED\r\nVERSION 1.6.18\r\nEND\r\n' + err);
    expect(whole(`gat 0 a\r\nversion\r\ngats 0 a ${k251}\r\n`)).to.equal('STORED\r\n' + hit + err);
    expect(whole(`get ${k251}\r\nversion\r\nget a ${k251}\r\n`)).to.equal('STORED\r\n' + err);
    expect(drive(`set a 0 0 1\r\na\r\nget a ${k251}\r\n`, 'whole').output).to.equal(err);
  });

  it('cut() reassembles to the input for every mode', () => {
    const input = Buffer.from('set a 0 0 1\r\na\r\n');
    for (const mode of feedModes(input.toString('latin1'))) expect(Buffer.concat(cut(input, mode)).equals(input)).to.equal(true);
  });

  it('keeps value bytes exact (binary, non-UTF-8)', () => {
    const value = Buffer.from([0, 255, 13, 10, 128, 200, 1]);
    const input = Buffer.concat([Buffer.from('set b 0 0 7\r\n'), value, Buffer.from('\r\nget b\r\n')]);
    for (const mode of ['whole', 'bytewise'] as const) {
      const r = drive(input, mode);
      expect(r.harness.socket.bytes.equals(Buffer.concat([Buffer.from('STORED\r\nVALUE b 0 7\r\n'), value, Buffer.from('\r\nEND\r\n')]))).to.equal(true);
    }
  });
});
