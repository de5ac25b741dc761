import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mock } from 'node:test';
import { ApiException, KubeConfig, type V1Lease, type V1LeaseSpec, type V1MicroTime } from '@kubernetes/client-node';
import winston, { type Logger } from 'winston';
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

// The Lease logic against an in-memory Lease API (the CoordinationV1Api the elector makes from its KubeConfig) on a
// mocked clock: Date and setTimeout are node:test's MockTimers, so each retry period, renew deadline and lease
// duration is a tick of exactly that many milliseconds, and each expectation is a value or an order, not a wall time.
const T0 = Date.parse('2026-03-04T05:06:07.890Z');
/** The MicroTime text the elector writes for T0 + ms (six fractional digits). */
const micro = (ms: number): V1MicroTime => new Date(T0 + ms).toISOString().replace('Z', '000Z') as unknown as V1MicroTime;

type Happening = string;

/** An in-memory namespaced Lease store with the apiserver's answers: 404 when absent, 409 on a stale resourceVersion. */
class FakeLeaseApi {
  lease: V1Lease | undefined;
  private version = 0;
  /** Each call fails with this error (or, for 'hang', never answers) while set. */
  failure: Error | 'hang' | undefined;
  /** The next replace fails with a 409, as when another candidate wrote first. */
  conflictOnce = false;
  /** While set, the next read waits for this promise. */
  gate: Promise<void> | undefined;

  constructor(private readonly happened: Happening[]) {}

  seed(spec: V1LeaseSpec): void {
    this.lease = { metadata: { name: 'lease', namespace: 'ops', resourceVersion: String(++this.version) }, spec };
  }

  async readNamespacedLease({ namespace, name }: { namespace: string; name: string }): Promise<V1Lease> {
    this.happened.push(`read ${namespace}/${name}`);
    if (this.gate) await this.gate;
    await this.fail();
    if (!this.lease) throw new ApiException(404, 'Lease not found', { reason: 'NotFound' }, {});
    return structuredClone(this.lease);
  }

  async createNamespacedLease({ namespace, body }: { namespace: string; body: V1Lease }): Promise<V1Lease> {
    this.happened.push(`create ${namespace}/${body.metadata?.name}`);
    await this.fail();
    if (this.lease) throw new ApiException(409, 'Lease exists', { reason: 'AlreadyExists' }, {});
    this.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.version) } };
    return structuredClone(this.lease);
  }

  async replaceNamespacedLease({ namespace, name, body }: { namespace: string; name: string; body: V1Lease }): Promise<V1Lease> {
    this.happened.push(`replace ${namespace}/${name}`);
    await this.fail();
    if (this.conflictOnce || body.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) {
      this.conflictOnce = false;
      throw new ApiException(409, 'Conflict', { reason: 'Conflict' }, {});
    }
    this.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.version) } };
    return structuredClone(this.lease);
  }

  private fail(): Promise<void> {
    if (this.failure === 'hang') return new Promise<void>(() => undefined);
    return this.failure ? Promise.reject(this.failure) : Promise.resolve();
  }
}

/** Lets every promise chain that waits on no timer run to its end. */
const settle = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

async function advance(ms: number): Promise<void> {
  mock.timers.tick(ms);
  await settle();
}

