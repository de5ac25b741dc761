// /metrics over HTTPS, only for requests the authorizer allows; its certificate made at start, or read from a
// directory and read again when renewed. The authorizer is a fake here (request-authorizer.test.ts tests the real
// one; test/integration/metrics-auth.test.ts both together, on a real kube-apiserver).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createPlainServer } from 'node:http';
import { request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Gauge, Registry } from 'prom-client';
import { generate } from 'selfsigned';
import winston from 'winston';
import { startMetricsServer } from '../../../src/runtime/metrics-server.ts';
import type { AccessDecision, RequestAuthorizer } from '../../../src/runtime/request-authorizer.ts';
import { waitFor } from '../../support/processes.ts';

interface Answer {
  status: number;
  body: string;
  contentType: string | undefined;
  /** The certificate the server presented: its SHA-256 fingerprint, subject and issuer common names. */
  fingerprint: string;
  subject: string;
  issuer: string;
  /** The certificate's notBefore and notAfter, as the peer certificate prints them. */
  validFrom: string;
  validTo: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, ca?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // A connection of its own (no agent), so a renewed certificate shows on the next request.
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false, ...(ca ? { ca, servername: 'localhost' } : { rejectUnauthorized: false }) }, (res) => {
      const { fingerprint256: fingerprint, subject, issuer, valid_from: validFrom, valid_to: validTo } = (res.socket as TLSSocket).getPeerCertificate();
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, contentType: res.headers['content-type'], fingerprint, subject: String(subject.CN), issuer: String(issuer.CN), validFrom, validTo }));
    });
    req.on('error', reject);
    req.end();
  });
}

class FakeAuthorizer implements RequestAuthorizer {
  readonly asked: Array<[string | undefined, string, string]> = [];
  answer: AccessDecision | Error = { allowed: true, user: 'scraper' };

  decide(authorization: string | undefined, verb: string, path: string): Promise<AccessDecision> {
    this.asked.push([authorization, verb, path]);
    return this.answer instanceof Error ? Promise.reject(this.answer) : Promise.resolve(this.answer);
  }
}

async function keyPair(commonName: string): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: commonName }], { keyType: 'ec', algorithm: 'sha256' });
  return { cert: pems.cert, key: pems.private };
}

/** A logger at debug level that keeps each entry (level, message and fields). */
function recordingLogger(): { log: winston.Logger; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  const log = winston.createLogger({
    level: 'debug',
    transports: [new winston.transports.Stream({ stream: new Writable({ objectMode: true, write: (entry: Record<string, unknown>, _enc, next) => (entries.push(Object.fromEntries(Object.entries(entry))), next()) }) })],
  });
  return { log, entries };
}

