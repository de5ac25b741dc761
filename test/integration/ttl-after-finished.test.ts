// ttlSecondsAfterFinished on the test bed: a finished resource is deleted once its time has come, and its
// deletionPolicy decides its table, as for any deletion.
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, tableExists, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import type { OperatorProcess, TestBed } from '../support/testbed.ts';

describe('integration: ttlSecondsAfterFinished', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let restores: Restores;
  let operator: OperatorProcess;
  let backupArn: string;
  const namespace = uniqueName('ttl');

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    restores = new Restores(bed);
    await bed.createNamespace(namespace);
    backupArn = await musicBackup(ddb, uniqueName('Music'));
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace, POLL_MIN_SECONDS: '1' });
  });

  after(async () => {
    await bed.group.stop(operator.process);
    ddb.destroy();
  });

  it('deletes a Completed resource 2 s after it finished, and keeps its table (Retain)', async () => {
    const table = uniqueName('TtlRetain');
    await restores.create(namespace, 'kept-table', { targetTableName: table, source: { backupArn }, ttlSecondsAfterFinished: 2 });
    const done = await restores.waitFor(namespace, 'kept-table', 'to complete', (r) => r.status?.phase === 'Completed');
    await restores.waitGone(namespace, 'kept-table', 30_000);
    const goneAt = Date.now();
    assert.ok(goneAt >= Date.parse(done.status?.completionTime ?? '') + 2_000, 'not before its time');
    assert.equal(await tableExists(ddb, table), true);
  });

  it('deletes a Completed resource with deletionPolicy Delete and its table with it', async () => {
    const table = uniqueName('TtlDelete');
    await restores.create(namespace, 'scratch', { targetTableName: table, source: { backupArn }, ttlSecondsAfterFinished: 0, deletionPolicy: 'Delete' });
    await restores.waitGone(namespace, 'scratch', 60_000);
    assert.equal(await tableExists(ddb, table), false);
    assert.deepEqual(bed.proxy.callsOf('DeleteTable', table).map((c) => c.error ?? 'ok'), ['ok']);
  });

  it('deletes a Failed resource once its ttl has passed', async () => {
    const missing = backupArn.replace(/backup\/\d{14}-[a-z0-9]{8}$/, 'backup/01700000000000-deadbeef');
    await restores.create(namespace, 'failed', { targetTableName: uniqueName('TtlFailed'), source: { backupArn: missing }, ttlSecondsAfterFinished: 1 });
    await restores.waitFor(namespace, 'failed', 'to fail', (r) => r.status?.phase === 'Failed');
    await restores.waitGone(namespace, 'failed', 30_000);
  });

  it('a ttl set after the restore completed (the field is mutable) deletes it', async () => {
    const table = uniqueName('TtlLater');
    await restores.create(namespace, 'later', { targetTableName: table, source: { backupArn } });
    await restores.waitFor(namespace, 'later', 'to complete', (r) => r.status?.phase === 'Completed');
    await bed.kubeConfig.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject({
      group: 'dynamodb.restore.dev',
      version: 'v1alpha1',
      plural: 'dynamodbrestores',
      namespace,
      name: 'later',
      body: [{ op: 'add', path: '/spec/ttlSecondsAfterFinished', value: 0 }],
    });
    await restores.waitGone(namespace, 'later', 30_000);
    assert.equal(await tableExists(ddb, table), true);
  });
});