describe('LeaderElector on a mocked clock', () => {
  let happened: Happening[];
  let logs: [string, string, Record<string, unknown>][];
  let api: FakeLeaseApi;
  let elector: LeaderElector | undefined;

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 });
    happened = [];
    logs = [];
    api = new FakeLeaseApi(happened);
    elector = undefined;
  });

  afterEach(async () => {
    // A hung attempt ends at its renew deadline; the hand-back then gets an answer.
    api.failure = undefined;
    const stopping = elector?.stop();
    mock.timers.tick(2_000);
    await settle();
    mock.timers.reset();
    await stopping;
  });

  /** An elector named ops/lease for "me": retry period 1 s, renew deadline 2 s, lease duration 15.5 s. */
  function startElector(): LeaderElector {
    const log = {
      info: (message: string, meta: Record<string, unknown>) => logs.push(['info', message, meta]),
      warn: (message: string, meta: Record<string, unknown>) => logs.push(['warn', message, meta]),
    } as unknown as Logger;
    elector = new LeaderElector({
      kubeConfig: { makeApiClient: () => api } as unknown as KubeConfig,
      namespace: 'ops',
      name: 'lease',
      identity: 'me',
      leaseDurationMs: 15_500,
      renewDeadlineMs: 2_000,
      retryPeriodMs: 1_000,
      log,
      onStartedLeading: () => void happened.push('started leading'),
      onStoppedLeading: () => void happened.push('stopped leading'),
    });
    elector.start();
    return elector;
  }

  it('creates an absent Lease holding it itself: duration rounded up to whole seconds, acquireTime = renewTime = now, 0 transitions', async () => {
    startElector();
    await settle();
    assert.deepEqual(api.lease, {
      metadata: { name: 'lease', namespace: 'ops', resourceVersion: '1' },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 16, renewTime: micro(0), acquireTime: micro(0), leaseTransitions: 0 },
    });
    assert.deepEqual(happened, ['read ops/lease', 'create ops/lease', 'started leading']);
    assert.deepEqual(logs, [['info', 'Became the leader', { lease: 'ops/lease' }]]);
  });

  it('renews its own Lease once per retry period: new renewTime, same acquireTime and transitions, onStartedLeading only once', async () => {
    startElector();
    await settle();
    await advance(999);
    assert.deepEqual(happened, ['read ops/lease', 'create ops/lease', 'started leading'], 'nothing before the retry period');
    await advance(1);
    await advance(1_000);
    assert.deepEqual(api.lease?.spec, { holderIdentity: 'me', leaseDurationSeconds: 16, renewTime: micro(2_000), acquireTime: micro(0), leaseTransitions: 0 });
    assert.deepEqual(happened, [
      'read ops/lease', 'create ops/lease', 'started leading',
      'read ops/lease', 'replace ops/lease',
      'read ops/lease', 'replace ops/lease',
    ]);
  });

  it('leaves alone a Lease whose holder keeps renewing it, however long past its duration', async () => {
    api.seed({ holderIdentity: 'other', leaseDurationSeconds: 3, renewTime: micro(0), acquireTime: micro(0), leaseTransitions: 4 });
    startElector();
    await settle();
    for (let s = 1; s <= 8; s++) {
      api.lease!.spec!.renewTime = micro(s * 1_000);
      await advance(1_000);
    }
    assert.deepEqual(happened, Array<string>(9).fill('read ops/lease'));
    assert.equal(api.lease?.spec?.holderIdentity, 'other');
  });

  it('takes over a Lease unrenewed for longer than its leaseDurationSeconds on its own clock: not at exactly 3 s, at 4 s; acquireTime now, transitions + 1', async () => {
    // The renewTime written is far in the past: only the time this replica has seen it unchanged counts.
    api.seed({ holderIdentity: 'other', leaseDurationSeconds: 3, renewTime: '2020-01-01T00:00:00.000000Z' as unknown as V1MicroTime, acquireTime: micro(-9_000), leaseTransitions: 4 });
    startElector();
    await settle();
    await advance(1_000);
    await advance(1_000);
    await advance(1_000);
    assert.deepEqual(happened, Array<string>(4).fill('read ops/lease'), 'no write up to exactly the lease duration');
    await advance(1_000);
    assert.deepEqual(happened.slice(4), ['read ops/lease', 'replace ops/lease', 'started leading']);
    assert.deepEqual(api.lease, {
      metadata: { name: 'lease', namespace: 'ops', resourceVersion: '2' },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 16, renewTime: micro(4_000), acquireTime: micro(4_000), leaseTransitions: 5 },
    });
    assert.deepEqual(logs, [['info', 'Became the leader', { lease: 'ops/lease' }]]);
  });

  it('waits the lease duration again when the holder changes, even with the same renewTime', async () => {
    api.seed({ holderIdentity: 'other', leaseDurationSeconds: 3, renewTime: micro(0), leaseTransitions: 4 });
    startElector();
    await settle();
    await advance(1_000);
    await advance(1_000);
    api.lease!.spec!.holderIdentity = 'third';
    for (let s = 3; s <= 6; s++) await advance(1_000);
    assert.deepEqual(happened, Array<string>(7).fill('read ops/lease'), 'the new holder, first seen at 3 s, counts as renewed then');
    await advance(1_000);
    assert.deepEqual(happened.slice(7), ['read ops/lease', 'replace ops/lease', 'started leading']);
  });

  it('takes a released Lease (no holder) over at once; a Lease with an empty spec counts as 0 transitions before', async () => {
    api.seed({});
    startElector();
    await settle();
    assert.deepEqual(api.lease?.spec, { holderIdentity: 'me', leaseDurationSeconds: 16, renewTime: micro(0), acquireTime: micro(0), leaseTransitions: 1 });
    assert.deepEqual(happened, ['read ops/lease', 'replace ops/lease', 'started leading']);
  });

  it('keeps the fields it does not own when it takes a released Lease over', async () => {
    api.seed({ holderIdentity: '', leaseDurationSeconds: 1, renewTime: micro(-5_000), acquireTime: micro(-60_000), leaseTransitions: 2, preferredHolder: 'me' });
    startElector();
    await settle();
    assert.deepEqual(api.lease?.spec, { holderIdentity: 'me', leaseDurationSeconds: 16, renewTime: micro(0), acquireTime: micro(0), leaseTransitions: 3, preferredHolder: 'me' });
  });

  it('stays a follower, logging nothing, when another candidate wins the takeover (409)', async () => {
    api.seed({ holderIdentity: '' });
    api.conflictOnce = true;
    startElector();
    await settle();
    assert.deepEqual(happened, ['read ops/lease', 'replace ops/lease']);
    assert.deepEqual(logs, []);
    await advance(1_000);
    assert.deepEqual(happened.slice(2), ['read ops/lease', 'replace ops/lease', 'started leading'], 'the next attempt takes it');
  });

  it('logs a failed attempt as a warning with the error and stays a follower', async () => {
    api.failure = new Error('etcdserver: request timed out');
    startElector();
    await settle();
    assert.deepEqual(happened, ['read ops/lease']);
    assert.deepEqual(logs, [['warn', 'Could not read or write the leader lease', { error: 'etcdserver: request timed out' }]]);
  });

  it('ends an attempt with no answer at the renew deadline (2 s), logged as "no answer within 2000 ms"', async () => {
    api.failure = 'hang';
    startElector();
    await settle();
    await advance(1_999);
    assert.deepEqual(logs, []);
    await advance(1);
    assert.deepEqual(logs, [['warn', 'Could not read or write the leader lease', { error: 'no answer within 2000 ms' }]]);
    await advance(999);
    assert.deepEqual(happened, ['read ops/lease'], 'the next attempt waits a retry period after the failed one');
    await advance(1);
    assert.deepEqual(happened, ['read ops/lease', 'read ops/lease']);
  });

  it('stops leading when renewals fail for longer than the renew deadline: not at exactly 2 s, at 3 s; leads again once one succeeds', async () => {
    startElector();
    await settle();
    api.failure = new Error('connection refused');
    await advance(1_000);
    await advance(1_000);
    assert.deepEqual(happened.filter((h) => h.endsWith('leading')), ['started leading'], 'still leading 2 s after the last renewal');
    await advance(1_000);
    assert.deepEqual(happened.filter((h) => h.endsWith('leading')), ['started leading', 'stopped leading']);
    assert.deepEqual(logs.at(-1), ['warn', 'Lost the leader lease; stopping work', { lease: 'ops/lease' }]);
    api.failure = undefined;
    await advance(1_000);
    assert.deepEqual(happened.filter((h) => h.endsWith('leading')), ['started leading', 'stopped leading', 'started leading']);
  });

  it('stop() while leading runs onStoppedLeading, then hands the Lease back (no holder, 1 s duration, renewTime now), without waiting a retry period', async () => {
    const leader = startElector();
    await settle();
    mock.timers.tick(500);
    await leader.stop();
    assert.deepEqual(happened, ['read ops/lease', 'create ops/lease', 'started leading', 'stopped leading', 'read ops/lease', 'replace ops/lease']);
    assert.deepEqual(api.lease?.spec, { holderIdentity: '', leaseDurationSeconds: 1, renewTime: micro(500), acquireTime: micro(0), leaseTransitions: 0 });
    assert.deepEqual(logs.at(-1), ['info', 'Released the leader lease', { lease: 'ops/lease' }]);
  });

  it('a second stop() neither runs onStoppedLeading again nor writes the Lease again', async () => {
    const leader = startElector();
    await settle();
    await leader.stop();
    await leader.stop();
    assert.deepEqual(happened, ['read ops/lease', 'create ops/lease', 'started leading', 'stopped leading', 'read ops/lease', 'replace ops/lease']);
  });

  it('logs a write the apiserver refuses with other than 409 as a warning, and stays a follower', async () => {
    api.seed({ holderIdentity: '' });
    const refusing = api.replaceNamespacedLease.bind(api);
    api.replaceNamespacedLease = (request) => {
      api.replaceNamespacedLease = refusing;
      happened.push(`replace ${request.namespace}/${request.name}`);
      return Promise.reject(new ApiException(422, 'Lease is invalid', {}, {}));
    };
    startElector();
    await settle();
    assert.deepEqual(happened, ['read ops/lease', 'replace ops/lease']);
    assert.deepEqual(logs, [['warn', 'Could not read or write the leader lease', { error: 'HTTP-Code: 422\nMessage: Lease is invalid\nBody: {}\nHeaders: {}' }]]);
  });

  it('stop() of a follower neither runs onStoppedLeading nor writes the Lease', async () => {
    api.seed({ holderIdentity: 'other', leaseDurationSeconds: 3, renewTime: micro(0) });
    const follower = startElector();
    await settle();
    await follower.stop();
    assert.deepEqual(happened, ['read ops/lease']);
  });

  it('stop() does not hand back a Lease someone else holds by then', async () => {
    const leader = startElector();
    await settle();
    api.lease!.spec!.holderIdentity = 'other';
    await leader.stop();
    assert.deepEqual(happened, ['read ops/lease', 'create ops/lease', 'started leading', 'stopped leading', 'read ops/lease']);
    assert.deepEqual(logs, [['info', 'Became the leader', { lease: 'ops/lease' }]]);
  });

  it('logs a failed hand-back as a warning: the Lease then expires on its own', async () => {
    const leader = startElector();
    await settle();
    api.failure = new Error('connection refused');
    await leader.stop();
    assert.deepEqual(logs.at(-1), ['warn', 'Could not release the leader lease; another replica takes over once it expires', { error: 'connection refused' }]);
  });

  it('stop() gives up a hand-back that gets no answer at the renew deadline (2 s), logged as "no answer within 2000 ms"', async () => {
    const leader = startElector();
    await settle();
    api.failure = 'hang';
    let done = false;
    const stopping = leader.stop().then(() => (done = true));
    await settle();
    await advance(1_999);
    assert.equal(done, false, 'still handing back before the deadline');
    await advance(1);
    await stopping;
    assert.deepEqual(logs.at(-1), ['warn', 'Could not release the leader lease; another replica takes over once it expires', { error: 'no answer within 2000 ms' }]);
  });

  it('stop() during an attempt that then wins the Lease does not start leading', async () => {
    let open!: () => void;
    api.gate = new Promise<void>((resolve) => (open = resolve));
    const candidate = startElector();
    await settle();
    const stopping = candidate.stop();
    api.gate = undefined;
    open();
    await stopping;
    assert.deepEqual(happened, ['read ops/lease', 'create ops/lease']);
  });
});

