// spec.source.recoveryPoint on the real servers: AWS Backup's StartRestoreJob (emulated by the fidelity proxy,
// test/support/aws-backup-emulation.ts) restores the DynamoDB backup behind a recovery point, the operator follows the
// job with DescribeRestoreJob and then the table to Completed; a retried call never starts a second job; every way
// the job can end without our table reaches the status in a sentence, and a table the job did not create is never
// touched. Before any job, DescribeRecoveryPoint proves the recovery point is in the vault the spec names (and the
// policy allows), and that it is a finished DynamoDB backup.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, ListTagsOfResourceCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRestore } from '../../src/api/dynamodb-restore.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { createMusicTable, dynamodbClient, musicBackup, Restores, tableExists, uniqueName } from '../support/restores.ts';
import { REPO, type OperatorProcess, type TestBed } from '../support/testbed.ts';

const ROLE = 'arn:aws:iam::123456789012:role/aws-backup-restore';
/** A vault of the tenant's, and another team's. */
const VAULT = 'team-a-vault';
const OTHER_VAULT = 'team-b-vault';
const ready = (r: DynamoDBRestore) => r.status?.conditions?.find((c) => c.type === 'Ready');
const recoveryPointArn = (id: string) => `arn:aws:backup:us-east-1:123456789012:recovery-point:${id}`;

