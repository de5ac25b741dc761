// spec.source.backup on the test bed: a backup found by name or as the latest through every page of ListBackups,
// skipping one not AVAILABLE, recorded in the status and never looked up again, even when a newer one appears.
import assert from 'node:assert/strict';
import { CreateBackupCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { createMusicTable, dynamodbClient, Restores, uniqueName } from '../support/restores.ts';
import type { OperatorProcess, TestBed } from '../support/testbed.ts';

describe('integration: backups looked up by name and as the latest', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let operator: OperatorProcess;
  let restores: Restores;
  const namespace = uniqueName('lookup');
  const table = uniqueName('Music');
  const arns: Record<string, string> = {};

  const backup = async (name: string) => {
    const out = await ddb.send(new CreateBackupCommand({ TableName: table, BackupName: name }));
    await new Promise((r) => setTimeout(r, 20)); // distinct creation times
    return out.BackupDetails?.BackupArn ?? '';
  };

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    restores = new Restores(bed);
    await bed.createNamespace(namespace);
    await createMusicTable(ddb, table);
    arns.first = await backup('MusicBackup');
    arns.second = await backup('MusicBackup');
    arns.nightly = await backup('Nightly');
    arns.third = await backup('MusicBackup');
    // The newest MusicBackup is still being created; and ListBackups answers one backup a page.
    bed.proxy.backupStatus.set(arns.third, 'CREATING');
    bed.proxy.listBackupsPageSize = 1;
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
  });

  after(async () => {
    bed.proxy.listBackupsPageSize = 0;
    bed.proxy.backupStatus.clear();
    await bed.group.stop(operator.process);
    ddb.destroy();
  });

  it('restores the newest AVAILABLE backup of that name, found across every page', async () => {
    const listed = bed.proxy.callsOf('ListBackups').length;
    const target = uniqueName('ByName');
    await restores.create(namespace, 'by-name', { targetTableName: target, source: { backup: { tableName: table, backupName: 'MusicBackup' } } });
    const done = await restores.waitFor(namespace, 'by-name', 'to complete', (r) => r.status?.phase === 'Completed');
    assert.equal(done.status?.backupArn, arns.second);
    assert.deepEqual(bed.proxy.callsOf('RestoreTableFromBackup', target).map((c) => c.body.BackupArn), [arns.second]);
    assert.ok(bed.proxy.callsOf('ListBackups').length - listed >= 4, 'one ListBackups call a page');
  });

  it('with latest: true, restores the newest AVAILABLE backup whatever its name', async () => {
    const target = uniqueName('Latest');
    await restores.create(namespace, 'latest', { targetTableName: target, source: { backup: { tableName: table, latest: true } } });
    const done = await restores.waitFor(namespace, 'latest', 'to complete', (r) => r.status?.phase === 'Completed');
    assert.equal(done.status?.backupArn, arns.nightly);
  });

  it('keeps the backup it found when a newer one appears during the restore', async () => {
    const target = uniqueName('Kept');
    bed.proxy.holdCreatingMs = 3_000;
    await restores.create(namespace, 'kept', { targetTableName: target, source: { backup: { tableName: table, latest: true } } });
    await restores.waitFor(namespace, 'kept', 'to be restoring', (r) => r.status?.tableStatus === 'CREATING');
    const newer = await backup('Newer');
    const done = await restores.waitFor(namespace, 'kept', 'to complete', (r) => r.status?.phase === 'Completed');
    assert.equal(done.status?.backupArn, arns.nightly);
    assert.notEqual(newer, arns.nightly);
    assert.deepEqual(bed.proxy.callsOf('RestoreTableFromBackup', target).map((c) => c.body.BackupArn), [arns.nightly]);
  });

  it('fails, saying what it looked for, when no AVAILABLE backup has the name', async () => {
    await restores.create(namespace, 'none', { targetTableName: uniqueName('None'), source: { backup: { tableName: table, backupName: 'Weekly' } } });
    const done = await restores.waitFor(namespace, 'none', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.match(done.status?.lastError?.message ?? '', new RegExp(`No AVAILABLE backup named Weekly of table ${table} in us-east-1`));
  });
});
