import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import winston from 'winston';
import { LeaderElector } from '../../../src/runtime/leader-election.ts';

/** An apiserver that creates the Lease when asked, then, once told to, never answers again (its sockets stay open). */
function hangingApiserver(): { server: Server; hang: () => void } {
  let hanging = false;
  const server = createServer((req, res) => {
    if (hanging) return;
    if (req.method === 'GET') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  return { server, hang: () => (hanging = true) };
}

describe('LeaderElector', function () {
  // A guard, not a bound: without a deadline per attempt, the elector waits on the silent apiserver for ever.
  this.timeout(30_000);

  it('stops leading when its renewals get no answer at all: each attempt is bounded by the renew deadline', async () => {
    const { server, hang } = hangingApiserver();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const happened: string[] = [];
    let stopped!: () => void;
    const lost = new Promise<void>((resolve) => (stopped = resolve));
    const elector = new LeaderElector({
      kubeConfig,
      namespace: 'ops',
      name: 'lease',
      identity: 'me',
      leaseDurationMs: 3_000,
      renewDeadlineMs: 600,
      retryPeriodMs: 200,
      log: winston.createLogger({ silent: true }),
      onStartedLeading: () => {
        happened.push('started');
        // From now on the apiserver takes every request and answers none.
        hang();
      },
      onStoppedLeading: () => {
        happened.push('stopped');
        stopped();
      },
    });
    try {
      elector.start();
      await lost;
      assert.deepEqual(happened, ['started', 'stopped']);
    } finally {
      await elector.stop();
      server.closeAllConnections();
      server.close();
    }
  });
});
