// /healthz (the process serves) and /readyz (caches synced), plain HTTP for the kubelet. Metrics are served apart,
// behind authentication (metrics-server.ts).
import { createServer, type Server } from 'node:http';

export interface ProbeServerOptions {
  host: string;
  port: number;
  ready: () => boolean;
}

export async function startProbeServer(options: ProbeServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (path === '/readyz') {
      const ready = options.ready();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ok' : 'caches not synced');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return server;
}
