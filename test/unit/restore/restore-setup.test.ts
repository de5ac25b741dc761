// The restore controller wired into a real manager (no leader election, probe and metrics servers on free localhost
// ports) against a localhost apiserver stand-in: what it lists and watches, what its controllers do to cached
// restores that need no AWS call, and what it hands other controllers. pollFloorMs, its one computation, too.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { EventsV1Event } from '@kubernetes/client-node';
import type { DynamoDBRestore } from '../../../src/api/dynamodb-restore.ts';
import type { Config } from '../../../src/config.ts';
import { pollFloorMs, setupRestoreController, type Restores } from '../../../src/restore/restore-setup.ts';
import { Manager } from '../../../src/runtime/manager.ts';
import { PrometheusMetrics } from '../../../src/runtime/metrics.ts';
import { answerJson, recordingLogger, startFakeApiserver, type FakeApiserver, type RecordedRequest } from '../../support/fake-apiserver.ts';
import { freePort, waitFor } from '../../support/processes.ts';

const API = '/apis/dynamodb.restore.dev/v1alpha1';

function restore(namespace: string, name: string, extra: { ttl?: number; status?: DynamoDBRestore['status'] } = {}): DynamoDBRestore {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { name, namespace, uid: `uid-${name}`, generation: 1, resourceVersion: '3' },
    spec: { targetTableName: `${name}-copy`, source: { backup: { tableName: name, latest: true } }, ...(extra.ttl !== undefined && { ttlSecondsAfterFinished: extra.ttl }) },
    ...(extra.status && { status: extra.status }),
  };
}

/** Finished long ago, its spec acknowledged: a reconcile of it costs no AWS call and writes nothing. */
function finished(namespace: string, name: string, ttl?: number): DynamoDBRestore {
  return restore(namespace, name, { ttl, status: { phase: 'Completed', observedGeneration: 1, completionTime: '2026-01-01T00:00:00Z' } });
}

function config(watchNamespaces: string[], probePort: number, metricsPort: number): Config {
  return {
    watchNamespaces,
    defaultRegion: 'eu-west-1',
    clusterName: undefined,
    maxConcurrentReconciles: 3,
    resyncPeriodMs: 3_600_000,
    logLevel: 'debug',
    logFormat: 'json',
    probeAddress: { host: '127.0.0.1', port: probePort },
    metricsAddress: { host: '127.0.0.1', port: metricsPort },
    metricsCertDir: undefined,
    metricsNamespaceLabels: 50,
    pollMinMs: 2_000,
    pollMaxMs: 120_000,
    maxRestoresInProgress: 50,
    awsRateLimit: undefined,
    allowUngovernedNamespaces: false,
    scheduleMinIntervalMs: 900_000,
    leaderElection: { enabled: false, namespace: 'ops', name: 'lease', identity: 'operator-pod-1', leaseDurationMs: 8_000, renewDeadlineMs: 5_000, retryPeriodMs: 1_500 },
  };
}

describe('pollFloorMs', () => {
  it('is the restores in progress times 1000 over half the rate: 4 restores at 10 calls per second poll at most every 800 ms', () => {
    assert.equal(pollFloorMs(4, { perSecond: 10, burst: 10 }), 800);
  });

  it('is 0 without a rate limit', () => {
    assert.equal(pollFloorMs(4, undefined), 0);
  });
});

