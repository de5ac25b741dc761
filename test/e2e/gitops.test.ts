// GitOps semantics, driven by kubectl apply as Argo CD (or a person) would: a restore runs once, a re-sync of the
// same manifest does nothing, an edit is refused with a message saying what to do, and pruning keeps the table.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { stringify } from 'yaml';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, musicBackup, restoreManifest, Restores, uniqueName } from '../support/restores.ts';
import type { OperatorProcess, TestBed } from '../support/testbed.ts';

describe('e2e: GitOps semantics with kubectl apply', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let operator: OperatorProcess;
  const namespace = uniqueName('e2e-gitops');

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    await bed.createNamespace(namespace);
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace }, await bed.productionBundle());
  });

  after(async () => {
    await bed.group.stop(operator.process);
    ddb.destroy();
  });

  it('runs a restore once, a re-sync writes nothing and calls nothing, an edit is refused with what to do, and pruning keeps the table', async () => {
    const table = uniqueName('Music');
    const backupArn = await musicBackup(ddb, table);
    const manifest = join(bed.group.dir, `${namespace}.yaml`);
    writeFileSync(manifest, stringify(restoreManifest(namespace, 'music', { targetTableName: table, source: { backupArn } })));
    assert.match(await bed.kubectl('apply', '-f', manifest), /dynamodbrestore.dynamodb.restore.dev\/music created/);
    const restores = new Restores(bed);
    // Completed, and its finalizer gone (the operator's last write to a Retain resource past its restore).
    await restores.waitFor(namespace, 'music', 'to complete and let its finalizer go', (r) => r.status?.phase === 'Completed' && !r.metadata.finalizers?.length);

    // A re-sync of the same manifest: the object is not written at all (same resourceVersion), so no watch event
    // reaches the operator, and nothing is called.
    const callsBefore = bed.proxy.calls.length;
    const before = await restores.get(namespace, 'music');
    assert.match(await bed.kubectl('apply', '-f', manifest), /music unchanged/);
    const after = await restores.get(namespace, 'music');
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.equal(after.metadata.generation, 1);
    assert.equal(bed.proxy.calls.length, callsBefore);

    // An edit in Git: refused, with what to do instead.
    writeFileSync(manifest, stringify(restoreManifest(namespace, 'music', { targetTableName: `${table}-2`, source: { backupArn } })));
    await assert.rejects(bed.kubectl('apply', '-f', manifest), (err: unknown) => /spec is immutable: a DynamoDBRestore runs once; create a new resource to restore again/.test(String((err as { stderr?: string }).stderr)));
    assert.equal(bed.proxy.callsOf('RestoreTableFromBackup', table).length, 1);

    // Pruned: the resource goes, the table stays. (The one DeleteTable so far is the tutorial's, before the backup.)
    const deletesBefore = bed.proxy.callsOf('DeleteTable', table).length;
    await bed.kubectl('delete', 'ddbr', '-n', namespace, 'music', '--wait=true');
    await new Promise((r) => setTimeout(r, 1_500));
    const described = await ddb.send(new DescribeTableCommand({ TableName: table }));
    assert.equal(described.Table?.TableStatus, 'ACTIVE');
    assert.equal(bed.proxy.callsOf('DeleteTable', table).length, deletesBefore);
  });
});
