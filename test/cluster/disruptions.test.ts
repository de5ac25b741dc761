// What happens to the operator's pods in a cluster's everyday disruptions: a `helm upgrade` that rolls them while
// restores run, and a `kubectl drain` of the node, which the chart's PodDisruptionBudget must hold back. Runs under
// `make e2e-cluster` only.
import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamodbClient, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import { OPERATOR_NAMESPACE } from '../support/testbed.ts';
import { waitFor } from '../support/processes.ts';
import { NODE_NAME } from './support/node.ts';
import { CHART, onCluster, operatorRelease, RELEASE, type Release } from './support/release.ts';

describe('cluster: helm upgrade and kubectl drain', function () {
  this.timeout(300_000);
  let release: Release;
  let ddb: DynamoDBClient;
  let restores: Restores;
  const namespace = uniqueName('cluster-disruptions');

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

  it('helm upgrade with a changed value while three restores are CREATING: every pod is replaced, the new ones log at debug, and each table is restored exactly once', async () => {
    const tables = ['a', 'b', 'c'].map((n) => uniqueName(`Upgrade-${n}`));
    const backups = await Promise.all(tables.map((t) => musicBackup(ddb, t)));
    const oldPods = (await release.pods()).map((p) => p.metadata?.name);
    release.bed.proxy.holdCreatingMs = 15_000;
    try {
      for (const [i, table] of tables.entries()) {
        await restores.create(namespace, `upgrade-${i}`, { targetTableName: table, source: { backupArn: backups[i] ?? '' } });
      }
      for (const i of tables.keys()) {
        await restores.waitFor(namespace, `upgrade-${i}`, 'to be restoring', (r) => r.status?.tableStatus === 'CREATING', 60_000);
      }
      await release.helm('upgrade', RELEASE, CHART, '--namespace', OPERATOR_NAMESPACE, '--values', release.valuesFile, '--set', 'logLevel=debug', '--wait', '--timeout', '180s');
      for (const i of tables.keys()) {
        const done = await restores.waitFor(namespace, `upgrade-${i}`, 'to complete', (r) => r.status?.phase === 'Completed', 120_000);
        assert.equal(done.status?.tableStatus, 'ACTIVE');
      }
    } finally {
      release.bed.proxy.holdCreatingMs = 0;
    }
    assert.deepEqual(tables.map((t) => release.bed.proxy.callsOf('RestoreTableFromBackup', t).length), [1, 1, 1]);
    const pods = await readyPods();
    assert.equal(pods.length, 2);
    assert.deepEqual(pods.filter((p) => oldPods.includes(p.metadata?.name)), [], 'no pod of the old release is left');
    for (const pod of pods) {
      const env = pod.spec?.containers[0]?.env ?? [];
      assert.equal(env.find((e) => e.name === 'LOG_LEVEL')?.value, 'debug');
    }
  });

  it("kubectl drain of the only node evicts one replica and is refused the other by the PodDisruptionBudget (minAvailable 1), which stays Ready", async () => {
    try {
      await assert.rejects(
        kubectl('drain', NODE_NAME, '--pod-selector=app.kubernetes.io/name=dynamodb-restore-operator', '--timeout=20s'),
        /Cannot evict pod as it would violate the pod's disruption budget/,
      );
      const pods = await readyPods();
      assert.equal(pods.length, 1, 'one replica kept Running and Ready');
      assert.equal((await release.pods()).filter((p) => p.status?.phase === 'Pending').length, 1, 'its replacement waits for a schedulable node');
    } finally {
      await kubectl('uncordon', NODE_NAME);
    }
    await waitFor('two Ready replicas after uncordon', async () => (await readyPods()).length === 2, 120_000);
  });
});
