// The fidelity proxy (test/support/fidelity-proxy.ts) in front of moto, driven with the SDK directly (no retries):
// each behaviour it adds to moto answers what DynamoDB's documents say, written out here as the expected values,
// and its AWS limits (restores in progress per Region, the control plane's token bucket, restore durations). The
// proxy's clock is stepped by hand, so no assertion depends on how fast this machine runs. Only moto and the proxy
// are needed, so the suite starts just those (as the test bed does), not a whole test bed; each test sets its limits
// and holds and the proxy forgets them after it. A test of the test tooling, not of the operator.
import assert from 'node:assert/strict';
import {
  CreateBackupCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  ScanCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { BackupClient, DescribeRecoveryPointCommand, DescribeRestoreJobCommand, StartRestoreJobCommand } from '@aws-sdk/client-backup';
import { DOCUMENTED_RESTORABLE_LAG_MS, FidelityProxy, seededRandom } from '../support/fidelity-proxy.ts';
import { freePort, ProcessGroup, waitFor } from '../support/processes.ts';
import { createMusicTable, MUSIC_ITEMS, uniqueName } from '../support/restores.ts';
import { EMULATOR_CREDENTIALS, httpStatus } from '../support/testbed.ts';

const REGION = 'ap-southeast-2';
const OTHER_REGION = 'ca-central-1';
const ACCOUNT = '123456789012';

type AwsError = Error & { $metadata?: { httpStatusCode?: number } };

/** The error a call was rejected with, or undefined when it succeeded. */
function rejectionOf(call: Promise<unknown>): Promise<AwsError | undefined> {
  return call.then(
    () => undefined,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
}

/** The AWS error code a call was rejected with, or 'none'. */
async function errorOf(call: Promise<unknown>): Promise<string> {
  return (await rejectionOf(call))?.name ?? 'none';
}

const byItem = (items: readonly unknown[]) => items.map((i) => JSON.stringify(i)).sort();

describe('tooling: the fidelity proxy in front of moto', function () {
  this.timeout(60_000);
  let group: ProcessGroup | undefined;
  let proxy: FidelityProxy;
  let ddb: DynamoDBClient;
  let other: DynamoDBClient;
  let backupArn: string;
  let backupCreated: Date | undefined;
  const source = uniqueName('Music');
  /** The proxy's clock, stepped by the tests that set it. */
  let clock = 0;
  const stepClock = () => {
    clock = Date.now();
    proxy.now = () => clock;
  };

  const client = (region: string) =>
    new DynamoDBClient({
      endpoint: proxy.endpoint,
      region,
      maxAttempts: 1,
      credentials: { accessKeyId: EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: EMULATOR_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
    });
  const restore = (target: string, via = ddb) => via.send(new RestoreTableFromBackupCommand({ TargetTableName: target, BackupArn: backupArn }));
  const describe_ = (table: string, via = ddb) => via.send(new DescribeTableCommand({ TableName: table }));
  const tableStatus = async (table: string, via = ddb) => (await describe_(table, via)).Table?.TableStatus;
  const scan = async (table: string, via = ddb) => (await via.send(new ScanCommand({ TableName: table }))).Items ?? [];

  before(async () => {
    const motoServer = process.env.TESTBED_MOTO_SERVER;
    if (!motoServer) throw new Error('TESTBED_MOTO_SERVER is not set: run the tests through `make test`');
    group = new ProcessGroup();
    const port = await freePort();
    const moto = group.start('moto', motoServer, ['-H', '127.0.0.1', '-p', String(port)], { ...process.env, ...EMULATOR_CREDENTIALS });
    await waitFor('moto', async () => {
      if (moto.child.exitCode !== null) throw new Error(`moto exited; see ${moto.logFile}`);
      return (await httpStatus(`http://127.0.0.1:${port}/moto-api/`)) === 200;
    }, 30_000);
    proxy = new FidelityProxy(`http://127.0.0.1:${port}`);
    await proxy.start();
    ddb = client(REGION);
    other = client(OTHER_REGION);
    await createMusicTable(ddb, source);
    const backup = (await ddb.send(new CreateBackupCommand({ TableName: source, BackupName: 'MusicBackup' }))).BackupDetails;
    backupArn = backup?.BackupArn ?? '';
    backupCreated = backup?.BackupCreationDateTime;
    assert.ok(backupArn);
  });

  afterEach(() => {
    proxy.resetLimits();
    proxy.now = Date.now;
    proxy.holdUpdatingMs = 0;
    proxy.holdDeletingMs = 0;
    proxy.restorableLagMs = DOCUMENTED_RESTORABLE_LAG_MS;
  });

  after(async () => {
    ddb?.destroy();
    other?.destroy();
    await proxy?.stop();
    await group?.stopAll();
  });

  it('answers LimitExceededException to a restore beyond maxRestoresInProgress in a Region, until one is ACTIVE', async () => {
    stepClock();
    proxy.maxRestoresInProgress = 2;
    // The first restore is quick, the others stay CREATING for the rest of the test.
    const holds = [2_500];
    proxy.restoreDuration = () => holds.shift() ?? 20_000;
    const first = uniqueName('First');
    const second = uniqueName('Second');
    const third = uniqueName('Third');
    const fourth = uniqueName('Fourth');
    const fifth = uniqueName('Fifth');
    const elsewhere = uniqueName('Elsewhere');

    await restore(first);
    await restore(second);
    const refused = await rejectionOf(restore(third));
    assert.equal(refused?.name, 'LimitExceededException');
    assert.equal(refused.$metadata?.httpStatusCode, 400);
    assert.match(refused.message, /2 table restores in progress in ap-southeast-2/);
    assert.equal(await errorOf(tableStatus(third)), 'ResourceNotFoundException', 'a refused restore never reaches moto');
    // The limit is per Region: a restore signed for another Region is accepted meanwhile.
    await restore(elsewhere, other);

    clock += 2_500;
    assert.equal(await tableStatus(first), 'ACTIVE');
    await restore(fourth);
    assert.equal(await errorOf(restore(fifth)), 'LimitExceededException');

    assert.deepEqual(proxy.callsOf('RestoreTableFromBackup').filter((c) => [first, second, third, fourth, fifth].includes(String(c.body.TargetTableName))).map((c) => c.error), [
      undefined,
      undefined,
      'LimitExceededException',
      undefined,
      'LimitExceededException',
    ]);
    assert.equal(proxy.limitCounters.limitExceeded, 2);
    assert.equal(proxy.limitCounters.peakRestoresInProgress.get(REGION), 2);
    assert.equal(proxy.limitCounters.peakRestoresInProgress.get(OTHER_REGION), 1);
    assert.equal(proxy.restoresInProgress(REGION), 2);
  });

  it('throttles control-plane calls beyond the bucket with ThrottlingException, refills it at the rate, and spares the data plane', async () => {
    stepClock();
    proxy.controlPlaneRate = { perSecond: 5, burst: 5 };
    const before = proxy.calls.length;
    const describeSource = () => errorOf(ddb.send(new DescribeTableCommand({ TableName: source })));
    // The clock stands still: the bucket's 5 pass, the other 15 find it empty.
    const burst = await Promise.all(Array.from({ length: 20 }, describeSource));
    assert.equal(burst.filter((e) => e === 'none').length, 5, burst.join());
    assert.equal(burst.filter((e) => e === 'ThrottlingException').length, 15, burst.join());
    assert.equal(proxy.limitCounters.throttled, 15);
    assert.equal(proxy.calls.slice(before).filter((c) => c.error === 'ThrottlingException').length, 15, 'recorded like any error');

    // Item operations are the data plane, and another Region has its own bucket.
    assert.equal(await errorOf(ddb.send(new ScanCommand({ TableName: source }))), 'none');
    assert.equal(await errorOf(other.send(new ListTablesCommand({}))), 'none');

    // 400 ms refill 2 tokens at 5 per second: two calls pass, the third is throttled.
    clock += 400;
    assert.deepEqual([await describeSource(), await describeSource(), await describeSource()], ['none', 'none', 'ThrottlingException']);
    // Calls paced at the rate (one per 200 ms) never find the bucket empty.
    const paced: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      clock += 200;
      paced.push(await describeSource());
    }
    assert.deepEqual(paced, Array(8).fill('none'));
    assert.equal(proxy.limitCounters.throttled, 16);
  });

  it('holds each restored table CREATING for a time drawn from restoreDuration, repeatably with a seed', async () => {
    stepClock();
    proxy.restoreDuration = { minMs: 300, maxMs: 2_000 };
    proxy.random = seededRandom(8);
    const expected = seededRandom(8);
    const draws = [expected(), expected(), expected()].map((r) => 300 + r * 1_700);
    const tables = ['DrawA', 'DrawB', 'DrawC'].map(uniqueName);
    for (const table of tables) await restore(table);
    assert.deepEqual(tables.map((t) => proxy.creatingMsOf(t)), draws);
    assert.equal(new Set(draws).size, 3, 'each restore draws its own duration');

    // Each table is CREATING until its own draw has passed on the proxy's clock, and ACTIVE from then on.
    const start = clock;
    for (const [i, table] of tables.entries()) {
      const drawn = draws[i] ?? NaN;
      clock = start + drawn - 1;
      assert.equal(await tableStatus(table), 'CREATING', `${table} 1 ms before its ${drawn} ms`);
      assert.equal((await describe_(table)).Table?.RestoreSummary?.RestoreInProgress, true);
      clock = start + drawn;
      assert.equal(await tableStatus(table), 'ACTIVE', `${table} at its ${drawn} ms`);
      assert.equal((await describe_(table)).Table?.RestoreSummary?.RestoreInProgress, false);
    }
  });

  it('refuses DeleteTable, UpdateTable and UpdateTimeToLive on a table still CREATING, and adds no error to UpdateContinuousBackups', async () => {
    stepClock();
    // moto alone makes a restored table ACTIVE at once and deletes it without a word: the gap the proxy bridges.
    const unheld = uniqueName('Unheld');
    await restore(unheld);
    assert.equal(await errorOf(ddb.send(new DeleteTableCommand({ TableName: unheld }))), 'none');

    const table = uniqueName('Creating');
    proxy.restoreDuration = () => 2_000;
    await restore(table);
    const changes: Record<string, () => Promise<unknown>> = {
      DeleteTable: () => ddb.send(new DeleteTableCommand({ TableName: table })),
      UpdateTable: () => ddb.send(new UpdateTableCommand({ TableName: table, DeletionProtectionEnabled: true })),
      UpdateTimeToLive: () => ddb.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } })),
    };
    for (const [operation, change] of Object.entries(changes)) {
      const err = await rejectionOf(change());
      assert.equal(err?.name, 'ResourceInUseException', operation);
      assert.equal(err.message, `Attempt to change a resource which is still in use: Table is being created: ${table}`);
      assert.deepEqual(proxy.callsOf(operation, table).map((c) => c.error), ['ResourceInUseException'], operation);
    }
    // ResourceInUseException is not among UpdateContinuousBackups' documented errors: moto answers it.
    const pitr = await ddb.send(new UpdateContinuousBackupsCommand({ TableName: table, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    assert.equal(pitr.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus, 'ENABLED');
    assert.deepEqual(proxy.callsOf('UpdateContinuousBackups', table).map((c) => c.error), [undefined]);

    clock += 2_000;
    assert.equal(await tableStatus(table), 'ACTIVE');
    assert.equal(await errorOf(ddb.send(new DeleteTableCommand({ TableName: table }))), 'none');
  });

  it('reports LatestRestorableDateTime 5 minutes behind the clock (restorableLagMs), never before EarliestRestorableDateTime', async () => {
    stepClock();
    const table = uniqueName('Window');
    await createMusicTable(ddb, table);
    await ddb.send(new UpdateContinuousBackupsCommand({ TableName: table, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    const window = async () => {
      const out = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: table }));
      const pitr = out.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
      return { earliest: pitr?.EarliestRestorableDateTime?.getTime() ?? NaN, latest: pitr?.LatestRestorableDateTime?.getTime() ?? NaN };
    };
    assert.equal(DOCUMENTED_RESTORABLE_LAG_MS, 300_000);
    // Just enabled: the window is a single moment, as it cannot end before it starts.
    const { earliest } = await window();
    assert.deepEqual(await window(), { earliest, latest: earliest });
    // Ten minutes on, the latest restorable time is five minutes ago (the SDK reads the seconds to the millisecond).
    clock = earliest + 600_000;
    assert.deepEqual(await window(), { earliest, latest: earliest + 300_000 });
    proxy.restorableLagMs = 2_000;
    assert.deepEqual(await window(), { earliest, latest: earliest + 598_000 });
  });

  it('holds a table UPDATING after UpdateTable for holdUpdatingMs, refusing UpdateTable and DeleteTable meanwhile', async () => {
    stepClock();
    proxy.holdUpdatingMs = 3_000;
    const table = uniqueName('Updating');
    await createMusicTable(ddb, table);
    const mark = proxy.calls.length;
    const updated = await ddb.send(new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }));
    assert.equal(updated.TableDescription?.TableStatus, 'UPDATING');
    assert.equal(await tableStatus(table), 'UPDATING');
    const again = await rejectionOf(ddb.send(new UpdateTableCommand({ TableName: table, DeletionProtectionEnabled: true })));
    assert.equal(again?.name, 'ResourceInUseException');
    assert.equal(again.message, `Attempt to change a resource which is still in use: Table is being updated: ${table}`);
    assert.equal(await errorOf(ddb.send(new DeleteTableCommand({ TableName: table }))), 'ResourceInUseException');
    assert.deepEqual(proxy.calls.slice(mark).map((c) => [c.operation, c.tableStatus ?? c.error]), [
      ['UpdateTable', 'UPDATING'],
      ['DescribeTable', 'UPDATING'],
      ['UpdateTable', 'ResourceInUseException'],
      ['DeleteTable', 'ResourceInUseException'],
    ]);

    clock += 3_000;
    assert.equal(await tableStatus(table), 'ACTIVE');
    assert.equal(await errorOf(ddb.send(new DeleteTableCommand({ TableName: table }))), 'none');
  });

  it('holds a deleted table DELETING for holdDeletingMs: described, deleted again without error, then gone', async () => {
    stepClock();
    proxy.holdDeletingMs = 3_000;
    const table = uniqueName('Deleting');
    await createMusicTable(ddb, table);
    const deleted = await ddb.send(new DeleteTableCommand({ TableName: table }));
    assert.equal(deleted.TableDescription?.TableStatus, 'DELETING');
    assert.equal(deleted.TableDescription?.TableName, table);
    assert.equal(await tableStatus(table), 'DELETING');
    const twice = await ddb.send(new DeleteTableCommand({ TableName: table }));
    assert.equal(twice.TableDescription?.TableStatus, 'DELETING', 'already DELETING: no error');

    clock += 3_000;
    assert.equal(await errorOf(describe_(table)), 'ResourceNotFoundException');
    assert.equal((await ddb.send(new ListTablesCommand({}))).TableNames?.includes(table), false);
    assert.equal(await errorOf(ddb.send(new DeleteTableCommand({ TableName: table }))), 'ResourceNotFoundException');

    // A table with deletion protection on is refused (moto's ValidationException), and never held DELETING.
    const kept = uniqueName('Protected');
    await createMusicTable(ddb, kept);
    await ddb.send(new UpdateTableCommand({ TableName: kept, DeletionProtectionEnabled: true }));
    assert.equal(await errorOf(ddb.send(new DeleteTableCommand({ TableName: kept }))), 'ValidationException');
    assert.equal(await tableStatus(kept), 'ACTIVE');
  });

  it('restores to a point in time from SourceTableArn alone, reporting that ARN and the moment in RestoreSummary', async () => {
    const table = uniqueName('PitrSource');
    await createMusicTable(ddb, table);
    await ddb.send(new UpdateContinuousBackupsCommand({ TableName: table, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    const sourceTableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}`;
    const target = uniqueName('ByArn');
    const moment = new Date('2026-01-02T03:04:05.000Z');
    const restored = await ddb.send(new RestoreTableToPointInTimeCommand({ TargetTableName: target, SourceTableArn: sourceTableArn, RestoreDateTime: moment }));
    assert.equal(restored.TableDescription?.RestoreSummary?.SourceTableArn, sourceTableArn);
    const described = (await describe_(target)).Table?.RestoreSummary;
    assert.equal(described?.SourceTableArn, sourceTableArn);
    assert.equal(described?.RestoreDateTime?.toISOString(), '2026-01-02T03:04:05.000Z');
    assert.equal(described?.SourceBackupArn, undefined);
    assert.deepEqual(byItem(await scan(target)), byItem(MUSIC_ITEMS));
  });

  it('makes a cross-Region restore in the Region it was signed for: found there, not in the backup\'s Region', async () => {
    const target = uniqueName('Across');
    const restored = await restore(target, other);
    assert.match(restored.TableDescription?.TableArn ?? '', new RegExp(`^arn:aws:dynamodb:${OTHER_REGION}:${ACCOUNT}:table/${target}$`));
    const summary = (await describe_(target, other)).Table?.RestoreSummary;
    assert.equal(summary?.SourceBackupArn, backupArn);
    assert.equal(summary?.SourceTableArn, `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${source}`);
    assert.deepEqual(byItem(await scan(target, other)), byItem(MUSIC_ITEMS));
    // A call signed for the backup's Region does not find it, as on AWS; nothing was left behind there.
    assert.equal(await errorOf(describe_(target)), 'ResourceNotFoundException');
    assert.deepEqual((await ddb.send(new ListTablesCommand({}))).TableNames?.filter((t) => t.startsWith(target)), []);
    // The name is taken in the target Region now.
    assert.equal(await errorOf(restore(target, other)), 'TableAlreadyExistsException');
  });

  it("gives each table a TableId, a new one when its name is made again, and reports a backup restore's RestoreDateTime as the backup's time", async () => {
    const table = uniqueName('Identified');
    const first = (await restore(table)).TableDescription?.TableId;
    assert.match(first ?? '', /^[0-9a-f-]{36}$/);
    assert.equal((await describe_(table)).Table?.TableId, first);
    const restoredAt = (await describe_(table)).Table?.RestoreSummary?.RestoreDateTime;
    // The backup's creation time (moto's ARN keeps it to the millisecond, its answer to the microsecond).
    assert.ok(restoredAt && backupCreated && Math.abs(restoredAt.getTime() - backupCreated.getTime()) <= 1, `${String(restoredAt)} vs ${String(backupCreated)}`);
    await ddb.send(new DeleteTableCommand({ TableName: table }));
    const second = (await restore(table)).TableDescription?.TableId;
    assert.match(second ?? '', /^[0-9a-f-]{36}$/);
    assert.notEqual(second, first);
  });

  describe("AWS Backup's restore jobs (StartRestoreJob, DescribeRestoreJob)", () => {
    const ROLE = `arn:aws:iam::${ACCOUNT}:role/aws-backup-restore`;
    let backup: BackupClient;
    before(() => {
      backup = new BackupClient({
        endpoint: proxy.endpoint,
        region: REGION,
        maxAttempts: 1,
        credentials: { accessKeyId: EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: EMULATOR_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
      });
    });
    after(() => backup?.destroy());
    const start = (recoveryPointArn: string, table: string, token?: string) =>
      backup.send(new StartRestoreJobCommand({ RecoveryPointArn: recoveryPointArn, IamRoleArn: ROLE, ResourceType: 'DynamoDB', Metadata: { targetTableName: table }, IdempotencyToken: token }));
    const job = (id: string) => backup.send(new DescribeRestoreJobCommand({ RestoreJobId: id }));

    it("restores a registered recovery point's backup: RUNNING while its table is CREATING, then COMPLETED naming the table", async () => {
      stepClock();
      proxy.restoreDuration = () => 10_000;
      const point = `arn:aws:backup:${REGION}:${ACCOUNT}:recovery-point:${uniqueName('rp')}`;
      proxy.awsBackup.recoveryPoints.set(point, { backupArn, backupVaultName: 'proxy-vault' });
      const table = uniqueName('FromPoint');
      const id = (await start(point, table)).RestoreJobId ?? '';
      const running = await job(id);
      assert.deepEqual([running.Status, running.RecoveryPointArn, running.IamRoleArn, running.ResourceType, running.CreatedResourceArn], ['RUNNING', point, ROLE, 'DynamoDB', undefined]);
      assert.equal(await tableStatus(table), 'CREATING');
      assert.deepEqual(proxy.callsOf('RestoreTableFromBackup', table).map((c) => c.body), [{ TargetTableName: table, BackupArn: backupArn }]);
      clock += 10_000;
      const completed = await job(id);
      assert.deepEqual([completed.Status, completed.CreatedResourceArn], ['COMPLETED', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}`]);
      assert.deepEqual(byItem(await scan(table)), byItem(MUSIC_ITEMS));
    });

    it('answers DescribeRecoveryPoint only of the vault that holds the recovery point, in its Region: the documented fields, then ResourceNotFoundException (HTTP 400) for another vault or Region', async () => {
      const point = `arn:aws:backup:${REGION}:${ACCOUNT}:recovery-point:${uniqueName('rp')}`;
      proxy.awsBackup.recoveryPoints.set(point, { backupArn, backupVaultName: 'team-a-vault', status: 'EXPIRED', statusMessage: 'Retention passed' });
      const described = await backup.send(new DescribeRecoveryPointCommand({ BackupVaultName: 'team-a-vault', RecoveryPointArn: point }));
      assert.deepEqual(
        [described.RecoveryPointArn, described.BackupVaultName, described.BackupVaultArn, described.ResourceArn, described.ResourceType, described.Status, described.StatusMessage],
        [point, 'team-a-vault', `arn:aws:backup:${REGION}:${ACCOUNT}:backup-vault:team-a-vault`, backupArn.split('/backup/')[0], 'DynamoDB', 'EXPIRED', 'Retention passed'],
      );
      assert.deepEqual(proxy.callsOf('DescribeRecoveryPoint').at(-1)?.body, { BackupVaultName: 'team-a-vault', RecoveryPointArn: point }, 'the path parameters, recorded as the request');
      const otherVault = await rejectionOf(backup.send(new DescribeRecoveryPointCommand({ BackupVaultName: 'team-b-vault', RecoveryPointArn: point })));
      assert.deepEqual([otherVault?.name, otherVault?.$metadata?.httpStatusCode, otherVault?.message], ['ResourceNotFoundException', 400, `Recovery point ${point} not found in backup vault team-b-vault.`]);
      const elsewhere = new BackupClient({ endpoint: proxy.endpoint, region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: EMULATOR_CREDENTIALS.AWS_SECRET_ACCESS_KEY } });
      try {
        assert.equal(await errorOf(elsewhere.send(new DescribeRecoveryPointCommand({ BackupVaultName: 'team-a-vault', RecoveryPointArn: point }))), 'ResourceNotFoundException');
      } finally {
        elsewhere.destroy();
      }
    });

    it('answers the same job to a retried StartRestoreJob with the same idempotency token, and restores once', async () => {
      const table = uniqueName('Once');
      const first = (await start(backupArn, table, 'token-1')).RestoreJobId;
      const again = (await start(backupArn, table, 'token-1')).RestoreJobId;
      assert.ok(first);
      assert.equal(again, first);
      assert.equal(proxy.callsOf('RestoreTableFromBackup', table).length, 1);
    });

    it('passes the restore metadata\'s encryption to its DynamoDB restore: encryptionType Default as SSE Enabled false, KMS with kmsMasterKeyArn as that KMS key', async () => {
      const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/abcd1234-abcd-1234-a123-ab1234a1b234`;
      const owned = uniqueName('Owned');
      const customer = uniqueName('Customer');
      await backup.send(new StartRestoreJobCommand({ RecoveryPointArn: backupArn, IamRoleArn: ROLE, ResourceType: 'DynamoDB', Metadata: { targetTableName: owned, encryptionType: 'Default' } }));
      await backup.send(
        new StartRestoreJobCommand({ RecoveryPointArn: backupArn, IamRoleArn: ROLE, ResourceType: 'DynamoDB', Metadata: { targetTableName: customer, encryptionType: 'KMS', kmsMasterKeyArn: key } }),
      );
      assert.deepEqual(proxy.callsOf('RestoreTableFromBackup', owned).map((c) => c.body), [{ TargetTableName: owned, BackupArn: backupArn, SSESpecificationOverride: { Enabled: false } }]);
      assert.deepEqual(proxy.callsOf('RestoreTableFromBackup', customer).map((c) => c.body), [
        { TargetTableName: customer, BackupArn: backupArn, SSESpecificationOverride: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key } },
      ]);
    });

    it('answers ResourceNotFoundException (HTTP 400) to an unknown recovery point and an unknown job', async () => {
      const unknown = await rejectionOf(start(`arn:aws:backup:${REGION}:${ACCOUNT}:recovery-point:${uniqueName('nowhere')}`, uniqueName('Never')));
      assert.deepEqual([unknown?.name, unknown?.$metadata?.httpStatusCode], ['ResourceNotFoundException', 400]);
      assert.equal(await errorOf(job('00000000-0000-0000-0000-000000000000')), 'ResourceNotFoundException');
    });

    it("ends the job FAILED with DynamoDB's message when the table name is taken, leaving that table as it was", async () => {
      const table = uniqueName('Taken');
      await createMusicTable(ddb, table);
      const before = (await describe_(table)).Table?.TableId;
      const failed = await job((await start(backupArn, table)).RestoreJobId ?? '');
      assert.deepEqual([failed.Status, failed.StatusMessage, failed.CreatedResourceArn], ['FAILED', `Table already exists: ${table}`, undefined]);
      assert.equal((await describe_(table)).Table?.TableId, before);
    });

    it('ends a job as a test says (jobEnds): ABORTED with its message', async () => {
      const table = uniqueName('Aborted');
      proxy.awsBackup.jobEnds.set(table, { status: 'ABORTED', message: 'Stopped by the test' });
      const ended = await job((await start(backupArn, table)).RestoreJobId ?? '');
      assert.deepEqual([ended.Status, ended.StatusMessage], ['ABORTED', 'Stopped by the test']);
    });
  });

  it('ends a CREATING hold on finishCreating: the table ACTIVE, its restore slot free, its recorded hold cut to what passed', async () => {
    stepClock();
    clock += 3_600_000; // past the holds earlier tests left running
    proxy.maxRestoresInProgress = 1;
    proxy.restoreDuration = () => 100_000;
    const table = uniqueName('Finished');
    await restore(table);
    assert.equal(await errorOf(restore(uniqueName('Waiting'))), 'LimitExceededException');
    clock += 1_500;
    proxy.finishCreating(table);
    assert.equal(await tableStatus(table), 'ACTIVE');
    assert.equal(proxy.restoresInProgress(REGION), 0);
    assert.equal(proxy.creatingMsOf(table), 1_500);
    assert.equal(await errorOf(restore(uniqueName('Next'))), 'none');
  });
});
