// ResourceInformer against an in-memory list and a localhost watch endpoint: what it caches, which changes reach
// onKey and onObject, and how it recovers from a failed first list and a failed watch, and stops.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { KubernetesListObject, KubernetesObject, V1ObjectMeta } from '@kubernetes/client-node';
import { ResourceInformer } from '../../../src/runtime/informer.ts';
import { answerStatus, recordingLogger, startFakeApiserver, type FakeApiserver, type LogEntry } from '../../support/fake-apiserver.ts';
import { waitFor } from '../../support/processes.ts';

const PATH = '/apis/example.dev/v1/namespaces/ns/things';

interface Thing extends KubernetesObject {
  status?: { phase: string };
}

function thing(name: string, generation: number, resourceVersion: string, extra: Partial<V1ObjectMeta> = {}): Thing {
  return {
    apiVersion: 'example.dev/v1',
    kind: 'Thing',
    metadata: { name, namespace: 'ns', generation, resourceVersion, managedFields: [{ manager: 'kubectl', operation: 'Apply' }], ...extra },
  };
}

function thingList(resourceVersion: string, items: Thing[]): KubernetesListObject<Thing> {
  return { apiVersion: 'example.dev/v1', kind: 'ThingList', metadata: { resourceVersion }, items };
}

/** The watch endpoint: fails the next watches with the codes in failures, holds every other one open for events. */
class WatchEndpoint {
  readonly failures: number[] = [];
  readonly open: ServerResponse[] = [];
  apiserver!: FakeApiserver;

  async start(): Promise<void> {
    this.apiserver = await startFakeApiserver((_request, res) => {
      const code = this.failures.shift();
      if (code !== undefined) return answerStatus(res, code, 'InternalError');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      this.open.push(res);
    });
  }

  /** The resourceVersion each watch asked from, in order. */
  watchedFrom(): string[] {
    return this.apiserver.requests.map((r) => {
      const url = new URL(r.url, 'http://apiserver');
      assert.equal(url.pathname, PATH);
      assert.equal(url.searchParams.get('watch'), 'true');
      return url.searchParams.get('resourceVersion') ?? '';
    });
  }

  /** Ends the open watch as the apiserver does at its timeout: client-node watches again at once. */
  end(): void {
    this.open.pop()?.end();
  }

  send(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: Thing): void {
    const watch = this.open.at(-1);
    assert.ok(watch, 'a watch is open');
    watch.write(`${JSON.stringify({ type, object })}\n`);
  }
}