describe('LeaderElector, what it leaves behind and what it writes', () => {
  /** An elector named ops/lease for "me" on real timers: retry period and renew deadline 10 s, lease 15 s. */
  function realTimeElector(api: FakeLeaseApi, happened: Happening[]): LeaderElector {
    return new LeaderElector({
      kubeConfig: { makeApiClient: () => api } as unknown as KubeConfig,
      namespace: 'ops',
      name: 'lease',
      identity: 'me',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 10_000,
      log: winston.createLogger({ silent: true }),
      onStartedLeading: () => void happened.push('started leading'),
      onStoppedLeading: () => void happened.push('stopped leading'),
    });
  }

  it('creates the Lease only when the read answers 404: a read failing with 500 writes nothing', async () => {
    const happened: Happening[] = [];
    const api = new FakeLeaseApi(happened);
    api.failure = new ApiException(500, 'etcdserver: leader changed', { reason: 'InternalError' }, {});
    const elector = realTimeElector(api, happened);
    elector.start();
    await settle();
    await elector.stop();
    assert.deepEqual(happened, ['read ops/lease']);
    assert.equal(api.lease, undefined);
  });

  it('leaves no timer of its own once stop() has returned: neither the retry wait nor an attempt deadline keeps the process up', async () => {
    // Real timers, counted by Node itself: a stopped elector must not hold the process up for a retry period (10 s).
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    // Mocha starts the test's own timeout timer once the test has returned its promise.
    await settle();
    const before = timers();
    const happened: Happening[] = [];
    const elector = realTimeElector(new FakeLeaseApi(happened), happened);
    elector.start();
    await settle();
    assert.equal(timers(), before + 1, 'leading, it waits one retry period');
    await elector.stop();
    assert.deepEqual(happened, ['read ops/lease', 'create ops/lease', 'started leading', 'stopped leading', 'read ops/lease', 'replace ops/lease']);
    assert.equal(timers(), before);
  });
});
