/**
 * What an open admin page costs the server: GET /api/stats every second (the
 * page's poll) and a Prometheus scrape of /metrics every 5 s, for as long as
 * a measurement runs.
 */
import http from 'node:http';

export interface AdminPoller {
  /** Stops polling; resolves with how many requests were answered and failed. */
  stop(): Promise<{ polls: number; errors: number }>;
}

function get(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.setTimeout(5_000, () => req.destroy(new Error(`${path}: timed out`)));
    req.on('error', reject);
  });
}

export function startAdminPoller(port: number): AdminPoller {
  let polls = 0;
  let errors = 0;
  let ticks = 0;
  const inFlight = new Set<Promise<void>>();
  const fire = (path: string): void => {
    const p = get(port, path).then(
      () => void polls++,
      () => void errors++,
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  fire('/api/stats');
  const timer = setInterval(() => {
    ticks++;
    fire('/api/stats');
    if (ticks % 5 === 0) fire('/metrics');
  }, 1_000);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return { polls, errors };
    },
  };
}
