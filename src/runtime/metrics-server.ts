// /metrics (Prometheus) over HTTPS, to whom the Kubernetes API says may read it, as controller-runtime's secure
// metrics serve it: a scrape carries a bearer token (a ServiceAccount's), checked by a RequestAuthorizer. The
// certificate comes from a directory holding tls.crt and tls.key (a kubernetes.io/tls Secret, as cert-manager writes
// it, mounted there), read again as it is renewed; without one, a self-signed certificate is made at start.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import { errorMessage } from './error-message.ts';
import type { RequestAuthorizer } from './request-authorizer.ts';

export interface MetricsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  authorizer: RequestAuthorizer;
  /** A directory holding tls.crt and tls.key; undefined: a self-signed certificate made at start. */
  certDir: string | undefined;
  log: Logger;
  /** How often the files in certDir are read again (controller-runtime's certificate watcher polls every 10 s). */
  certReloadMs?: number;
}

interface KeyPair {
  cert: string;
  key: string;
}

async function readKeyPair(dir: string): Promise<KeyPair> {
  const [cert, key] = await Promise.all([readFile(join(dir, 'tls.crt'), 'utf8'), readFile(join(dir, 'tls.key'), 'utf8')]);
  return { cert, key };
}

/**
 * A self-signed certificate for localhost (what controller-runtime makes), valid for a year: a pod lives less. The
 * library (about 6 MiB resident once loaded) is loaded only when no certificate is mounted.
 */
async function selfSigned(): Promise<KeyPair> {
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + 365 * 24 * 3600_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', algorithm: 'sha256', notBeforeDate, notAfterDate });
  return { cert: pems.cert, key: pems.private };
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<Server> {
  const { registry, authorizer, certDir, log } = options;
  let keyPair = certDir ? await readKeyPair(certDir) : await selfSigned();
  const server = createServer(keyPair, (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const text = { 'content-type': 'text/plain' };
    // The verb is the method, lower-cased, as Kubernetes authorizes non-resource requests (get for GET).
    authorizer.decide(req.headers.authorization, (req.method ?? 'GET').toLowerCase(), path).then(
      async (decision) => {
        if (!decision.allowed) {
          log.debug('Refused a metrics request', { status: decision.status, reason: decision.reason });
          res.writeHead(decision.status, text).end(decision.status === 401 ? 'Unauthorized\n' : 'Forbidden\n');
          return;
        }
        const body = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType }).end(body);
      },
      (err: unknown) => {
        log.warn('Could not check a metrics request with the Kubernetes API', { error: errorMessage(err) });
        res.writeHead(500, text).end('Authentication or authorization failed\n');
      },
    ).catch((err: unknown) => res.writeHead(500, text).end(`${errorMessage(err)}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });

  if (certDir) {
    // A renewed Secret replaces the files in place; new connections get the new certificate, none is dropped.
    const reload = async () => {
      const read = await readKeyPair(certDir);
      if (read.cert === keyPair.cert && read.key === keyPair.key) return;
      server.setSecureContext(read); // throws on a pair that does not match: the one loaded before stays
      keyPair = read;
      log.info('Loaded a renewed metrics certificate', { certDir });
    };
    const timer = setInterval(() => {
      reload().catch((err: unknown) => log.warn('Could not load the metrics certificate again; serving the one loaded before', { certDir, error: errorMessage(err) }));
    }, options.certReloadMs ?? 10_000);
    timer.unref();
    server.once('close', () => clearInterval(timer));
  }
  return server;
}
