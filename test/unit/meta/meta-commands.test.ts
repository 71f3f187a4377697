import { expect } from 'chai';
import { cut, makeCacheFixture, makeSession, type FeedMode } from '../../support/cache-fixture.js';
import { MetaCommands } from '../../../src/adapters/ascii/meta-commands.js';

/**
 * The meta commands against request streams whose replies were recorded from
 * memcached 1.6.18 (/usr/bin/memcached, fresh instance per stream, so cas
 * values line up). Each stream is fed whole, byte by byte and cut at several
 * points: the parser must not care how the network slices it.
 */
const recorded: [input: string, output: string][] = [
  [
    'ms foo 2\r\nhi\r\nmg foo\r\nmg foo v\r\nmg foo k v c f s t l h O123 q\r\nmg missing\r\nmg missing k O55\r\nmg missing q\r\nmn\r\nms foo 2 T100 F5 c k O9\r\nxy\r\nmg foo t f v\r\nmg foo c\r\n',
    'HD\r\nHD\r\nVA 2\r\nhi\r\nVA 2 kfoo c1 f0 s2 t-1 l0 h1 O123\r\nhi\r\nEN\r\nEN kmissing O55\r\nMN\r\nHD c2 kfoo O9\r\nVA 2 t100 f5\r\nxy\r\nHD c2\r\n',
  ],
  [
    'ms a 2 MA\r\nxx\r\nms a 2 ME\r\nxx\r\nms a 2 ME\r\nyy\r\nms a 2 MA\r\nzz\r\nms a 2 MP\r\n00\r\nmg a v\r\nms b 2 MR\r\nxx\r\nms a 2 MR\r\nrr\r\nms a 1 MX\r\nq\r\nms a 1 MS I\r\nq\r\nmg a v c\r\n',
    'NS\r\nHD\r\nNS\r\nHD\r\nHD\r\nVA 6\r\n00xxzz\r\nNS\r\nHD\r\nCLIENT_ERROR invalid mode for ms M token\r\nHD\r\nVA 1 c5\r\nq\r\n',
  ],
  [
    'ms c 2 C999\r\nxx\r\nms c 2\r\nxx\r\nmg c c\r\nms c 2 C1 q\r\nxx\r\nmn\r\nms c 2 q\r\nyy\r\nmn\r\nmg c c v\r\n',
    'NF\r\nHD\r\nHD c1\r\nMN\r\nMN\r\nVA 2 c3\r\nyy\r\n',
  ],
  [
    'ms d 2 b\r\nxx\r\nms Zm9v 2 b k\r\nxx\r\nmg foo v\r\nmg Zm9v b k v\r\nmg Zm9v k v\r\nmg @@@ b\r\n',
    'CLIENT_ERROR error decoding key\r\nHD kZm9v b\r\nVA 2\r\nxx\r\nVA 2 kZm9v b\r\nxx\r\nEN kZm9v\r\nCLIENT_ERROR error decoding key\r\n',
  ],
  [
    'ms\r\nms k\r\nms k abc\r\nms k -1\r\nms k 2 Tabc\r\nxx\r\nms k 2 F-1\r\nxx\r\nms k 2 Fabc\r\nxx\r\nms k 2 MZ\r\nxx\r\nmg\r\nmg k zz\r\nmg k Tabc\r\n',
    'ERROR\r\nCLIENT_ERROR bad command line format\r\nCLIENT_ERROR bad command line format\r\nCLIENT_ERROR bad command line format\r\nCLIENT_ERROR bad token in command line format\r\nCLIENT_ERROR bad command line format\r\nCLIENT_ERROR bad command line format\r\nCLIENT_ERROR invalid mode for ms M token\r\nERROR\r\nCLIENT_ERROR invalid flag\r\nCLIENT_ERROR bad token in command line format\r\n',
  ],
  [
    'mg v1 N30 v c t\r\nmg v1 N30 v c\r\nmg v1 N30 v\r\nms v1 3\r\nabc\r\nmg v1 v\r\nmg v2 N30 s t q\r\nmg v2 N30 q\r\nmn\r\n',
    'VA 0 c1 t30 W\r\n\r\nVA 0 c1 Z\r\n\r\nVA 0 Z\r\n\r\nHD\r\nVA 3\r\nabc\r\nHD s0 t30 W\r\nHD Z\r\nMN\r\n',
  ],
  [
    'ms s1 3 T100\r\nabc\r\nmd s1 I T30\r\nmg s1 v c t\r\nmg s1 v c\r\nms s1 3 c\r\nnew\r\nmg s1 v\r\nms s1 3 T100\r\nabc\r\nmg s1 R200 v t\r\nmg s1 R200 v\r\nmg s1 R50 v\r\n',
    'HD\r\nHD\r\nVA 3 c2 t30 X W\r\nabc\r\nVA 3 c2 Z X\r\nabc\r\nHD c3\r\nVA 3\r\nnew\r\nHD\r\nVA 3 t100 W\r\nabc\r\nVA 3 Z\r\nabc\r\nVA 3 Z\r\nabc\r\n',
  ],
  [
    'ms s2 3\r\nabc\r\nmg s2 c\r\nmd s2 I\r\nmg s2 c v\r\nms s2 3 I C4\r\nzzz\r\nmg s2 c v\r\nmd s3 I\r\nms s2 3 I C999\r\nzzz\r\n',
    'HD\r\nHD c1\r\nHD\r\nVA 3 c2 X W\r\nabc\r\nEX\r\nVA 3 c2 Z X\r\nabc\r\nNF\r\nEX\r\n',
  ],
  [
    'ms m1 1\r\nx\r\nmd m1 k O1\r\nmd m1 k O2\r\nmd m1 q\r\nms m1 1\r\nx\r\nmd m1 q\r\nmn\r\nms m1 1\r\nx\r\nmg m1 c\r\nmd m1 C1\r\nmd m1 C99 q\r\nmn\r\nmg m1 v f c t\r\nms m2 1 F5 T100\r\nx\r\nmg m2 v f t\r\nmd\r\nmd m2 zz\r\nmd m2 Cabc\r\nmd Zm9v b\r\nmd Zm9v b k\r\n',
    'HD\r\nHD km1 O1\r\nNF km1 O2\r\nNF\r\nHD\r\nMN\r\nHD\r\nHD c3\r\nEX\r\nEX\r\nMN\r\nVA 1 f0 c3 t-1\r\nx\r\nHD\r\nVA 1 f5 t100\r\nx\r\nERROR\r\nCLIENT_ERROR invalid or duplicate flag\r\nCLIENT_ERROR invalid or duplicate flag\r\nNF\r\nNF kZm9v b\r\n',
  ],
  [
    'ma n1\r\nma n1 q\r\nmn\r\nms n1 2\r\n10\r\nma n1\r\nma n1 v\r\nma n1 D5 v\r\nma n1 MD D100 v\r\nma n1 M- v\r\nma n1 MI v t c k O9 N0\r\nma n1 M+ D3 q\r\nma n1 q v\r\nmn\r\nma n2 N0 J13 v\r\nma n2 N0 J13 v\r\nma n3 N100 J5 v t\r\nma n3 T50 v t\r\n',
    'NF\r\nNF\r\nMN\r\nHD\r\nHD\r\nVA 2\r\n12\r\nVA 2\r\n17\r\nVA 1\r\n0\r\nVA 1\r\n0\r\nVA 1 t-1 c7 kn1 O9\r\n1\r\nMN\r\nVA 2\r\n13\r\nVA 2\r\n14\r\nVA 1 t100\r\n5\r\nVA 1 t50\r\n6\r\n',
  ],
  [
    'ms n4 2\r\nab\r\nma n4\r\nma n4 Dabc\r\nma n4 MX\r\nma n4 C1 v\r\nmg n4 c\r\nma\r\nms n5 1\r\n5\r\nmg n5 c\r\nma n5 C1 v\r\nma n5 C999 v\r\nma n5 C999 q\r\nmn\r\nms n6 20\r\n18446744073709551615\r\nma n6 v\r\nma n6 Jabc N0\r\nma n7 N0 J18446744073709551616 v\r\nme n5\r\nme nope\r\nme\r\n',
    'HD\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\nCLIENT_ERROR invalid or duplicate flag\r\nCLIENT_ERROR invalid mode for ma M token\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\nHD c1\r\nERROR\r\nHD\r\nHD c2\r\nEX\r\nEX\r\nEX\r\nMN\r\nHD\r\nVA 1\r\n0\r\nCLIENT_ERROR invalid or duplicate flag\r\nCLIENT_ERROR invalid or duplicate flag\r\nME n5 exp=-1 la=0 cas=2 fetch=yes cls=1 size=62\r\nEN\r\nCLIENT_ERROR bad command line format\r\n',
  ],
  [
    'mg missing k O55 v s\r\nms q1 1\r\nx\r\nms q1 1 C99 c k\r\ny\r\nms q2 1 MR c\r\ny\r\nms q1 1 c s\r\nz\r\nmg q1 a b c d e\r\nmg q1 f g h i j k l m n o p q r s t u v w x y z\r\nmg q1 s t v c f h k l O1 q u P L M5 F4 C1 I D3\r\nmg q1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\r\nmg q1 v 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\r\nms q1 1 MS MS\r\nx\r\nma q1 O\r\nmg q1 O k\r\nmd q1 q q\r\nms q3 1 I\r\nx\r\nms q3 1 i\r\nx\r\nms q3 1 Me\r\nx\r\nma q3 Mi\r\nma q3 MDD\r\nms q3 1 MDD\r\nx\r\n',
    'EN kmissing O55\r\nHD\r\nEX c0 kq1\r\nNS c0\r\nHD c2\r\nCLIENT_ERROR invalid flag\r\nCLIENT_ERROR options flags are too long\r\nCLIENT_ERROR options flags are too long\r\nCLIENT_ERROR invalid flag\r\nCLIENT_ERROR options flags are too long\r\nCLIENT_ERROR duplicate flag\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\nHD O kq1\r\nCLIENT_ERROR invalid or duplicate flag\r\nHD\r\nCLIENT_ERROR invalid flag\r\nCLIENT_ERROR invalid mode for ms M token\r\nCLIENT_ERROR invalid mode for ma M token\r\nCLIENT_ERROR invalid or duplicate flag\r\nCLIENT_ERROR incorrect length for M token\r\n',
  ],
  [
    'ms bad 2\r\nxyz\r\nmn\r\nms x 2 T-1\r\nxx\r\nmg x v\r\nms x 2 T0\r\nxx\r\nmg x t\r\nms ve 2 C0\r\nxx\r\nms x 2 C0\r\nxx\r\nms x 2 F4294967296\r\nxx\r\nmg x f\r\nms x 0\r\n\r\nmg x v s\r\nmg x   v\r\nmg x O123456789012345678901234567890123\r\nmg x v v\r\nmn foo\r\n',
    'CLIENT_ERROR bad data chunk\r\nERROR\r\nMN\r\nHD\r\nEN\r\nHD\r\nHD t-1\r\nNF\r\nEX\r\nHD\r\nHD f0\r\nHD\r\nVA 0 s0\r\n\r\nVA 0\r\n\r\nCLIENT_ERROR opaque token too long\r\nCLIENT_ERROR duplicate flag\r\nMN\r\n',
  ],
  [
    'set cl 3 0 2\r\nab\r\nmg cl v f c\r\nms cl 3 F9\r\nxyz\r\ngets cl\r\nincr cl 1\r\nms cn 1\r\n7\r\nincr cn 5\r\nma cn v c\r\ngets cn\r\ncas cn 0 0 1 3\r\n9\r\nmg cn v c\r\ndelete cn\r\nmg cn v\r\nms ap 1 MA\r\nx\r\nappend cl 0 0 1\r\n!\r\nmg cl v s\r\nget cl\r\n',
    'STORED\r\nVA 2 f3 c1\r\nab\r\nHD\r\nVALUE cl 9 3 2\r\nxyz\r\nEND\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\nHD\r\n12\r\nVA 2 c5\r\n13\r\nVALUE cn 0 2 5\r\n13\r\nEND\r\nEXISTS\r\nVA 2 c5\r\n13\r\nDELETED\r\nEN\r\nNS\r\nSTORED\r\nVA 4 s4\r\nxyz!\r\nVALUE cl 9 4\r\nxyz!\r\nEND\r\n',
  ],
  [
    'ms h1 1\r\nx\r\nmg h1 h l\r\nmg h1 h\r\nget h1\r\nms h2 1\r\nx\r\nget h2\r\nmg h2 h\r\nmg h1 T30 t\r\nmg h1 t T60\r\nmg h1 t\r\n',
    'HD\r\nHD h0 l0\r\nHD h1\r\nVALUE h1 0 1\r\nx\r\nEND\r\nHD\r\nVALUE h2 0 1\r\nx\r\nEND\r\nHD h1\r\nHD t30\r\nHD t30\r\nHD t60\r\n',
  ],
  [
    'ms st 3 T100\r\nabc\r\nmg st c\r\nmd st I T30 k O7\r\nmg st c t v\r\nms st 3 I C1 c\r\nold\r\nmg st c t v\r\nmg st v\r\nms st 3 C3 c\r\nnew\r\nmg st v c\r\n',
    'HD\r\nHD c1\r\nHD kst O7\r\nVA 3 c2 t30 X W\r\nabc\r\nHD c3\r\nVA 3 c3 t30 Z X\r\nold\r\nVA 3 Z X\r\nold\r\nHD c4\r\nVA 3 c4\r\nnew\r\n',
  ],
  [
    'ms ac 1\r\na\r\nmg ac c\r\nms ac 1 MA C99\r\nb\r\nms ac 1 MA C1\r\nb\r\nms ac 1 MP C0\r\nc\r\nmg ac v c\r\nms ac 1 ME C5\r\nz\r\nms ac 1 MR C5\r\nz\r\nms ac 1 MR C4 c\r\nz\r\nmg ac v\r\n',
    'HD\r\nHD c1\r\nEX\r\nHD\r\nHD\r\nVA 3 c3\r\ncab\r\nNS\r\nEX\r\nEX c0\r\nVA 3\r\ncab\r\n',
  ],
  [
    'ms Zm9vYg== 1 b c k O1\r\nx\r\nmg Zm9vYg== b k v c\r\nmd Zm9vYg== b k q\r\nmg Zm9vYg== b k v\r\nma Zm9vYg== b N0 J4 v k\r\nget foob\r\n',
    'HD c1 kZm9vYg== b O1\r\nVA 1 kZm9vYg== b c1\r\nx\r\nEN kZm9vYg== b\r\nVA 1 kZm9vYg== b\r\n4\r\nVALUE foob 0 1\r\n4\r\nEND\r\n',
  ],
  ['mg p1 v q\r\nmg p2 v q k\r\nms p1 1 q\r\n1\r\nmg p1 v q k\r\nmg p2 v q\r\nmd p2 q\r\nmd p1 q\r\nma p1 q\r\nmn\r\n', 'VA 1 kp1\r\n1\r\nNF\r\nNF\r\nMN\r\n'],
  ['ms t1 1 T2592001\r\nx\r\nmg t1 v\r\nms t2 1 T-5\r\nx\r\nmg t2 v\r\nmg t3 N-1 v\r\nmg t3 v\r\n', 'HD\r\nEN\r\nHD\r\nEN\r\nVA 0 W\r\n\r\nEN\r\n'],
  [
    'set v 0 0 1\r\nx\r\nmg v N30 v c t\r\nmg v R30 t\r\nms v 1 T10\r\ny\r\nmg v R30 t c\r\nmg v R30 t\r\nms v 1 T10 c\r\nz\r\nmg v R30 t\r\n',
    'STORED\r\nVA 1 c1 t-1\r\nx\r\nHD t-1\r\nHD\r\nHD t10 c2 W\r\nHD t10 Z\r\nHD c3\r\nHD t10 W\r\n',
  ],
  // Found by the differential suite (test/integration/corpus/meta.ts and the random stream):
  [
    'ms o 1\r\nx\r\nmg o O12345678901234567890123456789012 k\r\nmg o O1234567890123456789012345678901 k\r\n',
    'HD\r\nCLIENT_ERROR opaque token too long\r\nHD O1234567890123456789012345678901 ko\r\n',
  ],
  [
    'ms q 1 O0 O1 O2 O3 O4 O5 O6 O7 O8 O9 O10 O11 O12 O13 O14 O15 O16\r\nx\r\nmd q O0 O1 O2 O3 O4 O5 O6 O7 O8 O9 O10 O11 O12 O13 O14 O15 O16 O17\r\nma q O0 O1 O2 O3 O4 O5 O6 O7 O8 O9 O10 O11 O12 O13 O14 O15 O16 O17\r\nmg q O0 O1 O2 O3 O4 O5 O6 O7 O8 O9 O10 O11 O12 O13 O14 O15 O16 O17\r\n',
    'CLIENT_ERROR options flags too long\r\nERROR\r\nCLIENT_ERROR options flags too long\r\nCLIENT_ERROR options flags too long\r\nCLIENT_ERROR options flags are too long\r\n',
  ],
  ['ms i 1\r\nx\r\nmg i h\r\nmd i I\r\nmg i h\r\n', 'HD\r\nHD h0\r\nHD\r\nHD h1 X W\r\n'],
  [
    'ms aA== 1 b\r\nx\r\nmg h k\r\nmg aA== b k\r\nset foob 0 0 1\r\nx\r\nmg Zm9vYg== b k\r\nmg Zw== b k N0\r\nmg Zw== b k\r\n',
    'HD\r\nHD kaA== b\r\nHD kaA== b\r\nSTORED\r\nHD kfoob\r\nHD kg W\r\nHD kg Z\r\n',
  ],
  [
    'mn\r\nget kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\r\nmn\r\n',
    'MN\r\nCLIENT_ERROR bad command line format\r\nMN\r\n',
  ],
  [
    'ms r 1 T100\r\nx\r\nmg r R100\r\nmg r R101\r\nms r 1 T100\r\nx\r\nmg r R200 T0\r\nms r 1 T100\r\nx\r\nmg r T0 R200\r\n',
    'HD\r\nHD\r\nHD W\r\nHD\r\nHD W\r\nHD\r\nHD\r\n',
  ],
  [
    'mg v1 T100 N30 t\r\nmg v1 t\r\nmg v2 N30 T100 t\r\nmg v2 t\r\nmg v3 v T100 t N200\r\nmg v3 t\r\nma c1 N30 T60 t\r\nmg c1 t\r\nma c2 T60 N30 t\r\nmg c2 t\r\n',
    'HD t30 W\r\nHD t30 Z\r\nHD t100 W\r\nHD t100 Z\r\nVA 0 t100 W\r\n\r\nHD t200 Z\r\nHD t60\r\nHD t60\r\nHD t30\r\nHD t30\r\n',
  ],
];