describe('startMetricsServer', () => {
  const { log, entries } = recordingLogger();
  let registry: Registry;
  let authorizer: FakeAuthorizer;
  let server: Server | undefined;
  let dir: string | undefined;
  const port = () => (server?.address() as AddressInfo).port;

  beforeEach(() => {
    registry = new Registry();
    new Counter({ name: 'test_scrapes_total', help: 'A counter the test reads back.', registers: [registry] }).inc(3);
    authorizer = new FakeAuthorizer();
    entries.length = 0;
  });

  afterEach(async () => {
    // Closed for good (its reload timer cleared) before the next test reads the log.
    const closing = server;
    if (closing) await new Promise<void>((resolve) => (closing.close(() => resolve()), closing.closeAllConnections()));
    server = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  describe('with a self-signed certificate', () => {
    beforeEach(async () => {
      server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, authorizer, certDir: undefined, log });
    });

    it('serves the Prometheus text to an allowed request, asking the authorizer with its header, verb get and path /metrics', async () => {
      const answer = await get(port(), '/metrics', { authorization: 'Bearer t0ken' });
      assert.equal(answer.status, 200);
      assert.equal(answer.contentType, 'text/plain; version=0.0.4; charset=utf-8');
      assert.ok(answer.body.split('\n').includes('test_scrapes_total 3'), answer.body);
      assert.deepEqual(authorizer.asked, [['Bearer t0ken', 'get', '/metrics']]);
    });

    it('answers 401 Unauthorized, and no metric, to a request the authorizer finds unauthenticated', async () => {
      authorizer.answer = { allowed: false, status: 401, reason: 'no bearer token' };
      const answer = await get(port(), '/metrics');
      assert.deepEqual([answer.status, answer.contentType, answer.body], [401, 'text/plain', 'Unauthorized\n']);
      assert.deepEqual(authorizer.asked, [[undefined, 'get', '/metrics']]);
      assert.deepEqual(entries, [{ level: 'debug', message: 'Refused a metrics request', status: 401, reason: 'no bearer token' }]);
    });

    it('answers 403 Forbidden, and no metric, to a request the authorizer refuses', async () => {
      authorizer.answer = { allowed: false, status: 403, reason: 'x may not get /metrics' };
      const answer = await get(port(), '/metrics', { authorization: 'Bearer t0ken' });
      assert.deepEqual([answer.status, answer.contentType, answer.body], [403, 'text/plain', 'Forbidden\n']);
      assert.deepEqual(entries, [{ level: 'debug', message: 'Refused a metrics request', status: 403, reason: 'x may not get /metrics' }]);
    });

    it('answers 500, and no metric, when the authorizer cannot decide (the API is unreachable)', async () => {
      authorizer.answer = new Error('connect ECONNREFUSED');
      const answer = await get(port(), '/metrics', { authorization: 'Bearer t0ken' });
      assert.deepEqual([answer.status, answer.contentType, answer.body], [500, 'text/plain', 'Authentication or authorization failed\n']);
      assert.deepEqual(entries, [{ level: 'warn', message: 'Could not check a metrics request with the Kubernetes API', error: 'connect ECONNREFUSED' }]);
    });

    it('answers 500 with the error, as text/plain, when a metric cannot be collected', async () => {
      new Gauge({
        name: 'test_broken',
        help: 'A gauge whose collection fails.',
        registers: [registry],
        collect() {
          throw new Error('the collector broke');
        },
      });
      const answer = await get(port(), '/metrics', { authorization: 'Bearer t0ken' });
      assert.deepEqual([answer.status, answer.contentType, answer.body], [500, 'text/plain', 'the collector broke\n']);
    });

    it('asks the authorizer with the method lower-cased as the verb and the path without its query', async () => {
      await new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: port(), method: 'HEAD', path: '/metrics?x=1', agent: false, rejectUnauthorized: false }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
      assert.deepEqual(authorizer.asked, [[undefined, 'head', '/metrics']]);
    });

    it('serves nothing else: /healthz and / are 404 without asking the authorizer', async () => {
      assert.equal((await get(port(), '/healthz')).status, 404);
      assert.equal((await get(port(), '/')).status, 404);
      assert.deepEqual(authorizer.asked, []);
    });

    it('presents a self-signed certificate for CN=localhost, made at start', async () => {
      const answer = await get(port(), '/metrics', { authorization: 'Bearer t0ken' });
      assert.deepEqual([answer.subject, answer.issuer], ['localhost', 'localhost']);
      assert.match(answer.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    });

    it('makes the certificate an EC key signed with ECDSA-SHA256, valid for exactly 365 days from start', async () => {
      const answer = await get(port(), '/metrics', { authorization: 'Bearer t0ken' });
      assert.equal(Date.parse(answer.validTo) - Date.parse(answer.validFrom), 365 * 24 * 3600 * 1000);
      const pem = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: port(), path: '/', agent: false, rejectUnauthorized: false }, (res) => {
          const raw = (res.socket as TLSSocket).getPeerCertificate().raw;
          res.resume();
          resolve(new X509Certificate(raw).toString());
        });
        req.on('error', reject);
        req.end();
      });
      const cert = new X509Certificate(pem);
      assert.deepEqual([cert.publicKey.asymmetricKeyType, cert.signatureAlgorithm], ['ec', 'ecdsa-with-SHA256']);
    });

    it('refuses to start on a port already in use', async () => {
      const taken = createPlainServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      try {
        await assert.rejects(
          startMetricsServer({ host: '127.0.0.1', port: (taken.address() as AddressInfo).port, registry, authorizer, certDir: undefined, log }),
          { code: 'EADDRINUSE' },
        );
      } finally {
        taken.close();
      }
    });
  });

  describe('with a certificate from a directory (tls.crt, tls.key)', () => {
    /** A fresh directory (removed after the test) holding a first key pair as tls.crt and tls.key. */
    async function directoryWithPair(): Promise<{ certDir: string; first: Awaited<ReturnType<typeof keyPair>> }> {
      const certDir = mkdtempSync(join(tmpdir(), 'metrics-certs-'));
      dir = certDir;
      const first = await keyPair('localhost');
      writeFileSync(join(certDir, 'tls.crt'), first.cert);
      writeFileSync(join(certDir, 'tls.key'), first.key);
      return { certDir, first };
    }

    it('presents that certificate, which a client trusting it verifies', async () => {
      const { certDir, first } = await directoryWithPair();
      server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, authorizer, certDir, log });
      const answer = await get(port(), '/metrics', { authorization: 'Bearer t0ken' }, first.cert);
      assert.equal(answer.status, 200);
      assert.equal(answer.fingerprint, new X509Certificate(first.cert).fingerprint256);
    });

    it('presents a renewed certificate once the files change, and keeps the old one while they do not match', async () => {
      const { certDir, first } = await directoryWithPair();
      const renewed = await keyPair('localhost');
      server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, authorizer, certDir, log, certReloadMs: 20 });
      // Half-written: the new certificate beside the old key. The server goes on with the old pair.
      writeFileSync(join(certDir, 'tls.crt'), renewed.cert);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await get(port(), '/metrics', {}, first.cert)).fingerprint, new X509Certificate(first.cert).fingerprint256);
      writeFileSync(join(certDir, 'tls.key'), renewed.key);
      await waitFor('the renewed certificate', async () => (await get(port(), '/metrics')).fingerprint === new X509Certificate(renewed.cert).fingerprint256, 5_000, 20);
    });

    it('logs a renewed pair once, with the directory; a half-written pair as a warning; files unchanged not at all', async () => {
      const { certDir } = await directoryWithPair();
      const renewed = await keyPair('localhost');
      server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, authorizer, certDir, log, certReloadMs: 20 });
      // Only this directory's entries: a reload of the previous test's server, in flight when it closed, may still log.
      const own = () => entries.filter((e) => e.certDir === certDir);
      // Unchanged files for several reloads: nothing to load, nothing logged.
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(own().length, 0, 'nothing logged while the files are unchanged');
      writeFileSync(join(certDir, 'tls.crt'), renewed.cert);
      await waitFor('the warning about the half-written pair', () => Promise.resolve(own().length > 0), 5_000, 20);
      assert.deepEqual(Object.keys(own()[0] ?? {}).sort(), ['certDir', 'error', 'level', 'message']);
      assert.deepEqual([own()[0]?.level, own()[0]?.message, own()[0]?.certDir], ['warn', 'Could not load the metrics certificate again; serving the one loaded before', certDir]);
      assert.match(String(own()[0]?.error), /key values mismatch/);
      writeFileSync(join(certDir, 'tls.key'), renewed.key);
      await waitFor('the renewed pair loaded', () => Promise.resolve(own().some((e) => e.level === 'info')), 5_000, 20);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(own().filter((e) => e.level === 'info'), [{ level: 'info', message: 'Loaded a renewed metrics certificate', certDir }]);
    });

    it('warns of a new key beside the old certificate too, and keeps serving', async () => {
      const { certDir, first } = await directoryWithPair();
      const renewed = await keyPair('localhost');
      server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, authorizer, certDir, log, certReloadMs: 20 });
      writeFileSync(join(certDir, 'tls.key'), renewed.key);
      const own = () => entries.filter((e) => e.certDir === certDir);
      await waitFor('the warning about the half-written pair', () => Promise.resolve(own().length > 0), 5_000, 20);
      assert.deepEqual([own()[0]?.level, own()[0]?.message], ['warn', 'Could not load the metrics certificate again; serving the one loaded before']);
      assert.equal((await get(port(), '/metrics', {}, first.cert)).fingerprint, new X509Certificate(first.cert).fingerprint256);
    });

    it('keeps no timer alive for the reloads (the process may exit) and reads no more once closed', async () => {
      const { certDir } = await directoryWithPair();
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const before = timers();
      const closing = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, authorizer, certDir, log, certReloadMs: 20 });
      assert.equal(timers(), before);
      await new Promise<void>((resolve) => closing.close(() => resolve()));
      // Files gone: a reload still running would warn that it cannot read them.
      rmSync(join(certDir, 'tls.crt'));
      await new Promise((r) => setTimeout(r, 100));
      // (A reload of the previous test's server, in flight when it closed, may still log: only this directory counts.)
      assert.deepEqual(entries.filter((e) => e.certDir === certDir), []);
    });

    it('refuses to start without the files, rather than serve without them', async () => {
      dir = mkdtempSync(join(tmpdir(), 'metrics-certs-'));
      await assert.rejects(startMetricsServer({ host: '127.0.0.1', port: 0, registry, authorizer, certDir: dir, log }), /ENOENT.*tls\.(crt|key)/);
    });
  });
});
