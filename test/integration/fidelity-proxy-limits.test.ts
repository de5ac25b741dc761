// The fidelity proxy's AWS limits, driven with the SDK directly (no retries): restores in progress per Region,
// the control plane's token bucket, restore durations drawn from a distribution, and the changes DynamoDB refuses
// on a table still CREATING. Only moto and the proxy are needed, so the suite starts just those (as the test bed
// does), not a whole test bed; each test sets its limits and the proxy forgets them after it.
import assert from 'node:assert/strict';
import {
  CreateBackupCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  RestoreTableFromBackupCommand,
  ScanCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { FidelityProxy, seededRandom } from '../support/fidelity-proxy.ts';
import { freePort, ProcessGroup, waitFor } from '../support/processes.ts';
import { createMusicTable, uniqueName } from '../support/restores.ts';
import { EMULATOR_CREDENTIALS, httpStatus } from '../support/testbed.ts';

const REGION = 'ap-southeast-2';
const OTHER_REGION = 'ca-central-1';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

describe('integration: the fidelity proxy enforces DynamoDB limits', function () {
  this.timeout(60_000);
  let group: ProcessGroup | undefined;
  let proxy: FidelityProxy;
  let ddb: DynamoDBClient;
  let other: DynamoDBClient;
  let backupArn: string;
  const source = uniqueName('Music');

  const client = (region: string) =>
    new DynamoDBClient({
      endpoint: proxy.endpoint,
      region,
      maxAttempts: 1,
      credentials: { accessKeyId: EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: EMULATOR_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
    });
  const restore = (target: string, via = ddb) => via.send(new RestoreTableFromBackupCommand({ TargetTableName: target, BackupArn: backupArn }));
  const tableStatus = async (table: string) => (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus;
  const untilActive = (table: string, timeoutMs = 15_000) => waitFor(`${table} to be ACTIVE`, async () => (await tableStatus(table)) === 'ACTIVE', timeoutMs, 50);

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
    backupArn = (await ddb.send(new CreateBackupCommand({ TableName: source, BackupName: 'MusicBackup' }))).BackupDetails?.BackupArn ?? '';
    assert.ok(backupArn);
  });

  afterEach(() => proxy.resetLimits());

  after(async () => {
    ddb?.destroy();
    other?.destroy();
    await proxy?.stop();
    await group?.stopAll();
  });

  it('answers LimitExceededException to a restore beyond maxRestoresInProgress in a Region, until one is ACTIVE', async () => {
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

    await untilActive(first);
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

  it('throttles a burst of control-plane calls with ThrottlingException, and never calls paced at the rate', async () => {
    proxy.controlPlaneRate = { perSecond: 5, burst: 5 };
    const before = proxy.calls.length;
    const started = Date.now();
    const burst = await Promise.all(Array.from({ length: 20 }, () => errorOf(ddb.send(new DescribeTableCommand({ TableName: source })))));
    const elapsedMs = Date.now() - started;
    const throttled = burst.filter((e) => e === 'ThrottlingException').length;
    assert.equal(throttled + burst.filter((e) => e === 'none').length, 20, burst.join());
    // The bucket's 5, and what it refilled while the burst arrived.
    assert.ok(throttled >= 14, `${throttled} of 20 throttled in ${elapsedMs} ms`);
    assert.ok(throttled <= 15, `${throttled} of 20 throttled`);
    assert.equal(proxy.limitCounters.throttled, throttled);
    assert.equal(proxy.calls.slice(before).filter((c) => c.error === 'ThrottlingException').length, throttled, 'recorded like any error');

    // Item operations are the data plane, and another Region has its own bucket.
    assert.equal(await errorOf(ddb.send(new ScanCommand({ TableName: source }))), 'none');
    assert.equal(await errorOf(other.send(new ListTablesCommand({}))), 'none');

    // Calls one after another, no faster than the rate, never find the bucket empty.
    await sleep(1_200);
    const paced: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      paced.push(await errorOf(ddb.send(new DescribeTableCommand({ TableName: source }))));
      await sleep(250);
    }
    assert.deepEqual(paced, Array(8).fill('none'));
    assert.equal(proxy.limitCounters.throttled, throttled);
  });

  it('holds each restored table CREATING for a time drawn from restoreDuration, repeatably with a seed', async () => {
    proxy.restoreDuration = { minMs: 300, maxMs: 2_000 };
    proxy.random = seededRandom(8);
    const expected = seededRandom(8);
    const draws = [expected(), expected(), expected()].map((r) => 300 + r * 1_700);
    const tables = ['DrawA', 'DrawB', 'DrawC'].map(uniqueName);
    const requested: number[] = [];
    for (const table of tables) {
      requested.push(Date.now());
      await restore(table);
    }
    assert.deepEqual(tables.map((t) => proxy.creatingMsOf(t)), draws);
    assert.equal(new Set(draws).size, 3, 'each restore draws its own duration');

    const activeAfter = await Promise.all(
      tables.map(async (table, i) => {
        await untilActive(table);
        return Date.now() - (requested[i] ?? NaN);
      }),
    );
    for (const [i, drawn] of draws.entries()) {
      // Never before its draw; after it by no more than a generous allowance for a busy machine.
      const ms = activeAfter[i] ?? NaN;
      assert.ok(ms >= drawn && ms <= drawn + 5_000, `${tables[i]} ACTIVE after ${ms} ms, drawn ${drawn} ms`);
    }
  });

  it('refuses DeleteTable, UpdateTable, UpdateTimeToLive and UpdateContinuousBackups on a table still CREATING', async () => {
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
      UpdateContinuousBackups: () =>
        ddb.send(new UpdateContinuousBackupsCommand({ TableName: table, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })),
    };
    for (const [operation, change] of Object.entries(changes)) {
      const err = await rejectionOf(change());
      assert.equal(err?.name, 'ResourceInUseException', operation);
      assert.equal(err.message, `Attempt to change a resource which is still in use: Table is being created: ${table}`);
      assert.deepEqual(proxy.callsOf(operation, table).map((c) => c.error), ['ResourceInUseException'], operation);
    }

    await untilActive(table);
    assert.equal(await errorOf(ddb.send(new DeleteTableCommand({ TableName: table }))), 'none');
  });
});