function run(input: string, mode: FeedMode = 'whole') {
  const fx = makeCacheFixture();
  const h = makeSession({ extensions: [new MetaCommands(fx.useCases)] }, fx);
  for (const chunk of cut(Buffer.from(input, 'latin1'), mode)) h.session.onData(chunk);
  return h;
}

const out = (input: string, mode: FeedMode = 'whole') => run(input, mode).socket.output;

describe('meta commands: replies recorded from memcached 1.6.18', () => {
  recorded.forEach(([input, output], i) => {
    const first = input.slice(0, input.indexOf('\r\n'));
    it(`stream ${i + 1} (${first} ...)`, () => {
      expect(out(input)).to.equal(output);
      expect(out(input, 'bytewise')).to.equal(output);
      const n = input.length;
      expect(out(input, { splitAt: [1, Math.floor(n / 3), Math.floor(n / 2) + 1, n - 2] })).to.equal(output);
    });
  });
});

describe('meta commands: flags added after memcached 1.6.18', () => {
  it('E sets the cas of the version written by ms, ma, md I and mg N', () => {
    expect(out('ms e1 1 E500 c\r\nx\r\nmg e1 c\r\n')).to.equal('HD c500\r\nHD c500\r\n');
    expect(out('ms e1 1\r\n5\r\nma e1 E77 c v\r\nmg e1 c\r\n')).to.equal('HD\r\nVA 1 c77\r\n6\r\nHD c77\r\n');
    expect(out('ms e1 1\r\nx\r\nmd e1 I E9\r\nmg e1 c\r\n')).to.equal('HD\r\nHD\r\nHD c9 X W\r\n');
    expect(out('mg e2 N30 E42 c\r\n')).to.equal('HD c42 W\r\n');
    expect(out('ms e1 1 Eabc\r\nx\r\nmn\r\n')).to.equal('CLIENT_ERROR bad token in command line format\r\nMN\r\n');
  });

  it('an explicit cas does not move the sequence', () => {
    expect(out('ms a 1 E1000\r\nx\r\nms b 1 c\r\ny\r\n')).to.equal('HD\r\nHD c1\r\n');
  });

  it('md x empties the value but keeps the item, its flags and TTL; with I it is a stale tombstone', () => {
    expect(out('ms x1 3 F7 T100\r\nabc\r\nmd x1 x\r\nmg x1 v f t c\r\n')).to.equal('HD\r\nHD\r\nVA 0 f7 t100 c2\r\n\r\n');
    expect(out('ms x1 3\r\nabc\r\nmd x1 x I\r\nmg x1 v\r\n')).to.equal('HD\r\nHD\r\nVA 0 X W\r\n\r\n');
    expect(out('md x9 x\r\n')).to.equal('NF\r\n');
  });

  it('ms N in append mode creates the item on a miss with the N TTL', () => {
    expect(out('ms ap 2 MA N100\r\nab\r\nms ap 2 MA N100\r\ncd\r\nmg ap v t\r\n')).to.equal('HD\r\nHD\r\nVA 4 t100\r\nabcd\r\n');
    expect(out('ms ap 2 MP\r\nab\r\n')).to.equal('NS\r\n');
  });
});

