/**
 * Redis's glob matching (util.c stringmatchlen, case-sensitive) over latin1
 * strings: `*`, `?`, `[...]` with `^` and ranges, `\` escapes. Bytes compare
 * as C `char`, signed, as Redis does in ranges.
 */
export function globMatch(pattern: string, subject: string): boolean {
  return match(pattern, 0, subject, 0, { skipLonger: false });
}

function signed(c: number): number {
  return (c << 24) >> 24;
}

function match(pat: string, p: number, str: string, s: number, state: { skipLonger: boolean }): boolean {
  const pEnd = pat.length;
  const sEnd = str.length;
  // Past its end the pattern reads as NUL, as the C string does.
  const pc = (i: number): number => (i < pEnd ? pat.charCodeAt(i) : 0);
  while (p < pEnd && s < sEnd) {
    switch (pc(p)) {
      case 0x2a: // *
        while (p + 1 < pEnd && pc(p + 1) === 0x2a) p++;
        if (pEnd - p === 1) return true;
        while (s < sEnd) {
          if (match(pat, p + 1, str, s, state)) return true;
          if (state.skipLonger) return false;
          s++;
        }
        state.skipLonger = true;
        return false;
      case 0x3f: // ?
        s++;
        break;
      case 0x5b: {
        // [
        p++;
        const not = pc(p) === 0x5e;
        if (not) p++;
        let matched = false;
        const c = str.charCodeAt(s);
        for (;;) {
          if (pc(p) === 0x5c && pEnd - p >= 2) {
            p++;
            if (pc(p) === c) matched = true;
          } else if (pc(p) === 0x5d) {
            break;
          } else if (p >= pEnd) {
            p--;
            break;
          } else if (pEnd - p >= 3 && pc(p + 1) === 0x2d) {
            let start = signed(pc(p));
            let end = signed(pc(p + 2));
            if (start > end) [start, end] = [end, start];
            p += 2;
            const sc = signed(c);
            if (sc >= start && sc <= end) matched = true;
          } else if (pc(p) === c) {
            matched = true;
          }
          p++;
        }
        if (not) matched = !matched;
        if (!matched) return false;
        s++;
        break;
      }
      default:
        // A backslash makes the next pattern byte literal.
        if (pc(p) === 0x5c && pEnd - p >= 2) p++;
        if (pc(p) !== str.charCodeAt(s)) return false;
        s++;
        break;
    }
    p++;
    if (s === sEnd) {
      while (pc(p) === 0x2a) p++;
      break;
    }
  }
  return p >= pEnd && s === sEnd;
}
