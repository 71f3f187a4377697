import http from 'node:http';

/** One HTTP exchange with the admin listener. */
export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** node:http request (fetch may not set Host, which the admin guard checks). */
export function request(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T });
      });
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`HTTP ${path} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Prometheus text -> sample ("name{labels}" exactly as written) -> value; plus each family's TYPE. */
export function parseMetrics(text: string): { samples: Map<string, number>; types: Map<string, string> } {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) types.set(t[1]!, t[2]!);
    if (line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    samples.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return { samples, types };
}

/** A `stats` reply -> name -> value. */
export function parseStats(reply: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of reply.split('\r\n')) {
    const p = /^STAT (\S+) (.*)$/.exec(line);
    if (p) m.set(p[1]!, p[2]!);
  }
  return m;
}