describe('meta commands: behaviour', () => {
  it('classic and meta commands share values, flags and cas', () => {
    const h = run('ms k 5 F3 T0\r\nhello\r\ngets k\r\ncas k 4 0 2 1\r\nhi\r\nmg k v f c\r\nma k\r\n');
    expect(h.socket.output).to.equal(
      'HD\r\nVALUE k 3 5 1\r\nhello\r\nEND\r\nSTORED\r\nVA 2 f4 c2\r\nhi\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n',
    );
  });

  it('a quiet pipeline ended by mn answers only what q does not hide', () => {
    const input = 'mg a v q\r\nms a 1 q\r\n1\r\nmg a v q k\r\nma a q\r\nma a q v\r\nmd b q\r\nms b 1 ME q\r\nx\r\nms b 1 ME q\r\ny\r\nmd a q\r\nmn\r\n';
    expect(out(input)).to.equal('VA 1 ka\r\n1\r\nNF\r\nNS\r\nMN\r\n');
  });

  it('a win is handed out once per version: N, then Z for others until the item is replaced', () => {
    expect(out('mg w N30 c\r\nmg w N30 c\r\nms w 1\r\nv\r\nmg w N30 c\r\n')).to.equal('HD c1 W\r\nHD c1 Z\r\nHD\r\nHD c2\r\n');
  });

  it('R wins only when the TTL left is below the token, once', () => {
    const h = run('ms r 1 T100\r\nx\r\nmg r R50 t\r\n');
    expect(h.socket.output).to.equal('HD\r\nHD t100\r\n');
    h.clock.advance(60_000);
    h.session.onData(Buffer.from('mg r R50 t\r\nmg r R50 t\r\n'));
    expect(h.socket.output).to.equal('HD\r\nHD t100\r\nHD t40 W\r\nHD t40 Z\r\n');
  });

  it('h and l report the state before the request, including classic reads', () => {
    const h = run('ms k 1\r\nx\r\nmg k h l\r\n');
    h.clock.advance(5_000);
    h.session.onData(Buffer.from('mg k h l\r\nget k\r\n'));
    h.clock.advance(2_000);
    h.session.onData(Buffer.from('mg k l\r\n'));
    expect(h.socket.output).to.equal('HD\r\nHD h0 l0\r\nHD h1 l5\r\nVALUE k 0 1\r\nx\r\nEND\r\nHD l2\r\n');
  });

  it('mg T counts as a touch and changes the TTL classic commands see', () => {
    const h = run('set k 0 100 1\r\nx\r\nmg k T5 t\r\n');
    h.clock.advance(6_000);
    h.session.onData(Buffer.from('get k\r\n'));
    expect(h.socket.output).to.equal('STORED\r\nHD t5\r\nEND\r\n');
    expect(h.context.stats.cmd_touch).to.equal(1);
    expect(h.context.stats.get_misses).to.equal(1);
  });

  it('me shows the item and counts nothing', () => {
    const h = run('ms dbg 1 F1\r\nx\r\nme dbg\r\nme nope\r\n');
    expect(h.socket.output).to.equal('HD\r\nME dbg exp=-1 la=0 cas=1 fetch=no cls=1 size=67\r\nEN\r\n');
    expect(h.context.stats.cmd_get).to.equal(0);
  });

  it('a value too large is refused, its data swallowed and the old value dropped', () => {
    const fx = makeCacheFixture({ itemSizeMax: 1024 });
    const h = makeSession({ extensions: [new MetaCommands(fx.useCases)] }, fx);
    h.session.onData(Buffer.from('ms big 1\r\nx\r\nms big 2000\r\n' + 'z'.repeat(2000) + '\r\nmg big v\r\nmn\r\n'));
    expect(h.socket.output).to.equal('HD\r\nSERVER_ERROR object too large for cache\r\nEN\r\nMN\r\n');
  });

  it('an unknown m command is left to the session (ERROR)', () => {
    expect(out('mz k\r\nmgx k\r\n')).to.equal('ERROR\r\nERROR\r\n');
  });
});
