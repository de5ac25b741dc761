import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import winston from 'winston';
import { Controller, type Reconcile } from '../../../src/runtime/controller.ts';
import type { ControllerMetrics, ReconcileOutcome, WorkQueueMetrics } from '../../../src/runtime/metrics.ts';

class RecordingMetrics implements ControllerMetrics {
  readonly reconciles: Array<{ controller: string; outcome: ReconcileOutcome; durationMs: number }> = [];
  readonly calls: string[] = [];
  workQueue(controller: string): WorkQueueMetrics {
    return {
      added: () => undefined,
      taken: () => undefined,
      done: () => undefined,
      retried: (key) => this.calls.push(`retried ${controller} ${key}`),
    };
  }
  started(controller: string, maxConcurrentReconciles: number): void {
    this.calls.push(`started ${controller} ${maxConcurrentReconciles}`);
  }
  reconciling(controller: string): void {
    this.calls.push(`reconciling ${controller}`);
  }
  reconciled(controller: string, outcome: ReconcileOutcome, durationMs: number): void {
    this.reconciles.push({ controller, outcome, durationMs });
  }
  outcomes(): ReconcileOutcome[] {
    return this.reconciles.map((r) => r.outcome);
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 1_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(1);
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Controller', () => {
  const log = winston.createLogger({ silent: true });
  let metrics: RecordingMetrics;
  let controller: Controller | undefined;

  function startController(reconcile: Reconcile, options: { concurrency?: number; backoffBaseMs?: number; backoffMaxMs?: number } = {}): Controller {
    controller = new Controller({ name: 'test', reconcile, log, metrics, concurrency: options.concurrency ?? 1, ...options });
    controller.start();
    return controller;
  }

  beforeEach(() => {
    metrics = new RecordingMetrics();
  });
  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
  });

  it('runs a reconcile again after the delay it asks for, and not before', async () => {
    const calls: number[] = [];
    const c = startController(() => {
      calls.push(Date.now());
      return Promise.resolve(calls.length === 1 ? { requeueAfterMs: 25 } : {});
    });
    c.queue.add('ns/a');
    await waitFor(() => calls.length === 2, 'the requeued reconcile');
    const [first, second] = calls as [number, number];
    assert.ok(second - first >= 24, `requeued after ${second - first} ms`);
    await sleep(40);
    assert.equal(calls.length, 2, 'a reconcile returning {} is not requeued');
    assert.deepEqual(metrics.outcomes(), ['requeue_after', 'success']);
  });

  it('retries a failing reconcile with exponential backoff until it succeeds', async () => {
    const calls: number[] = [];
    const c = startController(
      () => {
        calls.push(Date.now());
        return calls.length <= 3 ? Promise.reject(new Error('boom')) : Promise.resolve({});
      },
      { backoffBaseMs: 5, backoffMaxMs: 1_000 },
    );
    c.queue.add('ns/a');
    await waitFor(() => calls.length === 4, 'three retries');
    const gaps = calls.slice(1).map((t, i) => t - (calls[i] ?? t));
    [5, 10, 20].forEach((expected, i) => assert.ok((gaps[i] ?? 0) >= expected - 1, `gap ${i} was ${gaps[i]} ms, expected >= ${expected}`));
    await sleep(40);
    assert.equal(calls.length, 4, 'no retry after success');
    assert.deepEqual(metrics.outcomes(), ['error', 'error', 'error', 'success']);
  });

  it('starts the backoff over after a successful reconcile: the next failure is retried after the base delay', async () => {
    // fail, fail, succeed, then (after an add) fail, succeed
    const results = [false, false, true, false, true];
    const events: string[] = [];
    let calls = 0;
    const c = startController(
      () => {
        const ok = results[calls] ?? true;
        calls += 1;
        events.push(`reconcile ${calls}`);
        // As the second round fails, a marker timer 25 ms on: the retry (the base 10 ms again) is due before it,
        // where a backoff not started over (40 ms after three failures) would be due after. Timers fire in the order
        // they are due however busy the machine, so the test orders two events instead of timing one.
        if (calls === 4) setTimeout(() => events.push('marker'), 25);
        return ok ? Promise.resolve({}) : Promise.reject(new Error('boom'));
      },
      { backoffBaseMs: 10, backoffMaxMs: 10_000 },
    );
    c.queue.add('ns/a');
    await waitFor(() => calls === 3, 'the first success');
    c.queue.add('ns/a');
    await waitFor(() => events.includes('marker') && calls === 5, 'the retry and the marker');
    assert.deepEqual(events.slice(3), ['reconcile 4', 'reconcile 5', 'marker']);
  });

  it('never reconciles one key in two workers at once, even with many workers and repeated adds', async () => {
    const inFlight = new Map<string, number>();
    const maxInFlight = new Map<string, number>();
    let overall = 0;
    let maxOverall = 0;
    const calls: string[] = [];
    const c = startController(
      async (key) => {
        calls.push(key);
        inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
        maxInFlight.set(key, Math.max(maxInFlight.get(key) ?? 0, inFlight.get(key) ?? 0));
        maxOverall = Math.max(maxOverall, ++overall);
        await sleep(15);
        overall--;
        inFlight.set(key, (inFlight.get(key) ?? 0) - 1);
        return {};
      },
      { concurrency: 4 },
    );
    c.queue.add('ns/a');
    c.queue.add('ns/b');
    c.queue.add('ns/c');
    await waitFor(() => calls.length === 3, 'the first reconciles');
    for (let i = 0; i < 10; i++) c.queue.add('ns/a');
    await waitFor(() => calls.length === 4, 'the second reconcile of ns/a');
    await sleep(30);
    assert.ok(maxOverall >= 2, 'the workers do run in parallel, so the next assertion can fail');
    assert.equal(maxInFlight.get('ns/a'), 1);
    assert.equal(calls.filter((k) => k === 'ns/a').length, 2, 'the adds during the reconcile collapse into one more');
  });

  it('stop() waits for the reconcile in flight and takes no new keys', async () => {
    const release = deferred();
    const events: string[] = [];
    const c = startController(async (key) => {
      events.push(`start ${key}`);
      await release.promise;
      events.push(`end ${key}`);
      return {};
    });
    c.queue.add('ns/a');
    await waitFor(() => events.length === 1, 'the reconcile to start');

    let stopped = false;
    const stopping = c.stop().then(() => {
      stopped = true;
    });
    await sleep(10);
    assert.equal(stopped, false, 'stop() returned while a reconcile was in flight');
    c.queue.add('ns/b');
    release.resolve();
    await stopping;
    assert.deepEqual(events, ['start ns/a', 'end ns/a']);
  });

  it('stop() starts no reconcile for keys queued before it, and waits for the one in flight', async () => {
    const release = deferred();
    const started: string[] = [];
    const c = startController(async (key) => {
      started.push(key);
      await release.promise;
      return {};
    });
    c.queue.add('ns/a');
    c.queue.add('ns/b');
    await waitFor(() => started.length === 1, 'the first reconcile');
    const stopping = c.stop();
    release.resolve();
    await stopping;
    assert.deepEqual(started, ['ns/a']);
  });

  it('records success, requeue_after and error outcomes with the controller name, its workers, and the failed key as a retry', async () => {
    const c = startController(
      (key) => {
        if (key === 'ns/ok') return Promise.resolve({});
        if (key === 'ns/later') return Promise.resolve({ requeueAfterMs: 60_000 });
        return Promise.reject(new Error('boom'));
      },
      { concurrency: 3, backoffBaseMs: 60_000 },
    );
    c.queue.add('ns/ok');
    c.queue.add('ns/later');
    c.queue.add('ns/fail');
    await waitFor(() => metrics.reconciles.length === 3, 'three reconciles');
    assert.deepEqual(new Set(metrics.outcomes()), new Set(['success', 'requeue_after', 'error']));
    for (const r of metrics.reconciles) {
      assert.equal(r.controller, 'test');
      assert.ok(r.durationMs >= 0);
    }
    assert.deepEqual(metrics.calls.sort(), ['reconciling test', 'reconciling test', 'reconciling test', 'retried test ns/fail', 'started test 3']);
  });

  it('a reconcile that returns backoff is retried until it returns done, counted as requeue, with no error logged', async () => {
    const levels: string[] = [];
    const recording = winston.createLogger({
      level: 'debug',
      transports: [new winston.transports.Stream({ stream: new Writable({ objectMode: true, write: (entry: { level: string }, _enc, next) => (levels.push(entry.level), next()) }) })],
    });
    let calls = 0;
    controller = new Controller({
      name: 'test',
      log: recording,
      metrics,
      concurrency: 1,
      backoffBaseMs: 1,
      reconcile: () => Promise.resolve(++calls <= 2 ? { backoff: true as const } : {}),
    });
    controller.start();
    controller.queue.add('ns/a');
    await waitFor(() => calls === 3 && metrics.reconciles.length === 3, 'two retries and a success', 10_000);
    assert.deepEqual(metrics.outcomes(), ['requeue', 'requeue', 'success']);
    assert.ok(levels.length >= 2, 'the retries are logged (at debug)');
    assert.deepEqual(levels.filter((l) => l === 'error' || l === 'warn'), []);
  });

  it('passes each reconcile its key and a logger', async () => {
    const seen: string[] = [];
    const c = startController((key, reconcileLog) => {
      assert.equal(typeof reconcileLog.info, 'function');
      seen.push(key);
      return Promise.resolve({});
    });
    c.queue.add('team-a/music');
    await waitFor(() => seen.length === 1, 'the reconcile');
    assert.deepEqual(seen, ['team-a/music']);
  });
  describe('on a stubbed clock (performance.now)', () => {
    let clock = 0;
    beforeEach(() => {
      clock = 1_000;
      performance.now = () => clock;
    });
    afterEach(() => {
      // The stub is an own property over Performance.prototype.now; deleting it restores the real clock.
      Reflect.deleteProperty(performance, 'now');
    });

    it('logs through a child logger naming controller, namespace, name and a reconcile id; reports each outcome with its duration', async () => {
      const entries: Record<string, unknown>[] = [];
      const recording = winston.createLogger({
        level: 'debug',
        transports: [new winston.transports.Stream({ stream: new Writable({ objectMode: true, write: (entry: Record<string, unknown>, _enc, next) => (entries.push(Object.fromEntries(Object.entries(entry))), next()) }) })],
      });
      const took: Record<string, number> = { 'team-a/backoff': 250, 'team-a/fail': 500, 'team-a/ok': 125, 'team-a/later': 750 };
      const seen: string[] = [];
      controller = new Controller({
        name: 'restores',
        log: recording,
        metrics,
        concurrency: 1,
        backoffBaseMs: 60_000,
        reconcile: (key, reconcileLog) => {
          seen.push(key);
          reconcileLog.info('Reconciling');
          clock += took[key] ?? 0;
          if (key === 'team-a/backoff') return Promise.resolve({ backoff: true as const });
          if (key === 'team-a/fail') return Promise.reject(new Error('boom'));
          return Promise.resolve(key === 'team-a/later' ? { requeueAfterMs: 60_000 } : {});
        },
      });
      controller.start();
      for (const key of Object.keys(took)) controller.queue.add(key);
      await waitFor(() => metrics.reconciles.length === 4, 'four reconciles');
      assert.deepEqual(metrics.reconciles, [
        { controller: 'restores', outcome: 'requeue', durationMs: 250 },
        { controller: 'restores', outcome: 'error', durationMs: 500 },
        { controller: 'restores', outcome: 'success', durationMs: 125 },
        { controller: 'restores', outcome: 'requeue_after', durationMs: 750 },
      ]);
      const ids = entries.map((e) => e.reconcileId);
      for (const id of ids) assert.match(String(id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(new Set(ids).size, 4, 'one reconcile id per reconcile');
      assert.deepEqual(
        entries.map(({ reconcileId: _id, ...rest }) => rest),
        [
          { level: 'info', message: 'Reconciling', controller: 'restores', namespace: 'team-a', name: 'backoff' },
          { level: 'debug', message: 'Retrying with backoff', controller: 'restores', namespace: 'team-a', name: 'backoff', retryInMs: 60_000 },
          { level: 'info', message: 'Reconciling', controller: 'restores', namespace: 'team-a', name: 'fail' },
          { level: 'error', message: 'Reconcile failed; retrying with backoff', controller: 'restores', namespace: 'team-a', name: 'fail', error: 'boom', retryInMs: 60_000 },
          { level: 'info', message: 'Reconciling', controller: 'restores', namespace: 'team-a', name: 'ok' },
          { level: 'info', message: 'Reconciling', controller: 'restores', namespace: 'team-a', name: 'later' },
        ],
      );
    });
  });
});
