// The runtime's metrics read as controller-runtime's do: the same names and labels, counted at the points client-go's
// work queue counts them. Expected series are written out as Prometheus prints them.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import winston from 'winston';
import { Controller } from '../../../src/runtime/controller.ts';
import { PrometheusMetrics } from '../../../src/runtime/metrics.ts';
import { WorkQueue } from '../../../src/runtime/work-queue.ts';

const log = winston.createLogger({ silent: true });

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 1_000) throw new Error(`Timed out waiting for ${what}`);
    await sleep(1);
  }
}

const lines = async (metrics: PrometheusMetrics) => (await metrics.registry.metrics()).split('\n');
/** The value of one series, by its name and labels exactly as printed. */
const value = async (metrics: PrometheusMetrics, series: string) => {
  const line = (await lines(metrics)).find((l) => l.startsWith(`${series} `));
  assert.ok(line, `no series ${series}`);
  return Number(line.slice(series.length + 1));
};

describe('PrometheusMetrics (controller-runtime names)', () => {
  it('counts a success, a requeue_after and an error under controller_runtime_* and workqueue_* with name and controller labels', async () => {
    const metrics = new PrometheusMetrics();
    const reconciled: string[] = [];
    const controller = new Controller({
      name: 'restores',
      concurrency: 2,
      log,
      metrics,
      backoffBaseMs: 60_000,
      reconcile: (key) => {
        reconciled.push(key);
        if (key === 'ns/later') return Promise.resolve({ requeueAfterMs: 60_000 });
        if (key === 'ns/fail') return Promise.reject(new Error('boom'));
        return Promise.resolve({});
      },
    });
    controller.start();
    for (const key of ['ns/ok', 'ns/later', 'ns/fail']) controller.queue.add(key);
    await waitFor(() => reconciled.length === 3, 'three reconciles');
    await controller.stop();

    const text = await lines(metrics);
    for (const series of [
      'controller_runtime_reconcile_total{controller="restores",result="success"} 1',
      'controller_runtime_reconcile_total{controller="restores",result="requeue_after"} 1',
      'controller_runtime_reconcile_total{controller="restores",result="error"} 1',
      'controller_runtime_reconcile_errors_total{controller="restores"} 1',
      'controller_runtime_reconcile_time_seconds_count{controller="restores"} 3',
      'controller_runtime_max_concurrent_reconciles{controller="restores"} 2',
      'controller_runtime_active_workers{controller="restores"} 0',
      'workqueue_depth{name="restores",controller="restores"} 0',
      'workqueue_adds_total{name="restores",controller="restores"} 3',
      'workqueue_retries_total{name="restores",controller="restores"} 1',
      'workqueue_queue_duration_seconds_count{name="restores",controller="restores"} 3',
      'workqueue_work_duration_seconds_count{name="restores",controller="restores"} 3',
      'workqueue_unfinished_work_seconds{name="restores",controller="restores"} 0',
      'workqueue_longest_running_processor_seconds{name="restores",controller="restores"} 0',
    ]) {
      assert.ok(text.includes(series), series);
    }
    // controller-runtime's buckets: reconcile time up to 60 s, queue times 10 ns to 1000 s.
    assert.ok(text.includes('controller_runtime_reconcile_time_seconds_bucket{le="60",controller="restores"} 3'));
    assert.ok(text.includes('workqueue_queue_duration_seconds_bucket{le="1e-8",name="restores",controller="restores"} 0'));
    assert.ok(text.includes('workqueue_queue_duration_seconds_bucket{le="1000",name="restores",controller="restores"} 3'));
    // The old names are gone, not duplicated.
    assert.deepEqual(text.filter((l) => /^controller_(reconcile|queue)/.test(l)), []);
  });

  it('counts adds as client-go does: a duplicate of a queued key is no add; a key added while it is processed is one, and waits in the depth', async () => {
    const metrics = new PrometheusMetrics();
    const queue = new WorkQueue(metrics.workQueue('q'));
    queue.add('a');
    queue.add('a');
    assert.equal(await value(metrics, 'workqueue_adds_total{name="q",controller="q"}'), 1);
    assert.equal(await value(metrics, 'workqueue_depth{name="q",controller="q"}'), 1);
    assert.equal(await queue.get(), 'a');
    assert.equal(await value(metrics, 'workqueue_depth{name="q",controller="q"}'), 0);
    queue.add('a');
    assert.equal(await value(metrics, 'workqueue_adds_total{name="q",controller="q"}'), 2);
    assert.equal(await value(metrics, 'workqueue_depth{name="q",controller="q"}'), 1);
    queue.done('a');
    assert.equal(await queue.get(), 'a');
    queue.done('a');
    assert.equal(await value(metrics, 'workqueue_depth{name="q",controller="q"}'), 0);
    assert.equal(await value(metrics, 'workqueue_work_duration_seconds_count{name="q",controller="q"}'), 2);
  });

  it('reports a key still being worked on in workqueue_unfinished_work_seconds and _longest_running_processor_seconds until it is done', async () => {
    const metrics = new PrometheusMetrics();
    const queue = new WorkQueue(metrics.workQueue('q'));
    queue.add('slow');
    await queue.get();
    await sleep(5);
    assert.ok((await value(metrics, 'workqueue_unfinished_work_seconds{name="q",controller="q"}')) > 0);
    assert.ok((await value(metrics, 'workqueue_longest_running_processor_seconds{name="q",controller="q"}')) > 0);
    queue.done('slow');
    assert.equal(await value(metrics, 'workqueue_unfinished_work_seconds{name="q",controller="q"}'), 0);
    assert.equal(await value(metrics, 'workqueue_longest_running_processor_seconds{name="q",controller="q"}'), 0);
  });

  it('starts a new queue of the same controller (a new leadership term) at depth 0', async () => {
    const metrics = new PrometheusMetrics();
    new WorkQueue(metrics.workQueue('q')).add('left-behind');
    assert.equal(await value(metrics, 'workqueue_depth{name="q",controller="q"}'), 1);
    new WorkQueue(metrics.workQueue('q'));
    assert.equal(await value(metrics, 'workqueue_depth{name="q",controller="q"}'), 0);
  });
});
