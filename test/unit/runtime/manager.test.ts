// The manager with in-memory caches and runnables, real probe and metrics servers on free localhost ports, and (for
// leader election) a localhost apiserver stand-in that keeps one Lease: what starts and stops, in what order, and
// what a lost lease does.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import type { V1Lease } from '@kubernetes/client-node';
import { Manager, type Cache, type ManagerOptions, type Runnable } from '../../../src/runtime/manager.ts';
import { PrometheusMetrics } from '../../../src/runtime/metrics.ts';
import { answerJson, answerStatus, recordingLogger, startFakeApiserver, type FakeApiserver, type LogEntry } from '../../support/fake-apiserver.ts';
import { freePort, waitFor } from '../../support/processes.ts';

/** A cache whose start the test finishes (or at once, when told). */
class FakeCache implements Cache {
  hasSynced = false;
  private finish: (() => void) | undefined;

  constructor(
    private readonly name: string,
    private readonly happened: string[],
    private readonly syncsAtOnce: boolean,
  ) {}

  start(): Promise<void> {
    this.happened.push(`start cache ${this.name}`);
    if (this.syncsAtOnce) return Promise.resolve(this.synced());
    return new Promise((resolve) => (this.finish = () => resolve(this.synced())));
  }

  sync(): void {
    assert.ok(this.finish, `cache ${this.name} started`);
    this.finish();
  }

  private synced(): void {
    this.hasSynced = true;
  }

  stop(): Promise<void> {
    this.happened.push(`stop cache ${this.name}`);
    return Promise.resolve();
  }
}

/** A leader runnable whose start takes a turn of the event loop, so that a second one started early shows. */
function runnable(name: string, happened: string[]): Runnable {
  return {
    start: async () => {
      happened.push(`start ${name}`);
      await new Promise((resolve) => setImmediate(resolve));
      happened.push(`started ${name}`);
    },
    stop: () => {
      happened.push(`stop ${name}`);
      return Promise.resolve();
    },
  };
}

/** An apiserver that keeps one Lease (create, read, replace), or fails every request while failing is set. */
async function leaseApiserver(): Promise<{ apiserver: FakeApiserver; lease: () => V1Lease | undefined; fail: () => void }> {
  let lease: V1Lease | undefined;
  let failing = false;
  const apiserver = await startFakeApiserver((request, res) => {
    if (failing) return answerStatus(res, 500, 'InternalError');
    if (request.method === 'GET') return lease ? answerJson(res, 200, lease) : answerStatus(res, 404, 'NotFound');
    lease = { ...(request.body as V1Lease), metadata: { ...(request.body as V1Lease).metadata, resourceVersion: String(apiserver.requests.length) } };
    answerJson(res, request.method === 'POST' ? 201 : 200, lease);
  });
  return { apiserver, lease: () => lease, fail: () => (failing = true) };
}

