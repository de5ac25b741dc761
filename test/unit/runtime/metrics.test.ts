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
  describe('on a stubbed clock (performance.now)', () => {
    let clock = 0;
    beforeEach(() => {
      clock = 0;
      performance.now = () => clock;
    });
    afterEach(() => {
      // The stub is an own property over Performance.prototype.now; deleting it restores the real clock.
      Reflect.deleteProperty(performance, 'now');
    });

    it('times each wait from the first add of a key to its take and each piece of work from its take to its done, in seconds', async () => {
      const metrics = new PrometheusMetrics();
      const queue = metrics.workQueue('q');
      clock = 1_000;
      queue.added('a');
      clock = 1_500;
      queue.added('a'); // Still waiting: the wait counts from the first add, as client-go's addTimes keeps it.
      clock = 3_000;
      queue.taken('a'); // waited 2 s
      clock = 3_500;
      queue.added('b');
      queue.taken('b'); // waited 0 s
      clock = 4_000;
      assert.equal(await value(metrics, 'workqueue_unfinished_work_seconds{name="q",controller="q"}'), 1.5);
      assert.equal(await value(metrics, 'workqueue_longest_running_processor_seconds{name="q",controller="q"}'), 1);
      clock = 5_000;
      queue.done('a'); // worked 2 s
      clock = 6_000;
      queue.done('b'); // worked 2.5 s
      clock = 10_000;
      queue.added('a');
      clock = 10_500;
      queue.taken('a'); // waited 0.5 s: counted from this add, not the first one
      assert.equal(await value(metrics, 'workqueue_queue_duration_seconds_sum{name="q",controller="q"}'), 2.5);
      assert.equal(await value(metrics, 'workqueue_queue_duration_seconds_count{name="q",controller="q"}'), 3);
      assert.equal(await value(metrics, 'workqueue_work_duration_seconds_sum{name="q",controller="q"}'), 4.5);
      assert.equal(await value(metrics, 'workqueue_work_duration_seconds_count{name="q",controller="q"}'), 2);
    });
  });

  it('shows a new queue\'s adds and retries at 0, and a started controller\'s active workers and errors at 0, under their labels', async () => {
    const metrics = new PrometheusMetrics();
    metrics.workQueue('q');
    metrics.started('c', 4);
    const series = (await lines(metrics)).filter((l) => /^(workqueue_(adds|retries)_total|controller_runtime_(active_workers|reconcile_errors_total|max_concurrent_reconciles))[{ ]/.test(l));
    assert.deepEqual(series, [
      'controller_runtime_reconcile_errors_total{controller="c"} 0',
      'controller_runtime_max_concurrent_reconciles{controller="c"} 4',
      'controller_runtime_active_workers{controller="c"} 0',
      'workqueue_adds_total{name="q",controller="q"} 0',
      'workqueue_retries_total{name="q",controller="q"} 0',
    ]);
  });

  it('describes each metric with controller-runtime\'s help text and type', async () => {
    const metrics = new PrometheusMetrics();
    const described = (await lines(metrics)).filter((l) => /^# (HELP|TYPE) (controller_runtime|workqueue)_/.test(l));
    assert.deepEqual(described, [
      '# HELP controller_runtime_reconcile_total Total number of reconciliations per controller',
      '# TYPE controller_runtime_reconcile_total counter',
      '# HELP controller_runtime_reconcile_errors_total Total number of reconciliation errors per controller',
      '# TYPE controller_runtime_reconcile_errors_total counter',
      '# HELP controller_runtime_reconcile_time_seconds Length of time per reconciliation per controller',
      '# TYPE controller_runtime_reconcile_time_seconds histogram',
      '# HELP controller_runtime_max_concurrent_reconciles Maximum number of concurrent reconciles per controller',
      '# TYPE controller_runtime_max_concurrent_reconciles gauge',
      '# HELP controller_runtime_active_workers Number of currently used workers per controller',
      '# TYPE controller_runtime_active_workers gauge',
      '# HELP workqueue_depth Current depth of workqueue',
      '# TYPE workqueue_depth gauge',
      '# HELP workqueue_adds_total Total number of adds handled by workqueue',
      '# TYPE workqueue_adds_total counter',
      '# HELP workqueue_queue_duration_seconds How long in seconds an item stays in workqueue before being requested',
      '# TYPE workqueue_queue_duration_seconds histogram',
      '# HELP workqueue_work_duration_seconds How long in seconds processing an item from workqueue takes.',
      '# TYPE workqueue_work_duration_seconds histogram',
      '# HELP workqueue_retries_total Total number of retries handled by workqueue',
      '# TYPE workqueue_retries_total counter',
      "# HELP workqueue_unfinished_work_seconds How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
      '# TYPE workqueue_unfinished_work_seconds gauge',
      '# HELP workqueue_longest_running_processor_seconds How many seconds has the longest running processor for workqueue been running.',
      '# TYPE workqueue_longest_running_processor_seconds gauge',
    ]);
  });
});
