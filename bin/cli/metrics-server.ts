// collect --metrics HOST:PORT: Prometheus text at /metrics and a health check at /healthz.
import { createServer, type Server } from 'node:http';
import { prometheusText, type MetricsInput } from '../../lib/metrics/prometheus.js';

export const METRICS_HELP = `  --metrics HOST:PORT   Prometheus metrics at http://HOST:PORT/metrics, /healthz (port 0: any, printed)`;

/** Serves the metrics of `input()`; resolves with the bound address once listening. */
export function serveMetrics(host: string, port: number, input: () => Promise<MetricsInput>): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
      return;
    }
    if (req.url !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: /metrics, /healthz\n');
      return;
    }
    input().then(
      (m) => res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(prometheusText(m)),
      (err: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}