describe('integration: AWS Backup recovery points on the test bed', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let restores: Restores;
  let operator: OperatorProcess;
  const namespace = uniqueName('recovery-point');

  /** A recovery point of AWS Backup's own in the vault, holding a fresh backup of a Music table. */
  async function recoveryPoint(backupVaultName = VAULT, extra: { status?: string; statusMessage?: string } = {}): Promise<{ arn: string; backupArn: string }> {
    const backupArn = await musicBackup(ddb, uniqueName('Source'));
    const arn = recoveryPointArn(uniqueName('rp'));
    bed.proxy.awsBackup.recoveryPoints.set(arn, { backupArn, backupVaultName, ...extra });
    return { arn, backupArn };
  }
  const startsOf = (arn: string) => bed.proxy.callsOf('StartRestoreJob').filter((c) => c.body.RecoveryPointArn === arn);

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    restores = new Restores(bed);
    // Governed, as every namespace on the bed: its policy lets it pass the one role AWS Backup assumes here.
    await bed.createNamespace(namespace, { governed: false });
    // Both vaults allowed here, so what is refused below is refused by AWS Backup's answer or by a stricter policy.
    await restores.createPolicy(`tenant-${namespace}`, { namespaces: [namespace], allowedRestoreRoleArns: [ROLE], allowedBackupVaults: [VAULT, OTHER_VAULT] });
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
  });

  after(async () => {
    await restores?.deletePolicy(`tenant-${namespace}`);
    bed?.proxy.clearFaults();
    await bed?.group.stop(operator.process);
    ddb?.destroy();
  });

  it('restores a recovery point through StartRestoreJob (every request field as sent), follows the job, and completes with the table tagged as its own', async () => {
    const { arn, backupArn } = await recoveryPoint();
    const table = uniqueName('Music');
    // The job runs while its table is CREATING: held until the operator has reported the job RUNNING.
    bed.proxy.restoreDuration = () => 60_000;
    let created: DynamoDBRestore;
    let running: DynamoDBRestore;
    try {
      created = await restores.create(namespace, 'restored', { targetTableName: table, region: 'us-east-1', source: { recoveryPoint: { recoveryPointArn: arn, backupVaultName: VAULT, iamRoleArn: ROLE } } });
      running = await restores.waitFor(namespace, 'restored', 'to report the job RUNNING', (r) => r.status?.restoreJobStatus === 'RUNNING');
    } finally {
      bed.proxy.restoreDuration = undefined;
    }
    assert.match(ready(running)?.message ?? '', new RegExp(`^AWS Backup restore job ${running.status?.restoreJobId ?? ''} is RUNNING \\(\\d+s\\)\\.$`));
    assert.deepEqual([running.status?.phase, running.status?.tableId], ['Restoring', undefined], 'no table is looked at while the job runs');
    bed.proxy.finishCreating(table);
    const done = await restores.waitFor(namespace, 'restored', 'to complete', (r) => r.status?.phase === 'Completed');

    // First the recovery point, asked of the vault the spec names, in its Region; then the one job.
    assert.deepEqual(
      bed.proxy.callsOf('DescribeRecoveryPoint').filter((c) => c.body.RecoveryPointArn === arn).map((c) => [c.region, c.body, c.error ?? 'answered']),
      [['us-east-1', { BackupVaultName: VAULT, RecoveryPointArn: arn }, 'answered']],
    );
    const starts = startsOf(arn);
    assert.deepEqual(
      starts.map((c) => [c.region, c.body]),
      [['us-east-1', { RecoveryPointArn: arn, IamRoleArn: ROLE, IdempotencyToken: `dynamodb-restore-${created.metadata.uid}`, ResourceType: 'DynamoDB', Metadata: { targetTableName: table } }]],
    );
    // AWS Backup's own DynamoDB restore of the backup behind the recovery point: one, into the target name.
    assert.deepEqual(bed.proxy.callsOf('RestoreTableFromBackup', table).map((c) => c.body), [{ TargetTableName: table, BackupArn: backupArn }]);
    const jobId = done.status?.restoreJobId ?? '';
    assert.match(jobId, /^[0-9A-F-]{36}$/);
    assert.deepEqual([...new Set(bed.proxy.callsOf('DescribeRestoreJob').filter((c) => c.body.RestoreJobId === jobId).map((c) => c.error ?? 'answered'))], ['answered']);
    assert.equal(done.status?.restoreJobStatus, 'COMPLETED');
    assert.equal(done.status?.source, arn);
    assert.equal(ready(done)?.reason, 'RestoreCompleted');
    assert.equal(ready(done)?.message, `Table ${table} is ACTIVE, restored from recovery point ${arn}.`);

    const described = await ddb.send(new DescribeTableCommand({ TableName: table }));
    assert.equal(done.status?.tableArn, described.Table?.TableArn);
    assert.equal(done.status?.tableId, described.Table?.TableId, 'the identity of the table the job created is recorded');
    const tags = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: described.Table?.TableArn }));
    assert.deepEqual(
      Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key, t.Value])),
      { 'dynamodb.restore.dev/owner': `${namespace}/restored`, 'dynamodb.restore.dev/owner-uid': created.metadata.uid },
    );
  });

  it('sends a customer managed key (overrides.sse with a key ARN) as Metadata encryptionType KMS and kmsMasterKeyArn, which the DynamoDB restore AWS Backup makes carries', async () => {
    const { arn, backupArn } = await recoveryPoint();
    const table = uniqueName('Music');
    const key = 'arn:aws:kms:us-east-1:123456789012:key/abcd1234-abcd-1234-a123-ab1234a1b234';
    const created = await restores.create(namespace, 'customer-key', {
      targetTableName: table,
      region: 'us-east-1',
      source: { recoveryPoint: { recoveryPointArn: arn, backupVaultName: VAULT, iamRoleArn: ROLE } },
      overrides: { sse: { enabled: true, sseType: 'KMS', kmsMasterKeyId: key } },
    });
    await restores.waitFor(namespace, 'customer-key', 'to complete', (r) => r.status?.phase === 'Completed');
    assert.deepEqual(
      startsOf(arn).map((c) => c.body),
      [
        {
          RecoveryPointArn: arn,
          IamRoleArn: ROLE,
          IdempotencyToken: `dynamodb-restore-${created.metadata.uid}`,
          ResourceType: 'DynamoDB',
          Metadata: { targetTableName: table, encryptionType: 'KMS', kmsMasterKeyArn: key },
        },
      ],
    );
    // The emulation's DynamoDB restore carries the key (moto does not apply it to the table: README, proxy section).
    assert.deepEqual(bed.proxy.callsOf('RestoreTableFromBackup', table).map((c) => c.body), [
      { TargetTableName: table, BackupArn: backupArn, SSESpecificationOverride: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: key } },
    ]);
  });

  it('starts exactly one restore job across a crash between StartRestoreJob and the status write: the retry carries the same idempotency token', async () => {
    const { arn } = await recoveryPoint();
    const table = uniqueName('Music');
    // AWS Backup starts the job, but its answer is held back while the operator is killed.
    bed.proxy.inject({ operation: 'StartRestoreJob', delayMs: 10_000, times: 1 });
    const created = await restores.create(namespace, 'crash', { targetTableName: table, region: 'us-east-1', source: { recoveryPoint: { recoveryPointArn: arn, backupVaultName: VAULT, iamRoleArn: ROLE } } });
    await restores.waitFor(namespace, 'crash', 'to call StartRestoreJob', () => bed.proxy.callsOf('StartRestoreJob').some((c) => c.body.RecoveryPointArn === arn));
    operator.process.child.kill('SIGKILL');
    await operator.process.exited;
    const before = await restores.get(namespace, 'crash');
    assert.ok(before.status?.restoreRequestedAt, 'restoreRequestedAt was written before the call');
    assert.equal(before.status?.restoreJobId, undefined, "the job's id never reached the status");

    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
    const done = await restores.waitFor(namespace, 'crash', 'to complete', (r) => r.status?.phase === 'Completed');
    const starts = bed.proxy.callsOf('StartRestoreJob').filter((c) => c.body.RecoveryPointArn === arn);
    assert.deepEqual(starts.map((c) => c.body.IdempotencyToken), [`dynamodb-restore-${created.metadata.uid}`, `dynamodb-restore-${created.metadata.uid}`]);
    assert.equal(bed.proxy.callsOf('RestoreTableFromBackup', table).length, 1, 'one job, one DynamoDB restore');
    const asked = new Set(bed.proxy.callsOf('DescribeRestoreJob').filter((c) => c.body.RestoreJobId === done.status?.restoreJobId).map((c) => c.body.RestoreJobId));
    assert.equal(asked.size, 1);
  });

  it("fails a recovery point the named vault does not hold (team-b's recovery point named under team-a's vault) as RecoveryPointNotFound with AWS Backup's sentence, starting no job", async () => {
    // The recovery point exists, but in another team's vault: the vault the policy allows does not hold it.
    const { arn } = await recoveryPoint(OTHER_VAULT);
    const table = uniqueName('Music');
    await restores.create(namespace, 'wrong-vault', { targetTableName: table, region: 'us-east-1', source: { recoveryPoint: { recoveryPointArn: arn, backupVaultName: VAULT, iamRoleArn: ROLE } } });
    const done = await restores.waitFor(namespace, 'wrong-vault', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.deepEqual(done.status?.lastError && [done.status.lastError.code, done.status.lastError.retryable], ['ResourceNotFoundException', false]);
    assert.equal(ready(done)?.reason, 'RecoveryPointNotFound');
    assert.equal(
      ready(done)?.message,
      'The backup vault in spec.source.recoveryPoint.backupVaultName does not hold that recovery point in this account and Region (or the vault does not exist); ' +
        'check it with `aws backup list-recovery-points-by-backup-vault --backup-vault-name <vault>`, then create a new DynamoDBRestore. ' +
        `AWS said: Recovery point ${arn} not found in backup vault ${VAULT}.`,
    );
    assert.deepEqual(bed.proxy.callsOf('DescribeRecoveryPoint').filter((c) => c.body.RecoveryPointArn === arn).map((c) => c.body.BackupVaultName), [VAULT], 'asked once, of the named vault');
    assert.deepEqual(startsOf(arn), [], 'no restore job');
    assert.equal(await tableExists(ddb, table), false);
  });

  it('refuses a recovery point its vault reports EXPIRED as RecoveryPointNotRestorable, with the StatusMessage, starting no job', async () => {
    const { arn } = await recoveryPoint(VAULT, { status: 'EXPIRED', statusMessage: 'The retention period has passed' });
    await restores.create(namespace, 'expired', { targetTableName: uniqueName('Music'), region: 'us-east-1', source: { recoveryPoint: { recoveryPointArn: arn, backupVaultName: VAULT, iamRoleArn: ROLE } } });
    const done = await restores.waitFor(namespace, 'expired', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.deepEqual([done.status?.lastError?.code, ready(done)?.reason], ['RecoveryPointNotAvailable', 'RecoveryPointNotRestorable']);
    assert.equal(
      ready(done)?.message,
      `Recovery point ${arn} in backup vault ${VAULT} is EXPIRED (The retention period has passed), not COMPLETED or AVAILABLE; choose another recovery point in a new DynamoDBRestore.`,
    );
    assert.deepEqual(startsOf(arn), [], 'no restore job');
  });

  it('refuses in the operator a recovery point from a vault its policies do not allow (a policy made after admission), with no AWS Backup call', async () => {
    const { arn } = await recoveryPoint(OTHER_VAULT);
    const vaults = uniqueName('rp-vaults');
    // Admitted under the namespace's policy as it was; the stricter policy governs by the time the operator looks.
    await bed.group.stop(operator.process);
    try {
      await restores.create(namespace, 'other-vault', { targetTableName: uniqueName('Music'), region: 'us-east-1', source: { recoveryPoint: { recoveryPointArn: arn, backupVaultName: OTHER_VAULT, iamRoleArn: ROLE } } });
    } catch (err) {
      operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
      throw err;
    }
    await restores.createPolicy(vaults, { namespaces: [namespace], allowedRestoreRoleArns: [ROLE], allowedBackupVaults: ['team-a-.*'] });
    try {
      operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
      const done = await restores.waitFor(namespace, 'other-vault', 'to fail', (r) => r.status?.phase === 'Failed');
      assert.deepEqual([done.status?.lastError?.code, ready(done)?.reason], ['PolicyDenied', 'PolicyDenied']);
      assert.equal(
        ready(done)?.message,
        `DynamoDBRestorePolicy ${vaults} denies this restore (allowedBackupVaults): backup vault ${OTHER_VAULT} matches none of team-a-.*. Change the spec in a new DynamoDBRestore, or ask the platform team.`,
      );
      for (const op of ['DescribeRecoveryPoint', 'StartRestoreJob']) assert.deepEqual(bed.proxy.callsOf(op).filter((c) => c.body.RecoveryPointArn === arn), [], op);
    } finally {
      await restores.deletePolicy(vaults);
    }
  });

  for (const status of ['FAILED', 'ABORTED'] as const) {
    it(`fails a restore whose job ends ${status}, with AWS Backup's StatusMessage in the sentence`, async () => {
      const { arn } = await recoveryPoint();
      const table = uniqueName('Music');
      const message = `The job was ${status.toLowerCase()} by the test`;
      bed.proxy.awsBackup.jobEnds.set(table, { status, message });
      const name = `ended-${status.toLowerCase()}`;
      await restores.create(namespace, name, { targetTableName: table, region: 'us-east-1', source: { recoveryPoint: { recoveryPointArn: arn, backupVaultName: VAULT, iamRoleArn: ROLE } } });
      const done = await restores.waitFor(namespace, name, 'to fail', (r) => r.status?.phase === 'Failed');
      assert.equal(done.status?.lastError?.code, status === 'FAILED' ? 'RestoreJobFailed' : 'RestoreJobAborted');
      assert.equal(ready(done)?.reason, 'RestoreJobFailed');
      assert.equal(done.status?.restoreJobStatus, status);
      assert.equal(
        ready(done)?.message,
        `AWS Backup restore job ${done.status?.restoreJobId ?? ''} of recovery point ${arn} ended ${status}: ${message}. ` +
          `Fix what it names, then create a new DynamoDBRestore; a table ${table} that this job did not create is left untouched.`,
      );
      assert.equal(done.status?.tableId, undefined, 'no table recorded as this resource\'s');
    });
  }

  it('never adopts, tags or deletes a table of the target name that the job did not create: the job fails, the table stays as it was', async () => {
    const { arn } = await recoveryPoint();
    const table = uniqueName('Taken');
    await createMusicTable(ddb, table);
    const before = await ddb.send(new DescribeTableCommand({ TableName: table }));
    await restores.create(namespace, 'taken', { targetTableName: table, region: 'us-east-1', deletionPolicy: 'Delete', source: { recoveryPoint: { recoveryPointArn: arn, backupVaultName: VAULT, iamRoleArn: ROLE } } });
    const done = await restores.waitFor(namespace, 'taken', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(ready(done)?.reason, 'RestoreJobFailed');
    assert.match(ready(done)?.message ?? '', new RegExp(`ended FAILED: Table already exists: ${table}\\.`));
    assert.equal(done.status?.tableId, undefined);
    await restores.delete(namespace, 'taken');
    await restores.waitGone(namespace, 'taken');
    const after = await ddb.send(new DescribeTableCommand({ TableName: table }));
    assert.equal(after.Table?.TableId, before.Table?.TableId, 'the same table, not deleted');
    const tags = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: after.Table?.TableArn }));
    assert.deepEqual(tags.Tags ?? [], [], 'not tagged');
    const touching = (c: { body: Record<string, unknown> }) => c.body.TableName === table || (typeof c.body.ResourceArn === 'string' && c.body.ResourceArn.endsWith(`:table/${table}`));
    for (const op of ['DeleteTable', 'TagResource']) assert.equal(bed.proxy.callsOf(op).filter(touching).length, 0, op);
  });

  it('holds a resource deleted while its job runs until the job ends, then (deletionPolicy Delete) deletes the table the job made', async () => {
    const { arn } = await recoveryPoint();
    const table = uniqueName('Scratch');
    bed.proxy.restoreDuration = () => 60_000;
    try {
      await restores.create(namespace, 'scratch', { targetTableName: table, region: 'us-east-1', deletionPolicy: 'Delete', source: { recoveryPoint: { recoveryPointArn: arn, backupVaultName: VAULT, iamRoleArn: ROLE } } });
      await restores.waitFor(namespace, 'scratch', 'to report the job RUNNING', (r) => r.status?.restoreJobStatus === 'RUNNING');
    } finally {
      bed.proxy.restoreDuration = undefined;
    }
    await restores.delete(namespace, 'scratch');
    const waiting = await restores.waitFor(namespace, 'scratch', 'to wait for its job', (r) => ready(r)?.reason === 'DeletionWaiting');
    assert.match(ready(waiting)?.message ?? '', /^AWS Backup restore job \S+ is RUNNING; the resource goes once it has ended \(then the table it made is deleted\)\.$/);
    assert.equal(await tableExists(ddb, table), true, 'the job is making the table');
    bed.proxy.finishCreating(table);
    await restores.waitGone(namespace, 'scratch');
    assert.equal(await tableExists(ddb, table), false, "the job's table was deleted");
    assert.equal(bed.proxy.callsOf('DeleteTable', table).filter((c) => !c.error).length, 1);
  });

  describe('under a DynamoDBRestorePolicy', () => {
    const governed = uniqueName('rp-governed');
    const policy = uniqueName('rp-policy');
    const allowedPoint = 'arn:aws:backup:us-east-1:123456789012:recovery-point:allowed-.*';

    before(async () => {
      await bed.createNamespace(governed, { governed: false });
      await restores.createPolicy(policy, { namespaces: [governed], allowedSources: [allowedPoint], allowedRestoreRoleArns: [ROLE], allowedBackupVaults: ['team-a-.*'] });
      await bed.apply(readFileSync(join(REPO, 'deploy/kustomize/base/admission-policy.yaml'), 'utf8'));
    });

    after(async () => restores.deletePolicy(policy));

    it('refuses at admission a recovery point outside allowedSources, a restore role outside allowedRestoreRoleArns, and another team\'s vault outside allowedBackupVaults, naming the policy and the rule', async () => {
      const outside = recoveryPointArn('other-1');
      assert.match(
        await restores.refusedAtAdmission(governed, { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: { recoveryPointArn: outside, backupVaultName: VAULT, iamRoleArn: ROLE } } }),
        new RegExp(`DynamoDBRestorePolicy ${policy} denies this restore \\(allowedSources\\): recovery point ${outside} matches none of ${allowedPoint.replaceAll('.', '\\.').replaceAll('*', '\\*')}`),
      );
      const otherRole = 'arn:aws:iam::123456789012:role/admin';
      assert.match(
        await restores.refusedAtAdmission(governed, { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: { recoveryPointArn: recoveryPointArn('allowed-1'), backupVaultName: VAULT, iamRoleArn: otherRole } } }),
        new RegExp(`DynamoDBRestorePolicy ${policy} denies this restore \\(allowedRestoreRoleArns\\): restore role ${otherRole} matches none of ${ROLE}`),
      );
      // team-a naming team-b's vault (with a recovery point ARN its allowedSources admits).
      assert.match(
        await restores.refusedAtAdmission(governed, { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: { recoveryPointArn: recoveryPointArn('allowed-1'), backupVaultName: OTHER_VAULT, iamRoleArn: ROLE } } }),
        new RegExp(`DynamoDBRestorePolicy ${policy} denies this restore \\(allowedBackupVaults\\): backup vault ${OTHER_VAULT} matches none of team-a-\\.\\*`),
      );
    });
  });
});
