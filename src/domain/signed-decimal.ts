/** Largest and smallest signed 64-bit integers. */
export const MAX_I64 = 0x7fff_ffff_ffff_ffffn;
export const MIN_I64 = -0x8000_0000_0000_0000n;

/**
 * Reads a signed 64-bit decimal written canonically: an optional '-', then
 * digits without leading zeros ("0" alone is zero), nothing else, at most 20
 * characters. This is the strict form Redis accepts for counters and numeric
 * arguments (its string2ll); anything else, or a value outside 64 bits, is
 * undefined.
 */
export function parseSignedDecimal(bytes: Uint8Array, start = 0, end = bytes.length): bigint | undefined {
  const n = end - start;
  if (n === 0 || n > 20) return undefined;
  if (n === 1 && bytes[start] === 0x30) return 0n;
  let i = start;
  const negative = bytes[i] === 0x2d;
  if (negative) {
    i++;
    if (i === end) return undefined;
  }
  const first = bytes[i]!;
  if (first < 0x31 || first > 0x39) return undefined;
  let small = 0;
  const digitsStart = i;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) return undefined;
    if (i - digitsStart < 15) small = small * 10 + (c - 0x30);
  }
  const nDigits = end - digitsStart;
  let v: bigint;
  if (nDigits <= 15) v = BigInt(small);
  else {
    let text = '';
    for (let j = digitsStart; j < end; j++) text += String.fromCharCode(bytes[j]!);
    v = BigInt(text);
  }
  if (negative) {
    v = -v;
    return v < MIN_I64 ? undefined : v;
  }
  return v > MAX_I64 ? undefined : v;
}

/** The canonical decimal of a counter, as parseSignedDecimal reads it back. */
export function signedDecimalBytes(v: bigint): Buffer {
  return Buffer.from(v.toString(), 'latin1');
}
