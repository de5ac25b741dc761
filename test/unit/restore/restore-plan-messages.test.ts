// The plan's sentences and a few edges, step by step: the Ready message of each step written down word for word
// (product text: the status, the events and `kubectl describe` show it). restore-plan.test.ts walks every phase ×
// observation; this file pins what the steps say.
import assert from 'node:assert/strict';
import type { DynamoDBRestore, DynamoDBRestoreSpec, DynamoDBRestoreStatus } from '../../../src/api/dynamodb-restore.ts';
import { AwsError, type TableState } from '../../../src/aws/dynamodb-port.ts';
import { planRestore } from '../../../src/restore/restore-plan.ts';
import type { Observation, PlanOptions, Step } from '../../../src/restore/restore-vocabulary.ts';

const BACKUP_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const OTHER_BACKUP_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01581080476474-e177ebe2';
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music';
const TABLE_ID = 'b5e3a9a0-0000-4000-8000-000000000001';
const OPTIONS: PlanOptions = { pollMinMs: 2_000, pollMaxMs: 120_000, adoptionSkewMs: 5_000, defaultRegion: 'us-east-1', allowUngovernedNamespaces: true };
const REQUESTED_AT = '2025-03-01T10:00:00.000Z';
const STARTED_AT = '2025-03-01T10:00:02.000Z';
const NOW = new Date('2025-03-01T10:05:02.000Z');
const SPEC: DynamoDBRestoreSpec = { targetTableName: 'Music', source: { backupArn: BACKUP_ARN } };
const PIT_SPEC: DynamoDBRestoreSpec = { targetTableName: 'Music', source: { pointInTime: { sourceTableName: 'Music-prod', restoreDateTime: '2025-02-20T00:00:00Z' } } };

const RESTORING: DynamoDBRestoreStatus = { phase: 'Restoring', observedGeneration: 1, backupArn: BACKUP_ARN, restoreRequestedAt: REQUESTED_AT, startTime: STARTED_AT, tableArn: TABLE_ARN, tableId: TABLE_ID };
const CONFIGURING: DynamoDBRestoreStatus = { ...RESTORING, phase: 'Configuring', tableStatus: 'ACTIVE' };

function plan(status: DynamoDBRestoreStatus | undefined, observation: Observation, spec: DynamoDBRestoreSpec = SPEC, options: PlanOptions = OPTIONS): Step {
  const restore: DynamoDBRestore = {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { name: 'music', namespace: 'team-a', uid: 'uid-1', generation: 1, resourceVersion: '1' },
    spec: structuredClone(spec),
    ...(status && { status: structuredClone(status) }),
  };
  return planRestore(restore, observation, NOW, options);
}
const ready = (step: Step) => step.status.conditions?.find((c) => c.type === 'Ready');
const says = (step: Step) => [step.status.phase, ready(step)?.reason, ready(step)?.message];
const table = (extra: Partial<TableState> = {}): TableState => ({ name: 'Music', arn: TABLE_ARN, id: TABLE_ID, status: 'ACTIVE', ...extra });

