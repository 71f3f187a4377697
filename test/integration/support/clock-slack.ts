import { readReplyUnit } from './reply-framing.js';

/**
 * Meta replies that report times in whole seconds: the `t<ttl>` and
 * `l<secs>` flags of `HD`/`VA` lines and `exp=`/`la=` of `ME` lines.
 */
const TIMED_LINE = /^(?:HD|VA|ME)(?: |$)/;
const TIMED_TOKEN = /^(t|l|exp=|la=)(\d+)$/;

/**
 * Whether two normalised observations are equal except for meta time values
 * that differ by at most one second.
 *
 * memcached keeps time in whole seconds since its start, ticked by a timer,
 * and computes a TTL as `exptime - current_time`; our server computes it from
 * millisecond timestamps. The same request, sent to both at the same moment,
 * can therefore land on either side of a second boundary on one of them.
 * A value of -1 ("never expires") gets no slack; data blocks are compared
 * exactly.
 */
export function sameUpToClockTicks(reference: string, target: string): boolean {
  if (reference === target) return true;
  const a = Buffer.from(reference, 'latin1');
  const b = Buffer.from(target, 'latin1');
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ua = readReplyUnit(a, i);
    const ub = readReplyUnit(b, j);
    if (ua === undefined || ub === undefined) break;
    if (ua.line !== ub.line && !(TIMED_LINE.test(ua.line) && sameTimedLine(ua.line, ub.line))) return false;
    if (!a.subarray(ua.lineEnd, ua.end).equals(b.subarray(ub.lineEnd, ub.end))) return false;
    i = ua.end;
    j = ub.end;
  }
  return a.subarray(i).equals(b.subarray(j));
}

function sameTimedLine(x: string, y: string): boolean {
  const xs = x.split(' ');
  const ys = y.split(' ');
  if (xs.length !== ys.length) return false;
  return xs.every((token, k) => {
    const other = ys[k] as string;
    if (token === other) return true;
    const p = TIMED_TOKEN.exec(token);
    const q = TIMED_TOKEN.exec(other);
    return p !== null && q !== null && p[1] === q[1] && Math.abs(Number(p[2]) - Number(q[2])) <= 1;
  });
}
