import { expect } from 'chai';
import { ArgList } from '../../../src/adapters/resp/arg-list.js';
import { globMatch } from '../../../src/adapters/resp/glob.js';
import { NEED_MORE, PROTOCOL_ERROR, parseError, parseRequest } from '../../../src/adapters/resp/resp-parser.js';

const limits = { maxBulk: 1_000_000, authenticated: true };

function parse(text: string, auth = true): { next: number; args: string[] } {
  const args = new ArgList();
  const buf = Buffer.from(text, 'latin1');
  const next = parseRequest(buf, 0, args, { ...limits, authenticated: auth });
  return { next, args: next >= 0 ? Array.from({ length: args.count }, (_, i) => args.str(i)) : [] };
}

describe('unit: RESP request parser', () => {
  it('reads a multibulk request in place and says where it ends', () => {
    expect(parse('*2\r\n$3\r\nGET\r\n$1\r\nk\r\nrest')).to.deep.equal({ next: 20, args: ['GET', 'k'] });
    expect(parse('*1\r\n$0\r\n\r\n')).to.deep.equal({ next: 10, args: [''] });
  });

  it('asks for more input at every cut of a request', () => {
    const whole = '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$12\r\nhello\r\nworld\r\n';
    for (let cut = 1; cut < whole.length; cut++) expect(parse(whole.slice(0, cut)).next, `cut at ${cut}`).to.equal(NEED_MORE);
    expect(parse(whole).args).to.deep.equal(['SET', 'k', 'hello\r\nworld']);
  });

  it('skips the two bytes after a bulk without reading them, as Redis does', () => {
    expect(parse('*1\r\n$1\r\naXY').args).to.deep.equal(['a']);
  });

  it('treats counts of zero or below as an empty request', () => {
    expect(parse('*0\r\n')).to.deep.equal({ next: 4, args: [] });
    expect(parse('*-1\r\n')).to.deep.equal({ next: 5, args: [] });
  });

  for (const [input, message] of [
    ['*x\r\n', 'invalid multibulk length'],
    ['*3000000000\r\n', 'invalid multibulk length'],
    ['*1\r\n:1\r\n', "expected '$', got ':'"],
    ['*1\r\n$-1\r\n', 'invalid bulk length'],
    ['*1\r\n$01\r\nab\r\n', 'invalid bulk length'],
    ['*1\r\n$2000000\r\n', 'invalid bulk length'],
    ['ECHO "open\r\n', 'unbalanced quotes in request'],
    ['ECHO "a"b\r\n', 'unbalanced quotes in request'],
  ] as const) {
    it(`refuses ${JSON.stringify(input)}: ${message}`, () => {
      expect(parse(input).next).to.equal(PROTOCOL_ERROR);
      expect(parseError.message).to.equal(message);
    });
  }

  it('limits unauthenticated clients to small requests', () => {
    expect(parse('*11\r\n', false).next).to.equal(PROTOCOL_ERROR);
    expect(parseError.message).to.equal('unauthenticated multibulk length');
    expect(parse('*1\r\n$16385\r\n', false).next).to.equal(PROTOCOL_ERROR);
    expect(parseError.message).to.equal('unauthenticated bulk length');
  });

  it('splits inline requests with Redis quoting rules', () => {
    expect(parse('SET k v\r\n').args).to.deep.equal(['SET', 'k', 'v']);
    expect(parse('  a   b  \n').args).to.deep.equal(['a', 'b']);
    expect(parse('ECHO "x\\ny\\x41\\"" \'it\\\'s\'\r\n').args).to.deep.equal(['ECHO', 'x\ny\x41"', "it's"]);
    expect(parse('a"b c" d\r\n').args).to.deep.equal(['ab c', 'd']);
    expect(parse('\r\n')).to.deep.equal({ next: 2, args: [] });
    expect(parse('GET k\x00ignored\r\n').args).to.deep.equal(['GET', 'k']);
    expect(parse('no newline yet').next).to.equal(NEED_MORE);
  });
});

describe('unit: Redis glob matching', () => {
  const cases: [string, string, boolean][] = [
    // stringmatchlen itself says no; KEYS * and SCAN MATCH * skip matching altogether.
    ['*', '', false],
    ['*', 'anything', true],
    ['user:*', 'user:1', true],
    ['user:*', 'use', false],
    ['k?', 'k1', true],
    ['k?', 'k', false],
    ['k[0-2]', 'k1', true],
    ['k[0-2]', 'k3', false],
    ['k[2-0]', 'k1', true],
    ['k[^0]', 'k0', false],
    ['k[^0]', 'k9', true],
    ['h\\[llo', 'h[llo', true],
    ['a\\ b', 'a b', true],
    ['*1*', 'x1y', true],
    ['[', 'x', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
  ];
  for (const [pattern, subject, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(subject)}`, () => {
      expect(globMatch(pattern, subject)).to.equal(expected);
    });
  }
});
