import { seededRandom } from '../../support/seeded-random.js';
import { cmd, type RespStep } from './resp-differential.js';

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'num', 'ctr', 'a b', '', 'user:1', 'user:22', Buffer.from([0xff, 0x00, 0x0d]).toString('latin1')];
const VALUES = [
  '',
  'v',
  'hello world',
  '0',
  '1',
  '-1',
  '42',
  '-42',
  '007',
  ' 5',
  '5 ',
  '+5',
  '-0',
  '9223372036854775807',
  '-9223372036854775808',
  '9223372036854775808',
  '1.5',
  'abc',
  '\x00\xff\r\n',
];
const INTS = [
  '0',
  '1',
  '-1',
  '2',
  '5',
  '10',
  '-5',
  '100',
  '1000',
  '9223372036854775807',
  '-9223372036854775808',
  '9223372036854775808',
  'x',
  '1.5',
  '',
  ' 1',
  '01',
  '-0',
];
const PATTERNS = ['*', 'k*', 'k?', 'user:*', '*1*', 'k[0-2]', 'k[^0]', '[', 'a\\ b', '?', 'nothing*', '\\*'];

/**
 * A seeded random stream of RESP commands over a small keyspace: every
 * command of docs/redis-protocol.md with valid and invalid options, numbers
 * at the 64-bit edges, binary values, wrong arities, and MULTI blocks.
 * Expiries stay far in the future (or in the past, which deletes at once),
 * so that no reply depends on when a key happens to expire.
 */