describe('ResourceInformer', function () {
  this.timeout(10_000);
  let endpoint: WatchEndpoint;
  let informer: ResourceInformer<Thing> | undefined;
  let happened: string[];
  let entries: LogEntry[];

  function makeInformer(list: () => Promise<KubernetesListObject<Thing>>, resyncPeriodMs = 3_600_000): ResourceInformer<Thing> {
    const recording = recordingLogger();
    entries = recording.entries;
    informer = new ResourceInformer<Thing>({
      kubeConfig: endpoint.apiserver.kubeConfig,
      path: PATH,
      list,
      onKey: (key) => happened.push(`key ${key}`),
      onObject: (obj) => happened.push(`object ${obj.metadata?.name} rv${obj.metadata?.resourceVersion}${obj.metadata?.managedFields ? ' with managedFields' : ''}`),
      log: recording.log,
      resyncPeriodMs,
    });
    return informer;
  }

  const watches = (n: number) => waitFor(`${n} watch request(s)`, () => Promise.resolve(endpoint.apiserver.requests.length >= n), 5_000, 5);
  const happenedCount = (n: number) => waitFor(`${n} callbacks`, () => Promise.resolve(happened.length >= n), 5_000, 5);
  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeEach(async () => {
    happened = [];
    endpoint = new WatchEndpoint();
    await endpoint.start();
  });

  afterEach(async () => {
    await informer?.stop();
    informer = undefined;
    await endpoint.apiserver.close();
  });

  it('has not synced before start; start lists, caches each object without its managedFields, wakes its key and watches from the list resourceVersion', async () => {
    const i = makeInformer(() => Promise.resolve(thingList('10', [thing('a', 1, '5')])));
    assert.equal(i.hasSynced, false);
    await i.start();
    assert.equal(i.hasSynced, true);
    assert.deepEqual(happened, ['object a rv5', 'key ns/a']);
    const cached: Thing = { apiVersion: 'example.dev/v1', kind: 'Thing', metadata: { name: 'a', namespace: 'ns', generation: 1, resourceVersion: '5' } };
    assert.deepEqual(i.get('ns/a'), cached);
    assert.equal(i.get('ns/b'), undefined);
    assert.deepEqual(i.list(), [cached]);
    await watches(1);
    assert.deepEqual(endpoint.watchedFrom(), ['10']);
  });

  it('wakes onKey on an add, a new generation, a deletion mark and a delete, not on a status-only change (before or after a new generation); onObject sees every change, managedFields dropped', async () => {
    const i = makeInformer(() => Promise.resolve(thingList('1', [])));
    await i.start();
    await watches(1);
    endpoint.send('ADDED', thing('a', 1, '2'));
    endpoint.send('MODIFIED', { ...thing('a', 1, '3'), status: { phase: 'Running' } });
    endpoint.send('MODIFIED', thing('a', 2, '4'));
    endpoint.send('MODIFIED', { ...thing('a', 2, '4b'), status: { phase: 'Restoring' } });
    endpoint.send('MODIFIED', thing('a', 2, '5', { deletionTimestamp: new Date('2026-12-05T08:00:00Z') }));
    endpoint.send('ADDED', thing('b', 7, '6'));
    endpoint.send('MODIFIED', { ...thing('b', 7, '7'), status: { phase: 'Running' } });
    endpoint.send('DELETED', { apiVersion: 'example.dev/v1', kind: 'Thing', metadata: { name: 'a', namespace: 'ns', generation: 2, resourceVersion: '8' } });
    await happenedCount(13);
    assert.deepEqual(happened, [
      'object a rv2',
      'key ns/a',
      'object a rv3',
      'object a rv4',
      'key ns/a',
      'object a rv4b',
      'object a rv5',
      'key ns/a',
      'object b rv6',
      'key ns/b',
      'object b rv7',
      'object a rv8',
      'key ns/a',
    ]);
    assert.equal(i.get('ns/a'), undefined);
    assert.deepEqual(i.get('ns/b'), { ...thing('b', 7, '7'), metadata: { name: 'b', namespace: 'ns', generation: 7, resourceVersion: '7' }, status: { phase: 'Running' } });
  });

  it('hands every cached key to onKey again each resync period, with no change in between', async () => {
    const i = makeInformer(() => Promise.resolve(thingList('10', [thing('a', 1, '5'), thing('b', 1, '6')])), 20);
    await i.start();
    await waitFor('two resyncs', () => Promise.resolve(happened.filter((h) => h.startsWith('key')).length >= 6), 5_000, 5);
    assert.deepEqual(happened.slice(0, 8), ['object a rv5', 'key ns/a', 'object b rv6', 'key ns/b', 'key ns/a', 'key ns/b', 'key ns/a', 'key ns/b']);
  });

  it('retries a failed first list after 500 ms, then 1 s, logging each failure, and syncs once a list succeeds', async () => {
    let lists = 0;
    const i = makeInformer(() => (++lists <= 2 ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6443')) : Promise.resolve(thingList('10', [thing('a', 1, '5')]))));
    await i.start();
    assert.equal(lists, 3);
    assert.equal(i.hasSynced, true);
    assert.deepEqual(happened, ['object a rv5', 'key ns/a']);
    assert.deepEqual(entries, [
      { level: 'warn', message: 'Initial list failed; retrying', path: PATH, error: 'connect ECONNREFUSED 127.0.0.1:6443', retryInMs: 500 },
      { level: 'warn', message: 'Initial list failed; retrying', path: PATH, error: 'connect ECONNREFUSED 127.0.0.1:6443', retryInMs: 1000 },
    ]);
  });

  it('restarts a watch the apiserver fails after the first sync: logs it with a backoff started afresh (500 ms), watches again from the same resourceVersion and wakes every cached key', async () => {
    let lists = 0;
    const i = makeInformer(() => (++lists === 1 ? Promise.reject(new Error('apiserver is starting')) : Promise.resolve(thingList('10', [thing('a', 1, '5')]))));
    await i.start();
    await watches(1);
    endpoint.failures.push(500);
    endpoint.end();
    await watches(3);
    await happenedCount(3);
    assert.deepEqual(endpoint.watchedFrom(), ['10', '10', '10']);
    assert.deepEqual(happened, ['object a rv5', 'key ns/a', 'key ns/a']);
    assert.deepEqual(entries, [
      { level: 'warn', message: 'Initial list failed; retrying', path: PATH, error: 'apiserver is starting', retryInMs: 500 },
      { level: 'warn', message: 'Watch failed; restarting it', path: PATH, error: 'Internal Server Error', retryInMs: 500 },
    ]);
  });

  it('after stop, neither resyncs nor restarts the watch it ended', async () => {
    const i = makeInformer(() => Promise.resolve(thingList('10', [thing('a', 1, '5')])), 20);
    await i.start();
    await watches(1);
    await i.stop();
    const before = happened.length;
    // Past several resync periods and the first restart delay (500 ms).
    await settle(700);
    assert.equal(happened.length, before);
    assert.equal(endpoint.apiserver.requests.length, 1);
    assert.deepEqual(entries, []);
  });

  it('stop cancels the restart of a failed watch that is waiting for its backoff', async () => {
    const i = makeInformer(() => Promise.resolve(thingList('10', [thing('a', 1, '5')])));
    await i.start();
    await watches(1);
    endpoint.failures.push(500);
    endpoint.end();
    await waitFor('the watch failure', () => Promise.resolve(entries.length === 1), 5_000, 5);
    await i.stop();
    // Past the restart delay (500 ms).
    await settle(700);
    assert.equal(endpoint.apiserver.requests.length, 2);
  });

  it('stop ends a start that is waiting to retry its first list: start resolves unsynced and lists no more', async () => {
    let lists = 0;
    const i = makeInformer(() => (++lists, Promise.reject(new Error('forbidden'))));
    const started = i.start();
    await waitFor('the first list', () => Promise.resolve(lists === 1 && entries.length === 1), 5_000, 5);
    await i.stop();
    await started;
    assert.equal(i.hasSynced, false);
    assert.equal(lists, 1);
  });
});
