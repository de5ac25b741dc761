// spec.tableSettings and spec.deletionPolicy on the test bed: every setting read back from the emulator with the
// calls a person would use (DescribeTable, DescribeTimeToLive, DescribeContinuousBackups, ListTagsOfResource), and
// deletion that removes only the table this resource restored, waiting out CREATING; the proxy holds tables UPDATING
// after UpdateTable and DELETING after DeleteTable (as DynamoDB does and moto does not) where a test needs them.
import assert from 'node:assert/strict';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTagsOfResourceCommand,
  TagResourceCommand,
  UpdateTableCommand,
  waitUntilTableNotExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../../src/api/dynamodb-restore.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, tableExists, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import type { OperatorProcess, TestBed } from '../support/testbed.ts';

const FINALIZER = 'dynamodb.restore.dev/finalizer';

describe('integration: tableSettings and deletionPolicy', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let operator: OperatorProcess;
  let restores: Restores;
  let backupArn: string;
  const namespace = uniqueName('settings');
  const readyOf = (r: { status?: { conditions?: Array<{ type: string; reason: string; message: string }> } }) => r.status?.conditions?.find((c) => c.type === 'Ready');

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    restores = new Restores(bed);
    await bed.createNamespace(namespace);
    backupArn = await musicBackup(ddb, uniqueName('Music'));
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
  });

  afterEach(() => {
    bed.proxy.holdCreatingMs = 0;
    bed.proxy.holdUpdatingMs = 0;
    bed.proxy.holdDeletingMs = 0;
  });

  /** The recorded calls about a table, as "operation answer" (the TableStatus answered, or the error). */
  const story = (target: string, operations: readonly string[]) =>
    bed.proxy.calls.filter((c) => c.body.TableName === target && operations.includes(c.operation)).map((c) => `${c.operation} ${c.error ?? c.tableStatus ?? 'answered'}`);

  after(async () => {
    await bed.group.stop(operator.process);
    ddb.destroy();
  });

  it('applies every table setting after ACTIVE, each read back from DynamoDB, and records them', async () => {
    const target = uniqueName('Configured');
    await restores.create(namespace, 'configured', {
      targetTableName: target,
      source: { backupArn },
      tableSettings: { tags: { team: 'a', 'cost-center': '1234' }, timeToLive: { attributeName: 'expiresAt' }, stream: { viewType: 'NEW_AND_OLD_IMAGES' }, pointInTimeRecovery: true, deletionProtection: true },
    });
    const phases = new Set<string>();
    const done = await restores.waitFor(namespace, 'configured', 'to complete', (r) => r.status?.phase === 'Completed', 60_000, (r) => phases.add(r.status?.phase ?? ''));
    assert.ok(phases.has('Configuring'), [...phases].join(','));
    assert.deepEqual(done.status?.appliedSettings, ['tags', 'timeToLive', 'stream', 'pointInTimeRecovery', 'deletionProtection']);
    assert.match(readyOf(done)?.message ?? '', /tableSettings applied: tags, timeToLive, stream, pointInTimeRecovery, deletionProtection/);

    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: target }));
    assert.deepEqual(Table?.StreamSpecification, { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    assert.equal(Table?.DeletionProtectionEnabled, true);
    const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: target }));
    assert.deepEqual([ttl.TimeToLiveDescription?.TimeToLiveStatus, ttl.TimeToLiveDescription?.AttributeName], ['ENABLED', 'expiresAt']);
    const pitr = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: target }));
    assert.equal(pitr.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus, 'ENABLED');
    const tags = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: Table?.TableArn }));
    const byKey: Record<string, string | undefined> = Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key ?? '', t.Value]));
    assert.deepEqual(byKey, { team: 'a', 'cost-center': '1234', 'dynamodb.restore.dev/owner': `${namespace}/configured`, 'dynamodb.restore.dev/owner-uid': done.metadata.uid });
    // Each setting was changed once: nothing was applied twice.
    const updates = bed.proxy.calls.filter((c) => c.body.TableName === target && ['UpdateTimeToLive', 'UpdateTable', 'UpdateContinuousBackups'].includes(c.operation));
    assert.deepEqual(updates.map((c) => c.operation), ['UpdateTimeToLive', 'UpdateTable', 'UpdateContinuousBackups', 'UpdateTable']);

    // The table keeps its deletion protection when the resource goes (Retain, the default).
    await restores.delete(namespace, 'configured');
    await restores.waitGone(namespace, 'configured');
    assert.ok(await tableExists(ddb, target));
  });

  it('deletionPolicy Delete: deletes the table it restored, then the resource goes', async () => {
    const target = uniqueName('Deleted');
    await restores.create(namespace, 'deleted', { targetTableName: target, source: { backupArn }, deletionPolicy: 'Delete' });
    const done = await restores.waitFor(namespace, 'deleted', 'to complete', (r) => r.status?.phase === 'Completed');
    assert.deepEqual(done.metadata.finalizers, [FINALIZER]);
    await restores.delete(namespace, 'deleted');
    await restores.waitGone(namespace, 'deleted');
    assert.equal(await tableExists(ddb, target), false);
    assert.equal(bed.proxy.callsOf('DeleteTable', target).length, 1);
  });

  it('deletionPolicy Delete: leaves a table made anew under its name (another TableId) untouched, even with its uid tag copied on; the resource goes with a Warning', async () => {
    const target = uniqueName('Replaced');
    await restores.create(namespace, 'replaced', { targetTableName: target, source: { backupArn }, deletionPolicy: 'Delete' });
    const done = await restores.waitFor(namespace, 'replaced', 'to complete', (r) => r.status?.phase === 'Completed');
    assert.ok(done.status?.tableId, 'the restored table\'s TableId is recorded');
    // Someone deletes the restored table, creates their own under the same name and copies the ownership tag onto it.
    await ddb.send(new DeleteTableCommand({ TableName: target }));
    await waitUntilTableNotExists({ client: ddb, maxWaitTime: 30 }, { TableName: target });
    const made = await ddb.send(new CreateTableCommand({ TableName: target, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    assert.notEqual(made.TableDescription?.TableId, done.status?.tableId, 'the new table has a TableId of its own');
    await ddb.send(new TagResourceCommand({ ResourceArn: made.TableDescription?.TableArn, Tags: [{ Key: 'dynamodb.restore.dev/owner-uid', Value: done.metadata.uid }] }));
    const deletesBefore = bed.proxy.callsOf('DeleteTable', target).length;

    await restores.delete(namespace, 'replaced');
    await restores.waitGone(namespace, 'replaced');
    assert.ok(await tableExists(ddb, target));
    assert.equal(bed.proxy.callsOf('DeleteTable', target).length, deletesBefore, 'no DeleteTable for a table not ours');
    const event = (await restores.events(namespace)).find((e) => e.name === 'replaced' && e.reason === 'TableNotOwned');
    assert.equal(event?.type, 'Warning');
    assert.equal(event?.note, `Table ${target} is not the table this resource restored (its TableId differs: it was replaced); it is left untouched.`);
  });

  it('deletionPolicy Delete on a table with deletion protection: refuses with a Warning saying who can let it go; switching to Retain lets the resource go and keeps the table', async () => {
    const target = uniqueName('Protected');
    await restores.create(namespace, 'protected', { targetTableName: target, source: { backupArn }, deletionPolicy: 'Delete' });
    await restores.waitFor(namespace, 'protected', 'to complete', (r) => r.status?.phase === 'Completed');
    // Admission refuses Delete with tableSettings.deletionProtection; someone turns it on by hand.
    await ddb.send(new UpdateTableCommand({ TableName: target, DeletionProtectionEnabled: true }));
    await restores.delete(namespace, 'protected');
    const refused = await restores.waitFor(namespace, 'protected', 'to refuse', (r) => readyOf(r)?.reason === 'DeletionRefused');
    assert.equal(
      readyOf(refused)?.message,
      `Table ${target} has deletion protection on, so it is not deleted. Turn it off (aws dynamodb update-table --table-name ${target} --no-deletion-protection-enabled) ` +
        'to let the operator delete it, or have a cluster administrator (the platform team) set spec.deletionPolicy: Retain to keep it.',
    );
    assert.deepEqual(refused.metadata.finalizers, [FINALIZER]);
    assert.ok((await restores.events(namespace)).some((e) => e.name === 'protected' && e.reason === 'DeletionRefused' && e.type === 'Warning'));
    assert.equal(bed.proxy.callsOf('DeleteTable', target).length, 0, 'no DeleteTable on a protected table');

    // The way out the message names: switch to Retain; the resource goes, the table stays.
    const api = bed.kubeConfig.makeApiClient(CustomObjectsApi);
    await api.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, plural: PLURAL, namespace, name: 'protected', body: { spec: { deletionPolicy: 'Retain' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await restores.waitGone(namespace, 'protected');
    assert.ok(await tableExists(ddb, target));
  });

  it('deletionPolicy Delete, deleted mid-restore: waits out CREATING, then deletes the table and lets go', async () => {
    bed.proxy.holdCreatingMs = 4_000;
    const target = uniqueName('MidRestore');
    await restores.create(namespace, 'mid-restore', { targetTableName: target, source: { backupArn }, deletionPolicy: 'Delete' });
    await restores.waitFor(namespace, 'mid-restore', 'to be restoring', (r) => r.status?.tableStatus === 'CREATING');
    await restores.delete(namespace, 'mid-restore');
    const waiting = await restores.waitFor(namespace, 'mid-restore', 'to wait', (r) => readyOf(r)?.reason === 'DeletionWaiting');
    assert.equal(readyOf(waiting)?.message, `Table ${target} is CREATING; it is deleted once ACTIVE (DynamoDB refuses to delete it before).`);
    await restores.waitGone(namespace, 'mid-restore');
    assert.equal(await tableExists(ddb, target), false);
    const aboutTarget = (body: Record<string, unknown>) =>
      body.TableName === target || body.TargetTableName === target || (typeof body.ResourceArn === 'string' && body.ResourceArn.endsWith(`:table/${target}`));
    const calls = bed.proxy.calls.filter((c) => aboutTarget(c.body));
    const ops = calls.map((c) => c.operation).filter((o) => o === 'RestoreTableFromBackup' || o === 'TagResource' || o === 'DeleteTable');
    // One restore; tagged as ours once ACTIVE; then one DeleteTable, never refused for being CREATING.
    assert.deepEqual(ops, ['RestoreTableFromBackup', 'TagResource', 'DeleteTable']);
    // No call was refused (the last DescribeTable finds the table gone, as it should).
    assert.deepEqual(calls.filter((c) => c.error && c.operation !== 'DescribeTable').map((c) => `${c.operation} ${c.error ?? ''}`), []);
  });

  it('waits while the table is UPDATING after a stream change, then applies the next setting once it is ACTIVE again', async () => {
    bed.proxy.holdUpdatingMs = 3_000;
    const target = uniqueName('Updating');
    await restores.create(namespace, 'updating', { targetTableName: target, source: { backupArn }, tableSettings: { stream: { viewType: 'NEW_IMAGE' }, pointInTimeRecovery: true } });
    const messages = new Set<string>();
    await restores.waitFor(namespace, 'updating', 'to complete', (r) => r.status?.phase === 'Completed', 60_000, (r) => messages.add(readyOf(r)?.message ?? ''));
    assert.ok(messages.has('Waiting to apply tableSettings.pointInTimeRecovery: the table is UPDATING (1 of 2 tableSettings in place).'), [...messages].join('\n'));
    // UpdateTable left the table UPDATING; UpdateContinuousBackups came only after a DescribeTable found it ACTIVE.
    const calls = story(target, ['UpdateTable', 'DescribeTable', 'UpdateContinuousBackups']);
    const updated = calls.indexOf('UpdateTable UPDATING');
    const pitr = calls.indexOf('UpdateContinuousBackups answered');
    assert.ok(updated >= 0 && pitr > updated, calls.join(', '));
    assert.ok(calls.slice(updated, pitr).includes('DescribeTable UPDATING'), calls.join(', '));
    assert.equal(calls[pitr - 1], 'DescribeTable ACTIVE', calls.join(', '));
    assert.deepEqual(calls.filter((c) => c.endsWith('Exception')), [], 'nothing refused');
  });

  it('deletionPolicy Delete: while the table is DELETING the resource waits, saying so, and goes once the table is gone', async () => {
    const target = uniqueName('Deleting');
    await restores.create(namespace, 'deleting', { targetTableName: target, source: { backupArn }, deletionPolicy: 'Delete' });
    await restores.waitFor(namespace, 'deleting', 'to complete', (r) => r.status?.phase === 'Completed');
    bed.proxy.holdDeletingMs = 3_000;
    await restores.delete(namespace, 'deleting');
    await restores.waitFor(namespace, 'deleting', 'to wait for the deletion', (r) => readyOf(r)?.message === `Table ${target} is being deleted; the resource goes when it is gone.`);
    await restores.waitGone(namespace, 'deleting');
    assert.equal(await tableExists(ddb, target), false);
    const calls = story(target, ['DeleteTable', 'DescribeTable']);
    const deleted = calls.indexOf('DeleteTable DELETING');
    assert.ok(deleted >= 0, calls.join(', '));
    assert.deepEqual(calls.filter((c) => c.startsWith('DeleteTable')), ['DeleteTable DELETING'], 'one DeleteTable');
    assert.ok(calls.slice(deleted).includes('DescribeTable DELETING'), calls.join(', '));
  });
});
