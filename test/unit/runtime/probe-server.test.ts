// The kubelet's probes against a real probe server on a free localhost port.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startProbeServer } from '../../../src/runtime/probe-server.ts';

describe('startProbeServer', () => {
  let server: Server | undefined;
  let ready: boolean;

  async function probe(path: string): Promise<[number, string | null, string]> {
    const { port } = server?.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return [res.status, res.headers.get('content-type'), await res.text()];
  }

  beforeEach(async () => {
    ready = false;
    server = await startProbeServer({ host: '127.0.0.1', port: 0, ready: () => ready });
  });

  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('listens on the host it is given', () => {
    assert.equal((server?.address() as AddressInfo).address, '127.0.0.1');
  });

  it('answers /healthz 200 ok in plain text, its query ignored, whether or not the caches synced', async () => {
    assert.deepEqual(await probe('/healthz'), [200, 'text/plain', 'ok']);
    assert.deepEqual(await probe('/healthz?verbose=1'), [200, 'text/plain', 'ok']);
  });

  it('answers /readyz 503 "caches not synced" until ready() is true, then 200 ok', async () => {
    assert.deepEqual(await probe('/readyz'), [503, 'text/plain', 'caches not synced']);
    ready = true;
    assert.deepEqual(await probe('/readyz?verbose'), [200, 'text/plain', 'ok']);
  });

  it('answers any other path 404 with an empty body', async () => {
    assert.deepEqual(await probe('/metrics'), [404, null, '']);
    assert.deepEqual(await probe('/'), [404, null, '']);
  });

  it('rejects when its port is taken', async () => {
    const { port } = server?.address() as AddressInfo;
    await assert.rejects(startProbeServer({ host: '127.0.0.1', port, ready: () => true }), { code: 'EADDRINUSE' });
  });
});