export function generateRespCommands(seed: number, count: number, options: { emptyKey?: boolean } = {}): RespStep[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const chance = (p: number): boolean => rnd() < p;
  const keyPool = options.emptyKey === false ? KEYS.filter((k) => k !== '') : KEYS;
  const key = (): string => pick(keyPool);
  const value = (): string => (chance(0.1) ? 'x'.repeat(Math.floor(rnd() * 3000)) : pick(VALUES));
  const int = (): string => pick(INTS);
  const seconds = (): string => (chance(0.85) ? String(100 + Math.floor(rnd() * 10_000)) : pick(['0', '-1', 'x', '9223372036854775807']));
  const millis = (): string => (chance(0.85) ? String(100_000 + Math.floor(rnd() * 10_000_000)) : pick(['0', '-1', 'x', '9223372036854775807']));
  const atSeconds = (): string => (chance(0.8) ? String(4_102_444_800 + Math.floor(rnd() * 1000)) : pick(['1', '-1', 'x', '0']));
  const atMillis = (): string => (chance(0.8) ? String(4_102_444_800_000 + Math.floor(rnd() * 1_000_000)) : pick(['1', '-1', 'x']));
  const keys = (n: number): string[] => Array.from({ length: n }, key);

  const setOptions = (): string[] => {
    const opts: string[] = [];
    const n = Math.floor(rnd() * 3);
    for (let i = 0; i < n; i++) {
      switch (Math.floor(rnd() * 9)) {
        case 0:
          opts.push('NX');
          break;
        case 1:
          opts.push('XX');
          break;
        case 2:
          opts.push('GET');
          break;
        case 3:
          opts.push('KEEPTTL');
          break;
        case 4:
          opts.push('EX', seconds());
          break;
        case 5:
          opts.push('PX', millis());
          break;
        // Never in the past here: a key SET already expired is counted by DBSIZE until each server's expiry cycle removes it.
        case 6:
          opts.push('EXAT', chance(0.9) ? atSeconds().replace(/^(1|-1|0)$/, '4102444800') : 'x');
          break;
        case 7:
          opts.push('PXAT', chance(0.9) ? atMillis().replace(/^(1|-1)$/, '4102444800000') : 'x');
          break;
        default:
          opts.push(pick(['PERSIST', 'EX', 'bogus']));
      }
    }
    return opts;
  };
  const getexOptions = (): string[] => {
    switch (Math.floor(rnd() * 7)) {
      case 0:
        return [];
      case 1:
        return ['EX', seconds()];
      case 2:
        return ['PX', millis()];
      case 3:
        return ['EXAT', atSeconds()];
      case 4:
        return ['PXAT', atMillis()];
      case 5:
        return ['PERSIST'];
      default:
        return [pick(['NX', 'KEEPTTL', 'EX', 'PERSIST EX'])];
    }
  };
  const expireOptions = (): string[] => {
    const all = ['NX', 'XX', 'GT', 'LT'];
    const n = chance(0.6) ? 0 : chance(0.8) ? 1 : 2;
    const out = Array.from({ length: n }, () => pick(all));
    if (chance(0.03)) out.push('bogus');
    return out;
  };

  const one = (): RespStep => {
    const r = Math.floor(rnd() * 40);
    switch (r) {
      case 0:
      case 1:
      case 2:
        return cmd('GET', key());
      case 3:
      case 4:
        return cmd('SET', key(), value());
      case 5:
      case 6:
        return cmd('SET', key(), value(), ...setOptions());
      case 7:
        return cmd('SETNX', key(), value());
      case 8:
        return cmd(pick(['SETEX', 'PSETEX']), key(), chance(0.5) ? seconds() : millis(), value());
      case 9:
        return cmd('GETSET', key(), value());
      case 10:
        return cmd('GETDEL', key());
      case 11:
        return cmd('GETEX', key(), ...getexOptions());
      case 12:
        return cmd('MGET', ...keys(1 + Math.floor(rnd() * 4)));
      case 13: {
        const n = 1 + Math.floor(rnd() * 3);
        const args = Array.from({ length: n }, () => [key(), value()]).flat();
        if (chance(0.05)) args.pop();
        return cmd(pick(['MSET', 'MSETNX']), ...args);
      }
      case 14:
        return cmd(pick(['DEL', 'UNLINK']), ...keys(1 + Math.floor(rnd() * 3)));
      case 15:
        return cmd(pick(['EXISTS', 'TOUCH']), ...keys(1 + Math.floor(rnd() * 3)));
      case 16:
        return cmd('EXPIRE', key(), seconds(), ...expireOptions());
      case 17:
        return cmd('PEXPIRE', key(), millis(), ...expireOptions());
      case 18:
        return cmd(pick(['EXPIREAT', 'PEXPIREAT']), key(), chance(0.5) ? atSeconds() : atMillis(), ...expireOptions());
      case 19:
        return cmd(pick(['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']), key());
      case 20:
        return cmd('PERSIST', key());
      case 21:
      case 22:
        return cmd(pick(['INCR', 'DECR']), pick(['ctr', 'num', key()]));
      case 23:
        return cmd(pick(['INCRBY', 'DECRBY']), pick(['ctr', 'num', key()]), int());
      case 24:
        return cmd('APPEND', key(), value());
      case 25:
        return cmd('STRLEN', key());
      case 26:
        return cmd(pick(['GETRANGE', 'SUBSTR']), key(), int(), int());
      case 27:
        return cmd('SETRANGE', key(), pick(['0', '1', '3', '10', '-1', 'x', '100']), value());
      case 28:
        return cmd('TYPE', key());
      case 29:
        return cmd('DBSIZE');
      case 30:
        return cmd('KEYS', pick(PATTERNS));
      case 31:
        return cmd('SCAN', '0', ...(chance(0.5) ? ['MATCH', pick(PATTERNS)] : []), 'COUNT', '1000');
      case 32:
        return chance(0.1) ? cmd(pick(['FLUSHDB', 'FLUSHALL']), ...(chance(0.3) ? [pick(['ASYNC', 'SYNC', 'x'])] : [])) : cmd('PING');
      case 33:
        return cmd('ECHO', value());
      case 34:
        return cmd('SELECT', pick(['0', '1', 'x']));
      case 35:
        return cmd(pick(['GET', 'SET', 'INCR', 'EXPIRE', 'MGET', 'TTL', 'APPEND', 'GETRANGE', 'SETRANGE', 'PING', 'ECHO']), ...keys(pick([0, 2, 4])));
      case 36:
        return cmd(pick(['NOSUCH', 'INCRBYFLOATX', 'get x']), ...keys(Math.floor(rnd() * 3)));
      case 37:
        return cmd('WATCH', ...keys(1 + Math.floor(rnd() * 2)));
      case 38:
        return cmd(pick(['UNWATCH', 'DISCARD', 'EXEC']));
      default:
        return cmd('MULTI');
    }
  };

  const steps: RespStep[] = [];
  let inMulti = false;
  const push = (s: RespStep): void => {
    const name = s.kind === 'cmd' ? String(s.args[0]).toLowerCase() : '';
    if (name === 'multi' && s.kind === 'cmd' && s.args.length === 1) inMulti = true;
    else if ((name === 'exec' || name === 'discard') && s.kind === 'cmd' && s.args.length === 1) inMulti = false;
    steps.push(s);
  };
  /**
   * KEYS/SCAN order and the clock slack of TTL replies are allowed per reply,
   * not inside an EXEC array: none of those while a MULTI is open.
   */
  const next = (): RespStep => {
    let s = one();
    while (inMulti && s.kind === 'cmd' && /^(keys|scan|ttl|pttl|expiretime|pexpiretime)$/i.test(String(s.args[0]))) s = one();
    return s;
  };
  while (steps.length < count) {
    if (chance(0.04)) {
      // A transaction: a few queued commands, then EXEC or DISCARD.
      push(cmd('MULTI'));
      const n = Math.floor(rnd() * 5);
      for (let i = 0; i < n; i++) push(next());
      push(cmd(chance(0.85) ? 'EXEC' : 'DISCARD'));
    } else push(next());
  }
  return steps.slice(0, count);
}