describe('Manager', function () {
  this.timeout(15_000);
  let happened: string[];
  let exits: number[];
  let entries: LogEntry[];
  let metrics: PrometheusMetrics;
  let probePort: number;
  let metricsPort: number;
  let apiserver: FakeApiserver;
  let manager: Manager | undefined;

  async function probe(path: string): Promise<number> {
    return (await fetch(`http://127.0.0.1:${probePort}${path}`)).status;
  }

  /** The status the metrics server answers a request without credentials. */
  function scrapeWithoutToken(): Promise<number> {
    return new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port: metricsPort, path: '/metrics', rejectUnauthorized: false, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
  }

  async function isLeaderGauge(): Promise<number | undefined> {
    const gauge = metrics.registry.getSingleMetric('leader_election_is_leader');
    return (await gauge?.get())?.values[0]?.value;
  }

  function makeManager(leaderElection: boolean): Manager {
    const recording = recordingLogger();
    entries = recording.entries;
    const options: ManagerOptions = {
      kubeConfig: apiserver.kubeConfig,
      log: recording.log,
      metrics,
      probeAddress: { host: '127.0.0.1', port: probePort },
      metricsAddress: { host: '127.0.0.1', port: metricsPort },
      metricsCertDir: undefined,
      leaderElection: { enabled: leaderElection, namespace: 'ops', name: 'lease', identity: 'me', leaseDurationMs: 3_000, renewDeadlineMs: 300, retryPeriodMs: 50 },
      exit: (code) => exits.push(code),
    };
    manager = new Manager(options);
    return manager;
  }

  beforeEach(async () => {
    happened = [];
    exits = [];
    metrics = new PrometheusMetrics();
    probePort = await freePort();
    metricsPort = await freePort();
  });

  afterEach(async () => {
    await manager?.stop();
    manager = undefined;
    await apiserver.close();
  });

  describe('without leader election', () => {
    beforeEach(async () => {
      apiserver = await startFakeApiserver((_request, res) => answerStatus(res, 500, 'InternalError'));
    });

    it('serves the probes and the metrics at its addresses, starts every cache, is ready only once all have synced, then starts the leader runnables one after another', async () => {
      const m = makeManager(false);
      const slow = new FakeCache('slow', happened, false);
      m.addCache(slow);
      m.addCache(new FakeCache('quick', happened, true));
      m.addLeaderRunnable(runnable('one', happened));
      m.addLeaderRunnable(runnable('two', happened));
      const started = m.start();
      await waitFor('both caches started', () => Promise.resolve(happened.length === 2), 5_000, 5);
      assert.equal(await probe('/healthz'), 200);
      assert.equal(await probe('/readyz'), 503);
      assert.equal(await scrapeWithoutToken(), 401);
      assert.deepEqual(happened, ['start cache slow', 'start cache quick']);
      slow.sync();
      await started;
      assert.equal(await probe('/readyz'), 200);
      assert.deepEqual(happened, ['start cache slow', 'start cache quick', 'start one', 'started one', 'start two', 'started two']);
      assert.deepEqual(exits, []);
    });

    it('stop stops the leader runnables, then the caches, then runs the cleanups in order and closes both servers; a second stop does nothing', async () => {
      const m = makeManager(false);
      m.addCache(new FakeCache('a', happened, true));
      m.addLeaderRunnable(runnable('one', happened));
      m.addLeaderRunnable(runnable('two', happened));
      m.onStop(() => happened.push('cleanup 1'));
      m.onStop(() => happened.push('cleanup 2'));
      await m.start();
      happened.length = 0;
      await m.stop();
      assert.deepEqual(happened, ['stop one', 'stop two', 'stop cache a', 'cleanup 1', 'cleanup 2']);
      await assert.rejects(probe('/healthz'));
      await assert.rejects(scrapeWithoutToken(), { code: 'ECONNREFUSED' });
      await m.stop();
      assert.deepEqual(happened, ['stop one', 'stop two', 'stop cache a', 'cleanup 1', 'cleanup 2']);
    });
  });

  describe('with leader election', () => {
    let leases: Awaited<ReturnType<typeof leaseApiserver>>;

    beforeEach(async () => {
      leases = await leaseApiserver();
      apiserver = leases.apiserver;
    });

    it('starts the caches at once but the leader runnables only once it holds the lease, with leader_election_is_leader 0 then 1', async () => {
      const m = makeManager(true);
      m.addCache(new FakeCache('a', happened, true));
      m.addLeaderRunnable(runnable('one', happened));
      assert.equal(await isLeaderGauge(), 0);
      await m.start();
      assert.equal(await probe('/readyz'), 200);
      await waitFor('the leader runnable started', () => Promise.resolve(happened.includes('started one')), 5_000, 5);
      assert.deepEqual(happened, ['start cache a', 'start one', 'started one']);
      assert.equal(leases.lease()?.spec?.holderIdentity, 'me');
      assert.equal(await isLeaderGauge(), 1);
    });

    it('on stop stops the leader runnables, hands the lease back and sets leader_election_is_leader to 0, without exiting', async () => {
      const m = makeManager(true);
      m.addCache(new FakeCache('a', happened, true));
      m.addLeaderRunnable(runnable('one', happened));
      await m.start();
      await waitFor('the leader runnable started', () => Promise.resolve(happened.includes('started one')), 5_000, 5);
      await m.stop();
      assert.deepEqual(happened, ['start cache a', 'start one', 'started one', 'stop one', 'stop cache a']);
      assert.equal(leases.lease()?.spec?.holderIdentity, '');
      assert.equal(await isLeaderGauge(), 0);
      assert.deepEqual(exits, []);
    });

    it('on a lost lease logs an error naming the lease and exits with code 1, stopping nothing in order', async () => {
      const m = makeManager(true);
      m.addCache(new FakeCache('a', happened, true));
      m.addLeaderRunnable(runnable('one', happened));
      await m.start();
      await waitFor('the leader runnable started', () => Promise.resolve(happened.includes('started one')), 5_000, 5);
      leases.fail();
      await waitFor('the exit', () => Promise.resolve(exits.length > 0), 5_000, 5);
      assert.deepEqual(exits, [1]);
      assert.deepEqual(
        entries.filter((e) => e.level === 'error'),
        [{ level: 'error', message: 'Lost the leader lease; exiting so that no reconcile outlives its leadership', lease: 'ops/lease' }],
      );
      assert.deepEqual(happened, ['start cache a', 'start one', 'started one']);
      assert.equal(await isLeaderGauge(), 0);
    });
  });
});