describe('the plan, sentence by sentence', () => {
  describe('validating', () => {
    it('says which resource in this namespace holds the claim on the table name', () => {
      assert.deepEqual(says(plan(undefined, { kind: 'claimHeld', holder: 'team-a/music-old' })), [
        'Failed',
        'TableClaimed',
        'Table Music in us-east-1 is already claimed by DynamoDBRestore music-old in this namespace: one resource per table, so this one makes no AWS call. Choose another targetTableName in a new DynamoDBRestore, or delete the other resource first.',
      ]);
    });

    it('does not name a holder in another namespace', () => {
      assert.equal(
        ready(plan(undefined, { kind: 'claimHeld', holder: 'team-b/music' }))?.message,
        'Table Music in us-east-1 is already claimed by a DynamoDBRestore in another namespace: one resource per table, so this one makes no AWS call. Choose another targetTableName in a new DynamoDBRestore, or delete the other resource first.',
      );
    });

    it('says it checks point-in-time recovery of the source table', () => {
      assert.deepEqual(says(plan(undefined, { kind: 'claimGranted' }, PIT_SPEC)), ['Validating', 'Validating', 'Checking point-in-time recovery of table Music-prod.']);
    });

    it('says which backup it looks for: of a name, or the newest of the table', () => {
      const named: DynamoDBRestoreSpec = { targetTableName: 'Music', source: { backup: { tableName: 'Music', backupName: 'nightly' } } };
      const latest: DynamoDBRestoreSpec = { targetTableName: 'Music', source: { backup: { tableName: 'Music', latest: true } } };
      assert.equal(ready(plan(undefined, { kind: 'claimGranted' }, named))?.message, 'Looking for the newest AVAILABLE backup named nightly of table Music.');
      assert.equal(ready(plan(undefined, { kind: 'claimGranted' }, latest))?.message, 'Looking for the newest AVAILABLE backup of table Music.');
    });

    it('says no backup of the name (or, for the newest, none at all) was found, with the list-backups command for the table', () => {
      const named: DynamoDBRestoreSpec = { targetTableName: 'Music', source: { backup: { tableName: 'Music', backupName: 'nightly' } } };
      const latest: DynamoDBRestoreSpec = { targetTableName: 'Music', source: { backup: { tableName: 'Music', latest: true } } };
      assert.deepEqual(says(plan({ phase: 'Validating' }, { kind: 'backupsListed', backups: [] }, named)), [
        'Failed',
        'BackupNotFound',
        'No AVAILABLE backup named nightly of table Music in us-east-1; check `aws dynamodb list-backups --table-name Music`.',
      ]);
      assert.deepEqual(says(plan({ phase: 'Validating' }, { kind: 'backupsListed', backups: [] }, latest)), [
        'Failed',
        'BackupNotFound',
        'No AVAILABLE backup of table Music in us-east-1; check `aws dynamodb list-backups --table-name Music`.',
      ]);
    });

    it('says a backup still being created is looked at again in 30 s', () => {
      const step = plan({ phase: 'Validating', backupArn: BACKUP_ARN }, { kind: 'backupDescribed', backup: { arn: BACKUP_ARN, name: 'MusicBackup', status: 'CREATING' } });
      assert.deepEqual(says(step), ['Validating', 'BackupNotReady', 'Backup MusicBackup is still being created; the operator looks again in 30s.']);
      assert.deepEqual(step.action, { kind: 'requeue', afterMs: 30_000 });
    });

    it('names the source table when point-in-time recovery is off', () => {
      assert.deepEqual(says(plan({ phase: 'Validating' }, { kind: 'continuousBackupsDescribed', pitr: { status: 'DISABLED' } }, PIT_SPEC)), [
        'Failed',
        'PointInTimeRecoveryUnavailable',
        'Point-in-time recovery is DISABLED on table Music-prod: enable it (it then covers the time from that moment on) or restore from a backup in a new DynamoDBRestore.',
      ]);
    });

    it('accepts a restore time exactly at either end of the recovery window', () => {
      const at = (restoreDateTime: string): DynamoDBRestoreSpec => ({ targetTableName: 'Music', source: { pointInTime: { sourceTableName: 'Music-prod', restoreDateTime } } });
      const pitr = { status: 'ENABLED', earliest: '2025-02-01T00:00:00Z', latest: '2025-03-01T09:55:00Z' };
      for (const moment of [pitr.earliest, pitr.latest]) {
        assert.deepEqual(plan({ phase: 'Validating' }, { kind: 'continuousBackupsDescribed', pitr }, at(moment)).action, { kind: 'acquireSlot' }, moment);
      }
    });

    it('says the window a restore time outside it may be chosen from', () => {
      const pitr = { status: 'ENABLED', earliest: '2025-02-21T00:00:00Z', latest: '2025-03-01T09:55:00Z' };
      assert.deepEqual(says(plan({ phase: 'Validating' }, { kind: 'continuousBackupsDescribed', pitr }, PIT_SPEC)), [
        'Failed',
        'InvalidRestoreTime',
        'Table Music-prod can be restored to a moment between 2025-02-21T00:00:00Z and 2025-03-01T09:55:00Z, not 2025-02-20T00:00:00Z; choose one in that window in a new DynamoDBRestore.',
      ]);
    });

    it('keeps the last error while waiting for the claim (the answer is the operator\'s, not AWS\'s)', () => {
      const lastError = { code: 'ThrottlingException', message: 'AWS throttled DescribeBackup; the operator slows down and retries.', retryable: true };
      assert.deepEqual(plan({ phase: 'Validating', backupArn: BACKUP_ARN, lastError }, { kind: 'claimGranted' }).status.lastError, lastError);
    });
  });

  describe('restoring', () => {
    it('keeps the last error when a reconcile starts with nothing new', () => {
      const lastError = { code: 'ThrottlingException', message: 'AWS throttled DescribeTable; the operator slows down and retries.', retryable: true };
      assert.deepEqual(plan({ ...RESTORING, lastError }, { kind: 'nothing' }).status.lastError, lastError);
    });

    it('records no tableId or tableCreatedAt when the restore call answers without them', () => {
      const { startTime: _s, tableArn: _a, tableId: _i, ...requested } = RESTORING;
      const step = plan(requested, { kind: 'restoreStarted', table: { name: 'Music', arn: TABLE_ARN, status: 'CREATING' } });
      assert.equal(step.status.phase, 'Restoring');
      assert.deepEqual([Object.hasOwn(step.status, 'tableId'), Object.hasOwn(step.status, 'tableCreatedAt')], [false, false]);
    });

    it('says the table disappeared while being restored', () => {
      assert.deepEqual(says(plan(RESTORING, { kind: 'described', table: undefined })), [
        'Failed',
        'TableLost',
        'Table Music disappeared while it was being restored; AWS deletes a table whose restore fails (for example when the KMS key was disabled). Create a new DynamoDBRestore to try again.',
      ]);
    });

    it('says TableId unknown when the table under the name reports none', () => {
      assert.equal(
        ready(plan(RESTORING, { kind: 'described', table: table({ id: undefined, status: 'CREATING' }) }))?.message,
        `Table Music is not the table this resource restored (TableId unknown, not ${TABLE_ID}): it was deleted and replaced; it is left untouched.`,
      );
    });

    it('fails KMSKeyUnavailable for a table that cannot reach its KMS key', () => {
      assert.deepEqual(says(plan(RESTORING, { kind: 'described', table: table({ status: 'INACCESSIBLE_ENCRYPTION_CREDENTIALS' }) })), [
        'Failed',
        'KMSKeyUnavailable',
        'Table Music cannot reach its KMS key (INACCESSIBLE_ENCRYPTION_CREDENTIALS); enable the key or grant the operator access to it.',
      ]);
    });

    it('says a table DELETING while restored cannot complete', () => {
      assert.deepEqual(says(plan(RESTORING, { kind: 'described', table: table({ status: 'DELETING' }) })), [
        'Failed',
        'TableLost',
        'Table Music is DELETING while it was being restored; the restore cannot complete.',
      ]);
    });

    it('says an ACTIVE table without a recorded identity that came from another backup is left untouched', () => {
      const legacy = { ...RESTORING, tableId: undefined };
      const other = table({ id: undefined, restoreSummary: { sourceBackupArn: OTHER_BACKUP_ARN, restoreDateTime: STARTED_AT, restoreInProgress: false } });
      assert.deepEqual(says(plan(legacy, { kind: 'described', table: other })), [
        'Failed',
        'TableLost',
        `Table Music is ACTIVE but was not restored from backup ${BACKUP_ARN} (its RestoreSummary says otherwise); it is left untouched.`,
      ]);
    });

    it('says it tags an ACTIVE table as restored by this resource', () => {
      const step = plan(RESTORING, { kind: 'described', table: table() });
      assert.deepEqual(says(step), ['Restoring', 'Restoring', 'Table Music is ACTIVE; tagging it as restored by this resource.']);
      assert.equal(step.action.kind === 'tagTable' && step.action.tableArn, TABLE_ARN);
    });

    it('says it applies tableSettings once the tagged table is ACTIVE', () => {
      const spec: DynamoDBRestoreSpec = { ...SPEC, tableSettings: { deletionProtection: true } };
      assert.deepEqual(says(plan({ ...RESTORING, tableStatus: 'ACTIVE' }, { kind: 'tagged' }, spec)), ['Configuring', 'Configuring', 'Table Music is ACTIVE; applying tableSettings.']);
    });
  });

  describe('configuring', () => {
    const spec: DynamoDBRestoreSpec = { ...SPEC, tableSettings: { stream: { viewType: 'NEW_IMAGE' }, deletionProtection: true } };

    it('says the table disappeared while its tableSettings were applied', () => {
      assert.deepEqual(says(plan(CONFIGURING, { kind: 'settingsDescribed', settings: undefined }, spec)), [
        'Failed',
        'TableLost',
        'Table Music disappeared while its tableSettings were applied; it is not restored again. Create a new DynamoDBRestore to try again.',
      ]);
    });

    it('says it waits for the table to be ACTIVE again once every setting is in place', () => {
      const settings = { table: table({ status: 'UPDATING', streamViewType: 'NEW_IMAGE', deletionProtection: true }) };
      assert.deepEqual(says(plan(CONFIGURING, { kind: 'settingsDescribed', settings }, spec)), [
        'Configuring',
        'Configuring',
        'Every tableSetting is in place; waiting for table Music to be ACTIVE again (it is UPDATING).',
      ]);
    });

    it('says which setting waits for a busy table, and how many are in place', () => {
      const settings = { table: table({ status: 'UPDATING', deletionProtection: true }) };
      assert.deepEqual(says(plan(CONFIGURING, { kind: 'settingsDescribed', settings }, spec)), [
        'Configuring',
        'Configuring',
        'Waiting to apply tableSettings.stream: the table is UPDATING (1 of 2 tableSettings in place).',
      ]);
    });

    it('lists the settings applied, comma-separated, when it completes', () => {
      const settings = { table: table({ streamViewType: 'NEW_IMAGE', deletionProtection: true }) };
      assert.deepEqual(says(plan(CONFIGURING, { kind: 'settingsDescribed', settings }, spec)), [
        'Completed',
        'RestoreCompleted',
        `Table Music is ACTIVE, restored from backup ${BACKUP_ARN}; tableSettings applied: stream, deletionProtection.`,
      ]);
    });
  });
});

