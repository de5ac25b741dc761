// What goes wrong, on the real servers: each failure reaches the status as the error map says, nothing is retried
// that should not be, and a table the resource did not create is never touched.
import assert from 'node:assert/strict';
import { CreateTableCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRestore } from '../../src/api/dynamodb-restore.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, musicBackup, Restores, scanItems, uniqueName } from '../support/restores.ts';
import type { OperatorProcess, TestBed } from '../support/testbed.ts';

const MISSING_BACKUP = 'arn:aws:dynamodb:us-east-1:123456789012:table/Gone/backup/01489173575360-deadbeef';
const ready = (r: DynamoDBRestore) => r.status?.conditions?.find((c) => c.type === 'Ready');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('integration: restore failures on the test bed', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let restores: Restores;
  let operator: OperatorProcess;
  const namespace = uniqueName('failures');

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    restores = new Restores(bed);
    await bed.createNamespace(namespace);
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
  });

  after(async () => {
    bed?.proxy.clearFaults();
    await bed?.group.stop(operator.process);
    ddb?.destroy();
  });

  afterEach(() => bed.proxy.clearFaults());

  it('fails a restore from a missing backup once, with a clear message, and never retries it', async () => {
    // Other suites on the shared bed name the same missing backup: only this test's calls count.
    const callsBefore = bed.proxy.calls.length;
    await restores.create(namespace, 'missing-backup', { targetTableName: uniqueName('Music'), source: { backupArn: MISSING_BACKUP } });
    const done = await restores.waitFor(namespace, 'missing-backup', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(done.status?.lastError?.code, 'BackupNotFoundException');
    assert.equal(done.status?.lastError?.retryable, false);
    assert.equal(ready(done)?.reason, 'BackupNotFound');
    assert.match(ready(done)?.message ?? '', /does not exist in this account and Region; check the ARN with `aws dynamodb list-backups`/);
    await sleep(3_000);
    const describes = bed.proxy.calls.slice(callsBefore).filter((c) => c.operation === 'DescribeBackup' && c.body.BackupArn === MISSING_BACKUP);
    assert.equal(describes.length, 1, 'no retry storm: one DescribeBackup, then nothing');
    assert.equal(bed.proxy.calls.slice(callsBefore).filter((c) => c.body.BackupArn === MISSING_BACKUP && c.operation === 'RestoreTableFromBackup').length, 0);
    const events = (await restores.events(namespace)).filter((e) => e.name === 'missing-backup' && e.reason === 'BackupNotFound');
    assert.deepEqual(events.map((e) => e.type), ['Warning']);
  });

  it('ends `kubectl wait --for=condition=Failed` at once on a failed restore: Failed True with the Ready reason and sentence', async () => {
    await restores.create(namespace, 'waited', { targetTableName: uniqueName('Music'), source: { backupArn: MISSING_BACKUP } });
    const out = await bed.kubectl('wait', '--for=condition=Failed', '--timeout=30s', '-n', namespace, 'ddbr/waited');
    assert.match(out, /dynamodbrestore.dynamodb.restore.dev\/waited condition met/);
    const done = await restores.get(namespace, 'waited');
    const failed = done.status?.conditions?.find((c) => c.type === 'Failed');
    assert.deepEqual(failed && [failed.status, failed.reason, failed.message, failed.observedGeneration], ['True', 'BackupNotFound', ready(done)?.message, 1]);
  });

  it('acknowledges a deletionPolicy edit on a final resource (generation 2 in the status and its conditions) with no AWS call, so `kubectl wait` on it ends', async () => {
    await restores.create(namespace, 'edited', { targetTableName: uniqueName('Music'), source: { backupArn: MISSING_BACKUP } });
    await restores.waitFor(namespace, 'edited', 'to fail', (r) => r.status?.phase === 'Failed');
    const calls = bed.proxy.calls.length;
    await bed.kubectl('patch', 'ddbr', 'edited', '-n', namespace, '--type', 'merge', '-p', '{"spec":{"deletionPolicy":"Delete"}}');
    const out = await bed.kubectl('wait', '--for=condition=Failed', '--timeout=30s', '-n', namespace, 'ddbr/edited');
    assert.match(out, /condition met/);
    const edited = await restores.get(namespace, 'edited');
    assert.equal(edited.metadata.generation, 2);
    assert.equal(edited.status?.observedGeneration, 2);
    assert.deepEqual(edited.status?.conditions?.map((c) => [c.type, c.observedGeneration]), [['Ready', 2], ['Failed', 2]]);
    assert.deepEqual(bed.proxy.calls.slice(calls).map((c) => c.operation), [], 'no AWS call');
  });

  it("fails when the target table exists and is not ours, and leaves that table untouched", async () => {
    const backupArn = await musicBackup(ddb, uniqueName('Music'));
    const taken = uniqueName('Taken');
    await ddb.send(
      new CreateTableCommand({
        TableName: taken,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const precious = { id: { S: 'keep me' } };
    await ddb.send(new PutItemCommand({ TableName: taken, Item: precious }));
    const mutationsBefore = bed.proxy.calls.length;

    await restores.create(namespace, 'taken', { targetTableName: taken, source: { backupArn } });
    const done = await restores.waitFor(namespace, 'taken', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(ready(done)?.reason, 'TableAlreadyExists');
    assert.match(ready(done)?.message ?? '', /already exists and was not restored by this resource; it is left untouched/);
    assert.deepEqual(await scanItems(ddb, taken), [precious]);
    const touched = bed.proxy.calls
      .slice(mutationsBefore)
      .filter((c) => ['DeleteTable', 'TagResource', 'UpdateTable', 'PutItem', 'DeleteItem'].includes(c.operation));
    assert.deepEqual(touched, [], 'no call changed the existing table');
  });

  const injected: Array<{ name: string; code: string; message?: string; phase: string; reason: string; sentence: RegExp; retryable: boolean }> = [
    {
      name: 'AccessDenied on the restore call',
      code: 'AccessDeniedException',
      message: 'User is not authorized to perform: dynamodb:RestoreTableFromBackup',
      phase: 'Failed',
      reason: 'AccessDenied',
      sentence: /grant dynamodb:RestoreTableFromBackup \(and the table writes a restore performs/,
      retryable: false,
    },
    {
      name: 'a disabled KMS key',
      code: 'ValidationException',
      message: 'KMS key arn:aws:kms:us-east-1:123456789012:key/abcd is disabled',
      phase: 'Failed',
      reason: 'KMSKeyUnavailable',
      sentence: /KMS key .* is disabled, deleted or not usable/,
      retryable: false,
    },
    {
      name: 'LimitExceeded',
      code: 'LimitExceededException',
      phase: 'Restoring',
      reason: 'LimitExceeded',
      sentence: /too many table operations in progress .* waits for a slot and tries again/,
      retryable: true,
    },
  ];
  for (const c of injected) {
    it(`reports ${c.name} as ${c.phase} / ${c.reason}`, async () => {
      const table = uniqueName('Music');
      const backupArn = await musicBackup(ddb, table);
      bed.proxy.inject({ operation: 'RestoreTableFromBackup', code: c.code, message: c.message, times: Infinity, tableName: table });
      const name = uniqueName('inject');
      await restores.create(namespace, name, { targetTableName: table, source: { backupArn } });
      const seen = await restores.waitFor(namespace, name, `to show ${c.code}`, (r) => r.status?.lastError?.code === c.code);
      assert.equal(seen.status?.phase, c.phase);
      assert.equal(seen.status?.lastError?.retryable, c.retryable);
      assert.equal(ready(seen)?.reason, c.reason);
      assert.match(seen.status?.lastError?.message ?? '', c.sentence);
      // A terminal error is final; a named wait (LimitExceeded: a minute) is waited out, not hammered.
      await sleep(2_500);
      assert.equal(bed.proxy.callsOf('RestoreTableFromBackup', table).length, 1);
    });
  }

  it('retries an InternalServerError with backoff until the restore goes through, restoring once', async () => {
    const table = uniqueName('Music');
    const backupArn = await musicBackup(ddb, table);
    bed.proxy.inject({ operation: 'RestoreTableFromBackup', code: 'InternalServerError', times: 2, tableName: table });
    const name = uniqueName('ise');
    await restores.create(namespace, name, { targetTableName: table, source: { backupArn } });
    let sawRetryable = false;
    const done = await restores.waitFor(namespace, name, 'to complete', (r) => r.status?.phase === 'Completed', 60_000, (r) => {
      if (r.status?.lastError?.code === 'InternalServerError' && r.status.lastError.retryable) sawRetryable = true;
    });
    assert.ok(sawRetryable, 'the status showed the retryable error while it lasted');
    assert.equal(done.status?.lastError, undefined, 'a completed restore carries no stale error');
    const calls = bed.proxy.callsOf('RestoreTableFromBackup', table);
    assert.deepEqual(calls.map((c) => c.error ?? 'ok'), ['InternalServerError', 'InternalServerError', 'ok']);
    // Per-key exponential backoff between the attempts: 1 s, then 2 s.
    const gaps = calls.slice(1).map((c, i) => c.at.getTime() - (calls[i]?.at.getTime() ?? 0));
    assert.ok((gaps[0] ?? 0) >= 900 && (gaps[1] ?? 0) >= 1_900, `backoff gaps ${gaps.join(', ')} ms`);
  });

  it('adopts, after a crash between the restore call and the status write, the table its own call created', async () => {
    const table = uniqueName('Music');
    const backupArn = await musicBackup(ddb, table);
    // AWS does the restore, but the answer is held back while the operator is killed.
    bed.proxy.inject({ operation: 'RestoreTableFromBackup', delayMs: 10_000, times: 1, tableName: table });
    await restores.create(namespace, 'crash', { targetTableName: table, source: { backupArn } });
    await restores.waitFor(namespace, 'crash', 'to call restore', () => bed.proxy.callsOf('RestoreTableFromBackup', table).length === 1);
    operator.process.child.kill('SIGKILL');
    await operator.process.exited;
    const before = await restores.get(namespace, 'crash');
    assert.ok(before.status?.restoreRequestedAt, 'restoreRequestedAt was written before the call');
    assert.equal(before.status?.startTime, undefined, 'the answer never reached the status');

    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
    const done = await restores.waitFor(namespace, 'crash', 'to complete', (r) => r.status?.phase === 'Completed');
    assert.equal(bed.proxy.callsOf('RestoreTableFromBackup', table).length, 1, 'exactly one restore for this resource');
    assert.equal(done.status?.restoreSummary?.sourceBackupArn, backupArn);
    // RestoreDateTime is the backup's own time, long before the request: adoption rests on the table's creation.
    assert.ok(Date.parse(done.status?.restoreSummary?.restoreDateTime ?? '') < Date.parse(done.status?.restoreRequestedAt ?? ''));
    assert.ok(done.status?.startTime);
  });
});
