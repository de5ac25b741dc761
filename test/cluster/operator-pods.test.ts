// The operator as pods on a real node, installed by `helm install` from the image built from the Dockerfile: how
// the kubelet runs them, what Pod Security admits, what they log, what the Service serves, a restore end to end,
// a leader pod deleted mid-restore, and readiness gated on synced caches. Runs under `make e2e-cluster` only.
import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CoordinationV1Api, CoreV1Api, RbacAuthorizationV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { dynamodbClient, MUSIC_ITEMS, musicBackup, Restores, scanItems, uniqueName } from '../support/restores.ts';
import { httpsGetText, OPERATOR_NAMESPACE } from '../support/testbed.ts';
import { waitFor } from '../support/processes.ts';
import { LEASE, onCluster, operatorRelease, type Release } from './support/release.ts';

describe('cluster: the operator as pods installed by helm', function () {
  this.timeout(240_000);
  let release: Release;
  let ddb: DynamoDBClient;
  let restores: Restores;
  const namespace = uniqueName('cluster-restores');

  before(async function () {
    if (!onCluster()) this.skip();
    release = await operatorRelease();
    ddb = dynamodbClient(release.bed);
    restores = new Restores(release.bed);
    await release.bed.createNamespace(namespace);
  });

  after(() => ddb?.destroy());

  const kubectl = (...args: string[]) => release.bed.kubectl(...args);
  const readyPods = async () =>
    (await release.pods()).filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

  it('runs two Ready replicas admitted by a namespace that enforces restricted Pod Security, which refuses a privileged pod', async () => {
    const pods = await readyPods();
    assert.equal(pods.length, 2);
    const labels = JSON.parse(await kubectl('get', 'namespace', OPERATOR_NAMESPACE, '-o', 'jsonpath={.metadata.labels}')) as Record<string, string>;
    assert.equal(labels['pod-security.kubernetes.io/enforce'], 'restricted');

    await assert.rejects(
      kubectl('run', 'privileged', '-n', OPERATOR_NAMESPACE, `--image=${process.env.CLUSTER_IMAGE ?? ''}`, '--privileged', '--dry-run=server'),
      /violates PodSecurity "restricted:latest": privileged/,
    );
  });

  it('runs the operator as UID and GID 65532 on a read-only root filesystem (id prints 65532; a write to / fails with EROFS)', async () => {
    const [pod] = await readyPods();
    const name = pod?.metadata?.name ?? '';
    assert.equal((await kubectl('exec', '-n', OPERATOR_NAMESPACE, name, '--', 'id', '-u')).trim(), '65532');
    assert.equal((await kubectl('exec', '-n', OPERATOR_NAMESPACE, name, '--', 'id', '-g')).trim(), '65532');
    await assert.rejects(kubectl('exec', '-n', OPERATOR_NAMESPACE, name, '--', 'touch', '/app/written'), /Read-only file system/);
  });

  it('logs one JSON object a line, each with level, message and timestamp, as kubectl logs shows them', async () => {
    const [pod] = await readyPods();
    const lines = (await kubectl('logs', '-n', OPERATOR_NAMESPACE, pod?.metadata?.name ?? '')).split('\n').filter(Boolean);
    assert.ok(lines.length > 0, 'the operator logged at start');
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.deepEqual([typeof entry.level, typeof entry.message, typeof entry.timestamp], ['string', 'string', 'string'], line);
    }
    assert.ok(lines.some((l) => (JSON.parse(l) as { message: string }).message === 'Started'), 'the start line is there');
  });

  it("restores the tutorial's Music table: the resource reaches Completed with the table ACTIVE, RestoreTableFromBackup called once", async () => {
    const table = uniqueName('Music');
    const backupArn = await musicBackup(ddb, table);
    await restores.create(namespace, 'music', { targetTableName: table, source: { backupArn } });
    const done = await restores.waitFor(namespace, 'music', 'to complete', (r) => r.status?.phase === 'Completed', 120_000);
    assert.equal(done.status?.tableStatus, 'ACTIVE');
    assert.deepEqual(release.bed.proxy.callsOf('RestoreTableFromBackup', table).map((c) => c.body), [{ TargetTableName: table, BackupArn: backupArn }]);
    const key = (i: unknown) => JSON.stringify(i);
    assert.deepEqual((await scanItems(ddb, table)).map(key).sort(), MUSIC_ITEMS.map(key).sort());
  });

  it("serves /metrics through the Service's ClusterIP (kube-proxy) to the scraper's token, with the leader's restore series", async () => {
    const ip = (await kubectl('get', 'service', '-n', OPERATOR_NAMESPACE, 'dynamodb-restore-operator-metrics', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    const token = await release.bed.metricsToken();
    // The Service balances connections over both replicas; the leader's answer carries leader_election_is_leader 1.
    // A connection each (no keep-alive), so each scrape may reach either pod.
    let leaderAnswer = '';
    await waitFor('a scrape answered by the leader', async () => {
      const answer = await httpsGetText(`https://${ip}:8443/metrics`, { authorization: `Bearer ${token}`, connection: 'close' });
      assert.equal(answer.status, 200, answer.body);
      if (answer.body.split('\n').includes('leader_election_is_leader 1')) leaderAnswer = answer.body;
      return leaderAnswer !== '';
    }, 30_000);
    assert.match(leaderAnswer, /^dynamodb_restore_aws_calls_total\{[^}]*operation="RestoreTableFromBackup"[^}]*\} 1$/m);
    const anonymous = await httpsGetText(`https://${ip}:8443/metrics`);
    assert.equal(anonymous.status, 401);
  });

  it('deleting the leader pod: the other replica takes the Lease within its duration of the last renewal, and a restore in flight completes with one RestoreTableFromBackup', async () => {
    const table = uniqueName('Failover');
    const backupArn = await musicBackup(ddb, table);
    release.bed.proxy.holdCreatingMs = 20_000;
    try {
      await restores.create(namespace, 'failover', { targetTableName: table, source: { backupArn } });
      await restores.waitFor(namespace, 'failover', 'to be restoring', (r) => r.status?.tableStatus === 'CREATING', 60_000);
      const leader = await release.leader();
      const others = (await readyPods()).map((p) => p.metadata?.name).filter((n) => n !== leader);
      assert.equal(others.length, 1, `one replica besides the leader ${leader}`);

      const leases = release.bed.kubeConfig.makeApiClient(CoordinationV1Api);
      const before = await leases.readNamespacedLease({ name: LEASE, namespace: OPERATOR_NAMESPACE });
      const deletedAt = Date.now();
      await kubectl('delete', 'pod', '-n', OPERATOR_NAMESPACE, leader, '--wait=false');
      await waitFor('another pod to lead', async () => ![leader, ''].includes(await release.leader()), 60_000);
      const after = await leases.readNamespacedLease({ name: LEASE, namespace: OPERATOR_NAMESPACE });
      assert.equal(after.spec?.holderIdentity, others[0]);
      const acquired = new Date(after.spec?.acquireTime ?? 0).getTime();
      const lastRenewal = new Date(before.spec?.renewTime ?? 0).getTime();
      assert.ok(acquired - lastRenewal <= (before.spec?.leaseDurationSeconds ?? 0) * 1000, `acquired ${acquired - lastRenewal} ms after the last renewal`);
      console.log(`      failover: ${others[0]} leads ${acquired - deletedAt} ms after the leader pod was deleted`);

      const done = await restores.waitFor(namespace, 'failover', 'to complete', (r) => r.status?.phase === 'Completed', 120_000);
      assert.equal(done.status?.tableStatus, 'ACTIVE');
      assert.equal(release.bed.proxy.callsOf('RestoreTableFromBackup', table).length, 1);
    } finally {
      release.bed.proxy.holdCreatingMs = 0;
    }
    await waitFor('two Ready replicas again', async () => (await readyPods()).length === 2, 120_000);
  });

  it('keeps a pod whose caches cannot sync unready (the kubelet sees /readyz answer 503) until RBAC lets it list policies, then Ready', async () => {
    const rbac = release.bed.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const bindingName = 'dynamodb-restore-operator-policies';
    const binding = await rbac.readClusterRoleBinding({ name: bindingName });
    await rbac.deleteClusterRoleBinding({ name: bindingName });
    try {
      const leader = await release.leader();
      const follower = (await readyPods()).map((p) => p.metadata?.name ?? '').find((n) => n !== leader) ?? '';
      await kubectl('delete', 'pod', '-n', OPERATOR_NAMESPACE, follower, '--wait=true');
      const core = release.bed.kubeConfig.makeApiClient(CoreV1Api);
      let replacement = '';
      await waitFor('the kubelet to report the replacement unready with a 503', async () => {
        const pods = (await release.pods()).filter((p) => !p.metadata?.deletionTimestamp && ![leader, follower].includes(p.metadata?.name ?? ''));
        replacement = pods[0]?.metadata?.name ?? '';
        if (!replacement) return false;
        const events = await core.listNamespacedEvent({ namespace: OPERATOR_NAMESPACE, fieldSelector: `involvedObject.name=${replacement}` });
        return events.items.some((e: CoreV1Event) => e.reason === 'Unhealthy' && /Readiness probe failed: HTTP probe failed with statuscode: 503/.test(e.message ?? ''));
      }, 90_000, 1_000);
      const pod = await core.readNamespacedPod({ name: replacement, namespace: OPERATOR_NAMESPACE });
      assert.equal(pod.status?.phase, 'Running');
      assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    } finally {
      await rbac.createClusterRoleBinding({
        body: { metadata: { name: bindingName, labels: binding.metadata?.labels, annotations: binding.metadata?.annotations }, roleRef: binding.roleRef, subjects: binding.subjects },
      });
    }
    await waitFor('two Ready replicas once the policies can be listed', async () => (await readyPods()).length === 2, 120_000);
  });
});