describe('the plan: edges of its sentences and of the last error', () => {
  it('says a restore with no tableSettings is complete with nothing after the source', () => {
    assert.deepEqual(says(plan(CONFIGURING, { kind: 'settingsDescribed', settings: { table: table() } })), [
      'Completed',
      'RestoreCompleted',
      `Table Music is ACTIVE, restored from backup ${BACKUP_ARN}.`,
    ]);
  });

  it("says \"the operator's Region\" where neither the spec nor the operator's configuration names one", () => {
    const { defaultRegion: _unset, ...noRegion } = OPTIONS;
    assert.equal(
      ready(plan(undefined, { kind: 'claimHeld', holder: 'team-b/music' }, SPEC, noRegion))?.message,
      "Table Music in the operator's Region is already claimed by a DynamoDBRestore in another namespace: one resource per table, so this one makes no AWS call. Choose another targetTableName in a new DynamoDBRestore, or delete the other resource first.",
    );
  });

  it('keeps the last error while the answer is another error: TableAlreadyExists sends it to look at the table with the throttling it had', () => {
    const lastError = { code: 'ThrottlingException', message: 'AWS throttled DescribeTable; the operator slows down and retries.', retryable: true };
    const step = plan({ ...RESTORING, lastError }, { kind: 'failed', error: new AwsError('TableAlreadyExistsException', 'Table already exists: Music', 'RestoreTableFromBackup') });
    assert.deepEqual([step.action.kind, step.status.lastError], ['describeTable', lastError]);
  });
});
