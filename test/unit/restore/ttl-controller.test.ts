// The ttlSecondsAfterFinished controller over an in-memory cache and a recorded delete: what it deletes, when it
// asks to look again, and what it leaves alone (the decision itself is ttl-after-finished.test.ts's).
import assert from 'node:assert/strict';
import type { DynamoDBRestore } from '../../../src/api/dynamodb-restore.ts';
import { ttlController } from '../../../src/restore/ttl-controller.ts';
import type { Controller } from '../../../src/runtime/controller.ts';
import { PrometheusMetrics } from '../../../src/runtime/metrics.ts';
import { recordingLogger, type LogEntry } from '../../support/fake-apiserver.ts';
import { waitFor } from '../../support/processes.ts';

function restore(name: string, phase: 'Completed' | 'Restoring', completionTime: string | undefined, ttl: number): DynamoDBRestore {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, generation: 1, resourceVersion: '1' },
    spec: { targetTableName: 'team-a.t', source: { backup: { tableName: 'team-a.s', latest: true } }, ttlSecondsAfterFinished: ttl },
    status: { phase, ...(completionTime && { completionTime }) },
  };
}

describe('ttlController', () => {
  let metrics: PrometheusMetrics;
  let deleted: string[][];
  let entries: LogEntry[];
  let controller: Controller | undefined;

  /** controller_runtime_reconcile_total of the ttl controller, by result. */
  async function outcomes(): Promise<Record<string, number>> {
    const counter = await metrics.registry.getSingleMetric('controller_runtime_reconcile_total')?.get();
    return Object.fromEntries((counter?.values ?? []).filter((v) => v.labels.controller === 'dynamodbrestore-ttl').map((v) => [String(v.labels.result), v.value]));
  }

  async function reconciled(n: number): Promise<Record<string, number>> {
    await waitFor(`${n} reconcile(s)`, async () => Object.values(await outcomes()).reduce((a, b) => a + b, 0) >= n, 5_000, 5);
    return outcomes();
  }

  function start(cache: Record<string, DynamoDBRestore>): Controller {
    const recording = recordingLogger();
    entries = recording.entries;
    controller = ttlController({
      cached: (key) => cache[key],
      deleteRestore: (namespace, name, uid) => {
        deleted.push([namespace, name, uid]);
        return Promise.resolve();
      },
      log: recording.log,
      metrics,
    });
    controller.start();
    return controller;
  }

  beforeEach(() => {
    metrics = new PrometheusMetrics();
    deleted = [];
  });

  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
  });

  it('runs one reconcile at a time under the name dynamodbrestore-ttl', async () => {
    start({});
    const gauge = await metrics.registry.getSingleMetric('controller_runtime_max_concurrent_reconciles')?.get();
    assert.deepEqual(gauge?.values, [{ labels: { controller: 'dynamodbrestore-ttl' }, value: 1 }]);
  });

  it('deletes a restore whose ttlSecondsAfterFinished has passed, by namespace, name and uid, and logs why', async () => {
    start({ 'team-a/old': restore('old', 'Completed', '2026-01-01T00:00:00Z', 60) }).queue.add('team-a/old');
    assert.deepEqual(await reconciled(1), { success: 1 });
    assert.deepEqual(deleted, [['team-a', 'old', 'uid-old']]);
    const info = entries.filter((e) => e.level === 'info');
    assert.equal(info.length, 1);
    assert.equal(info[0]?.message, 'Deleting: ttlSecondsAfterFinished has passed since it finished');
    assert.equal(info[0]?.ttlSeconds, 60);
    assert.equal(info[0]?.completionTime, '2026-01-01T00:00:00Z');
    assert.equal(info[0]?.controller, 'dynamodbrestore-ttl');
    assert.equal(info[0]?.name, 'old');
  });

  it('asks to look again later for a restore whose time has not come, and deletes nothing', async () => {
    start({ 'team-a/fresh': restore('fresh', 'Completed', new Date().toISOString(), 3_600) }).queue.add('team-a/fresh');
    assert.deepEqual(await reconciled(1), { requeue_after: 1 });
    assert.deepEqual(deleted, []);
  });

  it('leaves alone a key no longer cached and a restore still running, asking for no other look', async () => {
    const c = start({ 'team-a/running': restore('running', 'Restoring', undefined, 0) });
    c.queue.add('team-a/gone');
    c.queue.add('team-a/running');
    assert.deepEqual(await reconciled(2), { success: 2 });
    assert.deepEqual(deleted, []);
    assert.deepEqual(entries.filter((e) => e.level !== 'debug'), []);
  });
});
