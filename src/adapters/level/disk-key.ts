/**
 * LevelDB keys of items. The bookkeeping record lives under the empty key, so an
 * item's key is escaped when it could collide with it: an empty key, or one that
 * starts with 0x00, gets a 0x00 prefix. Every other key is stored as its own bytes,
 * so data directories written before the escape stay readable (memcached keys can
 * be neither empty nor start with a control byte; only RESP and binary keys can).
 */
const ESCAPE = 0x00;

/** The LevelDB key of the item `key` (latin1 bytes). */
export function diskKey(key: string): Buffer {
  if (key.length === 0 || key.charCodeAt(0) === ESCAPE) return Buffer.from('\u0000' + key, 'latin1');
  return Buffer.from(key, 'latin1');
}

/** The item key stored under LevelDB key `bytes` (never the empty bookkeeping key). */
export function itemKey(bytes: Buffer): string {
  return bytes[0] === ESCAPE ? bytes.toString('latin1', 1) : bytes.toString('latin1');
}
