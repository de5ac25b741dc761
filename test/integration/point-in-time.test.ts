// spec.source.pointInTime on the test bed: RestoreTableToPointInTime to the latest restorable time and to a
// chosen moment, refused (before any restore call) when recovery is off or the moment is outside the window.
// moto ignores the restore time and copies the table as it is now: the tests assert on the request for that part.
// The proxy reports the window as DynamoDB does, its latest restorable time lagging the clock; this suite shortens
// DynamoDB's documented five minutes to LAG_MS so that a moment inside the window comes within the test's time.
import assert from 'node:assert/strict';
import { DescribeContinuousBackupsCommand, UpdateContinuousBackupsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DOCUMENTED_RESTORABLE_LAG_MS } from '../support/fidelity-proxy.ts';
import { waitFor } from '../support/processes.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { createMusicTable, dynamodbClient, MUSIC_ITEMS, Restores, scanItems, uniqueName } from '../support/restores.ts';
import type { OperatorProcess, TestBed } from '../support/testbed.ts';

const LAG_MS = 3_000;

describe('integration: point-in-time restores', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let operator: OperatorProcess;
  let restores: Restores;
  const namespace = uniqueName('pitr');
  const source = uniqueName('Music');
  const unprotected = uniqueName('Music');
  let enabledAt: Date;

  before(async () => {
    bed = await sharedTestBed();
    bed.proxy.restorableLagMs = LAG_MS;
    ddb = dynamodbClient(bed);
    restores = new Restores(bed);
    await bed.createNamespace(namespace);
    await createMusicTable(ddb, source);
    await createMusicTable(ddb, unprotected);
    enabledAt = new Date();
    await ddb.send(new UpdateContinuousBackupsCommand({ TableName: source, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
  });

  after(async () => {
    await bed.group.stop(operator.process);
    bed.proxy.restorableLagMs = DOCUMENTED_RESTORABLE_LAG_MS;
    ddb.destroy();
  });

  it('restores to the latest restorable time, sending exactly the CLI\'s fields', async () => {
    const target = uniqueName('Latest');
    await restores.create(namespace, 'latest', { targetTableName: target, source: { pointInTime: { sourceTableName: source, useLatestRestorableTime: true } } });
    const done = await restores.waitFor(namespace, 'latest', 'to complete', (r) => r.status?.phase === 'Completed');
    assert.match(done.status?.restoreSummary?.sourceTableArn ?? '', new RegExp(`:table/${source}$`));
    assert.deepEqual(bed.proxy.callsOf('RestoreTableToPointInTime', target).map((c) => c.body), [
      { TargetTableName: target, SourceTableName: source, UseLatestRestorableTime: true },
    ]);
    const key = (i: unknown) => JSON.stringify(i);
    assert.deepEqual((await scanItems(ddb, target)).map(key).sort(), MUSIC_ITEMS.map(key).sort());
  });

  it('restores to a chosen moment inside the window, which RestoreSummary then reports', async () => {
    const window = async () => (await ddb.send(new DescribeContinuousBackupsCommand({ TableName: source }))).ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    // The first whole second of the window, once the latest restorable time has passed it.
    const moment = new Date(Math.ceil(((await window())?.EarliestRestorableDateTime?.getTime() ?? NaN) / 1000) * 1000);
    await waitFor('the latest restorable time to pass the moment', async () => ((await window())?.LatestRestorableDateTime?.getTime() ?? 0) > moment.getTime(), 30_000, 250);
    const target = uniqueName('AtTime');
    await restores.create(namespace, 'at-time', { targetTableName: target, source: { pointInTime: { sourceTableName: source, restoreDateTime: moment.toISOString() } } });
    const done = await restores.waitFor(namespace, 'at-time', 'to complete', (r) => r.status?.phase === 'Completed');
    const [call] = bed.proxy.callsOf('RestoreTableToPointInTime', target);
    assert.equal(new Date(Number(call?.body.RestoreDateTime) * 1000).toISOString(), moment.toISOString(), 'RestoreDateTime sent as given');
    assert.equal(done.status?.restoreSummary?.restoreDateTime, moment.toISOString());
  });

  it('refuses a moment inside the lag (later than the latest restorable time), with no restore call', async () => {
    const moment = new Date(Date.now() - 100).toISOString();
    const target = uniqueName('TooLate');
    await restores.create(namespace, 'too-late', { targetTableName: target, source: { pointInTime: { sourceTableName: source, restoreDateTime: moment } } });
    const done = await restores.waitFor(namespace, 'too-late', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(done.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'InvalidRestoreTime');
    assert.match(done.status?.lastError?.message ?? '', new RegExp(`not ${moment.replace(/[.]/g, '\\.')}`));
    assert.equal(bed.proxy.callsOf('RestoreTableToPointInTime', target).length, 0);
  });

  it('refuses a moment before recovery was enabled, with no restore call', async () => {
    const target = uniqueName('TooEarly');
    const before = new Date(enabledAt.getTime() - 3_600_000).toISOString();
    await restores.create(namespace, 'too-early', { targetTableName: target, source: { pointInTime: { sourceTableName: source, restoreDateTime: before } } });
    const done = await restores.waitFor(namespace, 'too-early', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(done.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'InvalidRestoreTime');
    assert.equal(bed.proxy.callsOf('RestoreTableToPointInTime', target).length, 0);
  });

  it('refuses a table without point-in-time recovery, with no restore call', async () => {
    const target = uniqueName('Unprotected');
    await restores.create(namespace, 'unprotected', { targetTableName: target, source: { pointInTime: { sourceTableName: unprotected, useLatestRestorableTime: true } } });
    const done = await restores.waitFor(namespace, 'unprotected', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(done.status?.lastError?.code, 'PointInTimeRecoveryUnavailableException');
    assert.match(done.status?.lastError?.message ?? '', new RegExp(`Point-in-time recovery is DISABLED on table ${unprotected}`));
    assert.equal(bed.proxy.callsOf('RestoreTableToPointInTime', target).length, 0);
  });
});