describe('setupRestoreController', function () {
  this.timeout(15_000);
  let apiserver: FakeApiserver;
  /** The restores each list of a namespace answers ('' is the cluster-wide list). */
  let listed: Record<string, DynamoDBRestore[]>;
  let watches: Map<string, ServerResponse>;
  let manager: Manager | undefined;
  let metrics: PrometheusMetrics;

  const pathOf = (r: RecordedRequest) => new URL(r.url, 'http://apiserver').pathname;
  const isWatch = (r: RecordedRequest) => new URL(r.url, 'http://apiserver').searchParams.get('watch') === 'true';
  const sent = (method: string) => apiserver.requests.filter((r) => r.method === method && !isWatch(r));

  async function start(watchNamespaces: string[]): Promise<Restores> {
    const recording = recordingLogger();
    const cfg = config(watchNamespaces, await freePort(), await freePort());
    manager = new Manager({ kubeConfig: apiserver.kubeConfig, log: recording.log, metrics, probeAddress: cfg.probeAddress, metricsAddress: cfg.metricsAddress, metricsCertDir: undefined, leaderElection: cfg.leaderElection, exit: () => assert.fail('exit') });
    const restores = setupRestoreController(manager, { config: cfg, kubeConfig: apiserver.kubeConfig, log: recording.log, metrics });
    await manager.start();
    return restores;
  }

  /** workqueue_adds_total of one controller's queue. */
  async function queueAdds(name: string): Promise<number> {
    const adds = await metrics.registry.getSingleMetric('workqueue_adds_total')?.get();
    return adds?.values.find((v) => v.labels.name === name)?.value ?? 0;
  }

  function send(path: string, type: 'MODIFIED', object: DynamoDBRestore): void {
    const watch = watches.get(path);
    assert.ok(watch, `a watch of ${path}`);
    watch.write(`${JSON.stringify({ type, object })}\n`);
  }

  beforeEach(async () => {
    listed = {};
    watches = new Map();
    metrics = new PrometheusMetrics();
    apiserver = await startFakeApiserver((request, res) => {
      const path = pathOf(request);
      if (isWatch(request)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        watches.set(path, res);
        return;
      }
      if (request.method === 'GET') {
        const namespace = /\/namespaces\/([^/]+)\//.exec(path)?.[1] ?? '';
        const items = path.endsWith('/dynamodbrestores') ? (listed[namespace] ?? []) : [];
        return answerJson(res, 200, { apiVersion: 'dynamodb.restore.dev/v1alpha1', kind: 'List', metadata: { resourceVersion: '10' }, items });
      }
      if (request.method === 'DELETE') return answerJson(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
      if (request.method === 'PATCH') {
        // Only the finalizer patch: the listed object with the finalizer it adds.
        const name = path.split('/').at(-1);
        const patched = Object.values(listed).flat().find((r) => r.metadata.name === name) as DynamoDBRestore;
        return answerJson(res, 200, { ...patched, metadata: { ...patched.metadata, finalizers: ['dynamodb.restore.dev/finalizer'], resourceVersion: '12' } });
      }
      // A create or a status write: answered with what was sent.
      answerJson(res, request.method === 'POST' ? 201 : 200, request.body);
    });
  });

  afterEach(async () => {
    await manager?.stop();
    manager = undefined;
    await apiserver.close();
  });

  it('lists and watches the restores of each watched namespace and the policies of the whole cluster', async () => {
    await start(['team-a', 'team-b']);
    await waitFor('three watches', () => Promise.resolve(watches.size === 3), 5_000, 5);
    const expected = [`${API}/dynamodbrestorepolicies`, `${API}/namespaces/team-a/dynamodbrestores`, `${API}/namespaces/team-b/dynamodbrestores`];
    assert.deepEqual(sent('GET').map(pathOf).sort(), expected);
    assert.deepEqual([...watches.keys()].sort(), expected);
  });

  it('lists and watches the restores of the whole cluster when no namespace is named, and finds a restore of any namespace in that cache', async () => {
    listed = { '': [finished('team-c', 'expired', 0)] };
    await start([]);
    await waitFor('two watches', () => Promise.resolve(watches.size === 2), 5_000, 5);
    assert.deepEqual(sent('GET').map(pathOf).sort(), [`${API}/dynamodbrestorepolicies`, `${API}/dynamodbrestores`]);
    // The ttl controller reads the restore from the cache by its key, team-c/expired.
    await waitFor('the delete', () => Promise.resolve(sent('DELETE').length >= 1), 5_000, 5);
    assert.equal(pathOf(sent('DELETE')[0] as RecordedRequest), `${API}/namespaces/team-c/dynamodbrestores/expired`);
  });

  it('runs the restore controller (3 at once, from the config) and the ttl controller (1 at once) on the leader', async () => {
    await start(['team-a']);
    const gauge = await metrics.registry.getSingleMetric('controller_runtime_max_concurrent_reconciles')?.get();
    assert.deepEqual(gauge?.values.map((v) => [v.labels.controller, v.value]).sort(), [
      ['dynamodbrestore', 3],
      ['dynamodbrestore-ttl', 1],
    ]);
  });

  it('hands every cached restore, across the namespace caches, to cached(), and the restores client', async () => {
    listed = { 'team-a': [finished('team-a', 'one')], 'team-b': [finished('team-b', 'two')] };
    const restores = await start(['team-a', 'team-b']);
    assert.deepEqual(restores.cached().map((r) => r.metadata.name).sort(), ['one', 'two']);
    assert.equal(restores.client.path('team-a'), `${API}/namespaces/team-a/dynamodbrestores`);
  });

  it('once leading, deletes each cached finished restore whose ttl has passed (uid precondition), in any watched namespace, and no other', async () => {
    listed = { 'team-a': [finished('team-a', 'expired-a', 60), finished('team-a', 'kept')], 'team-b': [finished('team-b', 'expired-b', 0)] };
    await start(['team-a', 'team-b']);
    const deletes = () => sent('DELETE').map((r) => [pathOf(r), r.body]).sort();
    await waitFor('two deletes', () => Promise.resolve(deletes().length >= 2), 5_000, 5);
    assert.deepEqual(deletes(), [
      [`${API}/namespaces/team-a/dynamodbrestores/expired-a`, { preconditions: { uid: 'uid-expired-a' }, propagationPolicy: 'Background' }],
      [`${API}/namespaces/team-b/dynamodbrestores/expired-b`, { preconditions: { uid: 'uid-expired-b' }, propagationPolicy: 'Background' }],
    ]);
  });

  it('hands the ttl controller no restore without a ttl, neither from the cache on leading nor on its changes', async () => {
    listed = { 'team-a': [finished('team-a', 'kept')] };
    const restores = await start(['team-a']);
    const followed: string[] = [];
    restores.follow((r) => followed.push(`${r.metadata.name} rv${r.metadata.resourceVersion}`));
    await waitFor('the watch', () => Promise.resolve(watches.has(`${API}/namespaces/team-a/dynamodbrestores`)), 5_000, 5);
    send(`${API}/namespaces/team-a/dynamodbrestores`, 'MODIFIED', { ...finished('team-a', 'kept'), metadata: { ...finished('team-a', 'kept').metadata, resourceVersion: '11' } });
    await waitFor('the change followed', () => Promise.resolve(followed.includes('kept rv11')), 5_000, 5);
    // The restore controller's queue took it (listed, and again on leading); the ttl controller's took nothing.
    assert.equal(await queueAdds('dynamodbrestore'), 2);
    assert.equal(await queueAdds('dynamodbrestore-ttl'), 0);
  });

  it('once leading, reconciles a restore added after it leads (the watch wakes the restore controller)', async () => {
    const restores = await start(['team-a']);
    await waitFor('the watch', () => Promise.resolve(watches.has(`${API}/namespaces/team-a/dynamodbrestores`)), 5_000, 5);
    listed = { 'team-a': [restore('team-a', 'late')] };
    watches.get(`${API}/namespaces/team-a/dynamodbrestores`)?.write(`${JSON.stringify({ type: 'ADDED', object: restore('team-a', 'late') })}\n`);
    await waitFor('the finalizer patch', () => Promise.resolve(apiserver.requests.some((r) => r.method === 'PATCH')), 5_000, 5);
    assert.equal(pathOf(apiserver.requests.find((r) => r.method === 'PATCH') as RecordedRequest), `${API}/namespaces/team-a/dynamodbrestores/late`);
    assert.deepEqual(restores.cached().map((r) => r.metadata.name), ['late']);
  });

  it('hands each change of a cached restore, status too, to every follower, and a change that sets a ttl to the ttl controller', async () => {
    listed = { 'team-a': [finished('team-a', 'kept')] };
    const restores = await start(['team-a']);
    const followed: string[] = [];
    restores.follow((r) => followed.push(`first ${r.metadata.name} rv${r.metadata.resourceVersion}`));
    restores.follow((r) => followed.push(`second ${r.metadata.name} rv${r.metadata.resourceVersion}`));
    await waitFor('the watch', () => Promise.resolve(watches.has(`${API}/namespaces/team-a/dynamodbrestores`)), 5_000, 5);
    const withTtl = { ...finished('team-a', 'kept', 0), metadata: { ...finished('team-a', 'kept').metadata, resourceVersion: '11' } };
    send(`${API}/namespaces/team-a/dynamodbrestores`, 'MODIFIED', withTtl);
    await waitFor('the delete', () => Promise.resolve(sent('DELETE').length >= 1), 5_000, 5);
    assert.deepEqual(followed, ['first kept rv11', 'second kept rv11']);
    assert.equal(pathOf(sent('DELETE')[0] as RecordedRequest), `${API}/namespaces/team-a/dynamodbrestores/kept`);
  });

  it('once leading, reconciles a new restore: puts the finalizer on, then, with no policy and ungoverned namespaces not allowed, writes its refusal and records it as an event', async () => {
    listed = { 'team-a': [restore('team-a', 'fresh')] };
    await start(['team-a']);
    const writes = () => apiserver.requests.filter((r) => r.method !== 'GET');
    await waitFor('three writes', () => Promise.resolve(writes().length >= 3), 5_000, 5);
    const [patch, status, event] = writes();
    assert.deepEqual([patch?.method, patch && pathOf(patch), patch?.body], [
      'PATCH',
      `${API}/namespaces/team-a/dynamodbrestores/fresh`,
      [
        { op: 'test', path: '/metadata/finalizers', value: null },
        { op: 'add', path: '/metadata/finalizers', value: ['dynamodb.restore.dev/finalizer'] },
      ],
    ]);
    assert.deepEqual([status?.method, status && pathOf(status)], ['PUT', `${API}/namespaces/team-a/dynamodbrestores/fresh/status`]);
    const written = (status?.body as DynamoDBRestore).status;
    assert.deepEqual([written?.phase, written?.lastError?.code], ['Failed', 'PolicyRequired']);
    assert.deepEqual([event?.method, event && pathOf(event), (event?.body as EventsV1Event).reason], ['POST', '/apis/events.k8s.io/v1/namespaces/team-a/events', 'PolicyRequired']);
  });

  it('on leading, counts the slot a cached restore in progress holds (table CREATING) before granting any: slots in use 1 for its pool; its DescribeTable is counted by operation and result', async () => {
    // Its reconcile will look at its table: DynamoDB here is a closed local port, so the look fails at once.
    const env = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_MAX_ATTEMPTS: '1' });
    try {
      const inProgress = { phase: 'Restoring' as const, observedGeneration: 1, restoreRequestedAt: '2026-01-01T00:00:00Z', tableStatus: 'CREATING' };
      listed = { 'team-a': [restore('team-a', 'holder', { status: inProgress })] };
      await start(['team-a']);
      const inUse = await metrics.registry.getSingleMetric('dynamodb_restore_slots_in_use')?.get();
      assert.deepEqual(inUse?.values.map((v) => [v.labels.pool, v.value]), [['operator/eu-west-1', 1]], "the operator's own account (no spec.credentials) in the default Region");
      // Its look at the table is counted as an AWS call, by operation and result.
      const calls = async () => (await metrics.registry.getSingleMetric('dynamodb_restore_aws_calls_total')?.get())?.values ?? [];
      await waitFor('the DescribeTable call counted', async () => (await calls()).length > 0, 5_000, 5);
      assert.deepEqual((await calls()).map((v) => [v.labels.operation, v.labels.code]), [['DescribeTable', 'NetworkError']]);
    } finally {
      process.env = env;
    }
  });

  it('records events as the restore controller of this replica', async () => {
    const restores = await start(['team-a']);
    await restores.events.emit(finished('team-a', 'one'), 'Normal', 'Seen', 'seen');
    const event = sent('POST').find((r) => pathOf(r).endsWith('/events'))?.body as EventsV1Event;
    assert.equal(event.reportingController, 'dynamodb.restore.dev/restore-controller');
    assert.equal(event.reportingInstance, 'operator-pod-1');
  });
});
