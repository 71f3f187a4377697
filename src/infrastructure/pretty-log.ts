const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
/** pino's own fields, shown in the line's head rather than as key=value. */
const HEAD = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/**
 * One pino JSON line as a person reads it:
 * `2026-12-03T13:01:02.345Z INFO  rat-memcached listening port=11211 dataDir=./data`.
 * Anything that is not pino JSON passes through unchanged.
 */
export function prettyLine(json: string, colors = false): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = typeof o.level === 'number' ? o.level : 30;
  let name = (LEVELS[level] ?? String(level)).padEnd(5);
  if (colors) name = `\x1b[${COLORS[level] ?? '0'}m${name}\x1b[0m`;
  const parts: string[] = [];
  if (typeof o.time === 'string' || typeof o.time === 'number') parts.push(String(o.time));
  parts.push(name, String(o.msg ?? ''));
  for (const [k, v] of Object.entries(o)) {
    if (HEAD.has(k) || v === undefined) continue;
    parts.push(`${k}=${typeof v === 'string' && !/[\s"=]/.test(v) ? v : JSON.stringify(v)}`);
  }
  return parts.join(' ') + '\n';
}
