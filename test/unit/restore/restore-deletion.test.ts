import assert from 'node:assert/strict';
import type { DynamoDBRestore, DynamoDBRestoreSpec, DynamoDBRestoreStatus } from '../../../src/api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy } from '../../../src/api/dynamodb-restore-policy.ts';
import { AwsError, type TableState } from '../../../src/aws/dynamodb-port.ts';
import { DELETION_RECHECK_MS, FINALIZER, planDeletion, wantsFinalizer } from '../../../src/restore/restore-deletion.ts';
import { OWNER_UID_TAG, ownerTags } from '../../../src/restore/restore-ownership.ts';
import { holdsSlot } from '../../../src/restore/restore-slots.ts';
import type { Observation, PlanOptions, Step } from '../../../src/restore/restore-vocabulary.ts';

const BACKUP_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music';
const UID = 'uid-1';
const REQUESTED_AT = '2025-03-01T10:00:00.000Z';
const NOW = new Date('2025-03-01T11:00:00.000Z');
const OPTIONS: PlanOptions = { pollMinMs: 2_000, pollMaxMs: 120_000, adoptionSkewMs: 5_000, defaultRegion: 'us-east-1', allowUngovernedNamespaces: true };
const SPEC: DynamoDBRestoreSpec = { targetTableName: 'Music', source: { backupArn: BACKUP_ARN }, deletionPolicy: 'Delete' };
const TABLE_ID = 'b5e3a9a0-0000-4000-8000-000000000001';
const STARTED: DynamoDBRestoreStatus = { phase: 'Completed', backupArn: BACKUP_ARN, restoreRequestedAt: REQUESTED_AT, startTime: REQUESTED_AT, tableArn: TABLE_ARN, tableId: TABLE_ID };

function deleting(status: DynamoDBRestoreStatus | undefined = STARTED, spec: DynamoDBRestoreSpec = SPEC): DynamoDBRestore {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { name: 'music', namespace: 'team-a', uid: UID, generation: 1, resourceVersion: '7', finalizers: [FINALIZER], deletionTimestamp: NOW },
    spec: structuredClone(spec),
    ...(status ? { status: structuredClone(status) } : {}),
  };
}

/** The table this resource recorded (its TableId), restored from our backup, with the status given. */
const ours = (status = 'ACTIVE', extra: Partial<TableState> = {}): TableState => ({
  name: 'Music',
  arn: TABLE_ARN,
  id: TABLE_ID,
  status,
  createdAt: '2025-03-01T10:00:01.000Z',
  restoreSummary: { sourceBackupArn: BACKUP_ARN },
  ...extra,
});
/** A table under the same name with another TableId: ours was deleted and replaced. */
const foreign: TableState = { name: 'Music', arn: TABLE_ARN, id: 'b5e3a9a0-0000-4000-8000-00000000f0e1', status: 'ACTIVE', createdAt: '2025-03-01T10:30:00.000Z' };
const seen = (table: TableState | undefined, tags: Record<string, string> = {}): Observation => ({ kind: 'settingsDescribed', settings: table && { table, tags } });
const TAGGED = { [OWNER_UID_TAG]: UID };
const reasonOf = (step: Step) => step.status.conditions?.find((c) => c.type === 'Ready')?.reason;
const messageOf = (step: Step) => step.status.conditions?.find((c) => c.type === 'Ready')?.message ?? '';

describe('planDeletion', () => {
  it('Delete always wants the finalizer; Retain only until its restore no longer holds a slot', () => {
    assert.equal(wantsFinalizer(deleting(STARTED, { ...SPEC, deletionPolicy: 'Delete' })), true);
    assert.equal(wantsFinalizer(deleting(STARTED, { ...SPEC, deletionPolicy: 'Retain' })), false);
    assert.equal(wantsFinalizer(deleting(STARTED, { ...SPEC, deletionPolicy: undefined })), false);
    const retain = { ...SPEC, deletionPolicy: 'Retain' as const };
    const cases: Array<[string, DynamoDBRestoreStatus | undefined, boolean]> = [
      ['new (empty status)', {}, true],
      ['Validating', { phase: 'Validating' }, true],
      ['Queued', { phase: 'Queued' }, true],
      ['Restoring, table CREATING', { phase: 'Restoring', restoreRequestedAt: REQUESTED_AT, tableStatus: 'CREATING' }, true],
      ['Restoring, table ACTIVE (tagging)', { phase: 'Restoring', restoreRequestedAt: REQUESTED_AT, tableStatus: 'ACTIVE' }, false],
      ['Configuring', { phase: 'Configuring', tableStatus: 'ACTIVE' }, false],
      ['Completed', { phase: 'Completed', tableStatus: 'ACTIVE' }, false],
      ['Failed', { phase: 'Failed' }, false],
    ];
    for (const [what, status, expected] of cases) assert.equal(wantsFinalizer(deleting(status, retain)), expected, what);
  });

  it('Retain with no restore in flight (changed from Delete, or never asked): lets the resource go with no AWS call', () => {
    assert.deepEqual(planDeletion(deleting(STARTED, { ...SPEC, deletionPolicy: 'Retain' }), { kind: 'nothing' }, NOW, OPTIONS).action, { kind: 'releaseFinalizer' });
    const neverAsked = deleting({ phase: 'Queued' }, { ...SPEC, deletionPolicy: 'Retain' });
    assert.deepEqual(planDeletion(neverAsked, { kind: 'nothing' }, NOW, OPTIONS).action, { kind: 'releaseFinalizer' });
  });

  it('Retain, deleted mid-restore: keeps the resource (and its slot) while the table is CREATING, then lets it go without deleting it', () => {
    const retain = { ...SPEC, deletionPolicy: 'Retain' as const };
    const midRestore = deleting({ ...STARTED, phase: 'Restoring', tableStatus: 'CREATING' }, retain);
    const waiting = planDeletion(midRestore, seen(ours('CREATING')), NOW, OPTIONS);
    assert.deepEqual(waiting.action, { kind: 'requeue', afterMs: 5_000 });
    assert.equal(reasonOf(waiting), 'DeletionWaiting');
    assert.equal(waiting.status.tableStatus, 'CREATING');
    assert.equal(messageOf(waiting), 'Table Music is CREATING; AWS counts its restore until it is ACTIVE, and so does the operator: the resource goes then.');
    const active = planDeletion(midRestore, seen(ours('ACTIVE')), NOW, OPTIONS);
    assert.deepEqual(active.action, { kind: 'releaseFinalizer' });
    assert.equal(active.status.tableStatus, 'ACTIVE', 'the slot count sees the table ACTIVE');
  });

  it('no restore ever requested: nothing to delete', () => {
    for (const status of [{}, { phase: 'Failed' as const, backupArn: BACKUP_ARN }]) {
      assert.deepEqual(planDeletion(deleting(status), { kind: 'nothing' }, NOW, OPTIONS).action, { kind: 'releaseFinalizer' });
    }
  });

  it('a restore call never answered with a table: looks at the table under the name, with its tags, before letting go', () => {
    const unanswered = { phase: 'Restoring' as const, backupArn: BACKUP_ARN, restoreRequestedAt: REQUESTED_AT };
    for (const deletionPolicy of ['Delete', 'Retain'] as const) {
      const step = planDeletion(deleting(unanswered, { ...SPEC, deletionPolicy }), { kind: 'nothing' }, NOW, OPTIONS);
      assert.deepEqual(step.action, { kind: 'describeSettings', tableName: 'Music', read: ['tags'] }, deletionPolicy);
    }
  });

  it('a restore call never answered, and the table under the name is not its lost answer (none, another source, older than the call, another uid tag): deletes nothing, says so', () => {
    const neverTookHold = { ...STARTED, phase: 'Failed' as const, startTime: undefined, tableId: undefined };
    const cases: Array<[string, Observation]> = [
      ['no table', seen(undefined)],
      ['restored from another backup', seen(ours('ACTIVE', { restoreSummary: { sourceBackupArn: `${BACKUP_ARN}0` } }), TAGGED)],
      ['created an hour before the call', seen(ours('ACTIVE', { createdAt: '2025-03-01T09:00:00.000Z' }), TAGGED)],
      ["carrying another resource's uid tag", seen(ours(), { [OWNER_UID_TAG]: 'uid-2' })],
      ['not restored at all (no RestoreSummary), even with our uid tag forged on it', seen(foreign, TAGGED)],
    ];
    for (const [what, observation] of cases) {
      const step = planDeletion(deleting(neverTookHold), observation, NOW, OPTIONS);
      assert.deepEqual(step.action, { kind: 'releaseFinalizer' }, what);
      assert.equal(reasonOf(step), 'TableNotOwned', what);
      assert.equal(messageOf(step), 'No table was recorded as restored by this resource, so none is deleted; table Music, if any, is left untouched.', what);
    }
  });

  it('a restore call whose answer was lost, deleted while AWS makes the table: records the table as its own and waits while it is CREATING, holding its slot', () => {
    const unanswered = { phase: 'Restoring' as const, backupArn: BACKUP_ARN, restoreRequestedAt: REQUESTED_AT };
    const step = planDeletion(deleting(unanswered), seen(ours('CREATING'), {}), NOW, OPTIONS);
    assert.deepEqual(step.action, { kind: 'requeue', afterMs: 5_000 });
    assert.equal(reasonOf(step), 'DeletionWaiting');
    assert.equal(messageOf(step), 'Table Music is CREATING; it is deleted once ACTIVE (DynamoDB refuses to delete it before).');
    assert.equal(step.status.tableId, TABLE_ID);
    assert.equal(step.status.tableArn, TABLE_ARN);
    assert.equal(step.status.startTime, '2025-03-01T10:00:01.000Z');
    assert.equal(step.status.tableStatus, 'CREATING');
    assert.equal(holdsSlot(step.status), true);
  });

  it('a restore call whose answer was lost, deleted once the table is ACTIVE: with Delete, tags the table as its own, then deletes it; with Retain, lets go', () => {
    const unanswered = { phase: 'Restoring' as const, backupArn: BACKUP_ARN, restoreRequestedAt: REQUESTED_AT };
    const untagged = planDeletion(deleting(unanswered), seen(ours('ACTIVE'), {}), NOW, OPTIONS);
    assert.deepEqual(untagged.action, { kind: 'tagTable', tableArn: TABLE_ARN, tags: { 'dynamodb.restore.dev/owner': 'team-a/music', 'dynamodb.restore.dev/owner-uid': UID } });
    const tagged = planDeletion(deleting(unanswered), seen(ours('ACTIVE'), TAGGED), NOW, OPTIONS);
    assert.deepEqual(tagged.action, { kind: 'deleteTable', tableName: 'Music' });
    const retained = planDeletion(deleting(unanswered, { ...SPEC, deletionPolicy: 'Retain' }), seen(ours('ACTIVE'), {}), NOW, OPTIONS);
    assert.deepEqual(retained.action, { kind: 'releaseFinalizer' });
  });

  it('a policy that allows only Retain: the table stays, the resource goes, the status says why', () => {
    const policy: DynamoDBRestorePolicy = { apiVersion: 'dynamodb.restore.dev/v1alpha1', kind: 'DynamoDBRestorePolicy', metadata: { name: 'keep-tables' }, spec: { namespaces: ['team-.*'], allowedDeletionPolicies: ['Retain'] } };
    const step = planDeletion(deleting(), { kind: 'nothing' }, NOW, OPTIONS, [policy]);
    assert.deepEqual(step.action, { kind: 'releaseFinalizer' });
    assert.equal(reasonOf(step), 'PolicyDenied');
    assert.match(messageOf(step), /keep-tables denies this restore \(allowedDeletionPolicies\).*left in place/);
  });

  it('looks at the table and its tags first', () => {
    assert.deepEqual(planDeletion(deleting(), { kind: 'nothing' }, NOW, OPTIONS).action, { kind: 'describeSettings', tableName: 'Music', read: ['tags'] });
  });

  const cases: Array<[string, Observation, Step['action'], string | undefined]> = [
    ['the table is gone', seen(undefined), { kind: 'releaseFinalizer' }, undefined],
    ['ours, tagged, ACTIVE', seen(ours(), TAGGED), { kind: 'deleteTable', tableName: 'Music' }, 'DeletingTable'],
    ['ours, still CREATING (deleted mid-restore)', seen(ours('CREATING')), { kind: 'requeue', afterMs: 5_000 }, 'DeletionWaiting'],
    ['ours, UPDATING', seen(ours('UPDATING'), TAGGED), { kind: 'requeue', afterMs: 5_000 }, 'DeletionWaiting'],
    ['being deleted', seen(ours('DELETING'), TAGGED), { kind: 'requeue', afterMs: 5_000 }, 'DeletingTable'],
    ['ours by its recorded TableId, ACTIVE, not tagged yet: the tag goes on first', seen(ours()), { kind: 'tagTable', tableArn: TABLE_ARN, tags: ownerTags(deleting()) }, undefined],
    ["ours by TableId, but tagged for another resource", seen(ours(), { [OWNER_UID_TAG]: 'uid-2' }), { kind: 'requeue', afterMs: DELETION_RECHECK_MS }, 'DeletionRefused'],
    ['another TableId (replaced), tagged with our uid', seen(foreign, TAGGED), { kind: 'releaseFinalizer' }, 'TableNotOwned'],
    ["another TableId (replaced), untagged", seen(foreign), { kind: 'releaseFinalizer' }, 'TableNotOwned'],
    ['ours with deletion protection on', seen(ours('ACTIVE', { deletionProtection: true }), TAGGED), { kind: 'requeue', afterMs: DELETION_RECHECK_MS }, 'DeletionRefused'],
    ['after tagging: look again', { kind: 'tagged' }, { kind: 'describeSettings', tableName: 'Music', read: ['tags'] }, undefined],
    ['after DeleteTable: look again', { kind: 'tableDeleted' }, { kind: 'describeSettings', tableName: 'Music', read: ['tags'] }, undefined],
    ['DeleteTable busy', { kind: 'failed', error: new AwsError('ResourceInUseException', '', 'DeleteTable') }, { kind: 'requeue', afterMs: 15_000 }, 'ResourceInUse'],
    ['DeleteTable denied: looked at again later', { kind: 'failed', error: new AwsError('AccessDeniedException', '', 'DeleteTable') }, { kind: 'requeue', afterMs: DELETION_RECHECK_MS }, 'DeletionFailed'],
  ];
  for (const [situation, observation, action, reason] of cases) {
    it(`${situation} → ${action.kind}${reason ? ` (${reason})` : ''}`, () => {
      const restore = deleting();
      const before = structuredClone(restore);
      const step = planDeletion(restore, observation, NOW, OPTIONS);
      assert.deepEqual(step.action, action);
      assert.equal(reasonOf(step), reason);
      assert.deepEqual(restore, before, 'planDeletion modified its input');
      // Whatever happens, the phase the restore reached stays: deletion is not a restore phase.
      assert.equal(step.status.phase, 'Completed');
    });
  }

  it("attack: a forged owner-uid tag on someone else's table never gets it deleted by a resource whose restore failed", () => {
    // The resource failed TableAlreadyExists (no table recorded); someone with TagResource put its uid on the table.
    const failed = { phase: 'Failed' as const, backupArn: BACKUP_ARN, restoreRequestedAt: REQUESTED_AT };
    const step = planDeletion(deleting(failed), seen(foreign, TAGGED), NOW, OPTIONS);
    assert.deepEqual(step.action, { kind: 'releaseFinalizer' });
  });

  it("never deletes a table that is not the recorded one or lacks this resource's uid tag, whatever else is observed", () => {
    const tables = [ours(), ours('CREATING'), foreign, { ...ours(), id: undefined }, ours('ACTIVE', { restoreSummary: { sourceBackupArn: 'arn:other' } })];
    const tagSets: Array<Record<string, string>> = [{}, TAGGED, { [OWNER_UID_TAG]: 'uid-2' }, { 'dynamodb.restore.dev/owner': 'team-a/music' }];
    for (const table of tables) {
      for (const tags of tagSets) {
        for (const status of [STARTED, { ...STARTED, startTime: undefined }, { ...STARTED, tableId: undefined }]) {
          const step = planDeletion(deleting(status), seen(table, tags), NOW, OPTIONS);
          const deletable = table.id === TABLE_ID && status.tableId === TABLE_ID && tags[OWNER_UID_TAG] === UID && table.status === 'ACTIVE' && !table.deletionProtection;
          if (!deletable) assert.notEqual(step.action.kind, 'deleteTable', JSON.stringify({ table, tags, status }));
        }
      }
    }
  });

  it('refusals tell the user who can let the resource go', () => {
    const refused = planDeletion(deleting(), seen(ours(), { [OWNER_UID_TAG]: 'uid-2' }), NOW, OPTIONS);
    assert.equal(
      messageOf(refused),
      "Table Music carries another resource's ownership tag (dynamodb.restore.dev/owner-uid=uid-2), so it is not deleted. " +
        'A cluster administrator (the platform team) can set spec.deletionPolicy: Retain on this resource to let it go and keep the table.',
    );
    const protectedTable = planDeletion(deleting(), seen(ours('ACTIVE', { deletionProtection: true }), TAGGED), NOW, OPTIONS);
    assert.match(messageOf(protectedTable), /deletion protection on.*--no-deletion-protection-enabled.*a cluster administrator \(the platform team\) set spec\.deletionPolicy: Retain/);
  });
});

describe('planDeletion of a recovery point restore whose job has not reported its table', () => {
  const POINT = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';
  const RP_SPEC: DynamoDBRestoreSpec = {
    targetTableName: 'Music',
    region: 'us-east-1',
    source: { recoveryPoint: { recoveryPointArn: POINT, backupVaultName: 'team-a-vault', iamRoleArn: 'arn:aws:iam::123456789012:role/aws-backup-restore' } },
    deletionPolicy: 'Delete',
  };
  const RUNNING: DynamoDBRestoreStatus = { phase: 'Restoring', restoreRequestedAt: REQUESTED_AT, startTime: REQUESTED_AT, restoreJobId: 'JOB-1', restoreJobStatus: 'RUNNING' };
  const job = (status: string, createdResourceArn?: string): Observation => ({ kind: 'restoreJobDescribed', job: { id: 'JOB-1', status, ...(createdResourceArn && { createdResourceArn }) } });
  const retain = { ...RP_SPEC, deletionPolicy: 'Retain' as const };

  it('asks about the job first, with either deletionPolicy', () => {
    for (const spec of [RP_SPEC, retain]) assert.deepEqual(planDeletion(deleting(RUNNING, spec), { kind: 'nothing' }, NOW, OPTIONS).action, { kind: 'describeRestoreJob', restoreJobId: 'JOB-1' });
  });

  it('waits while the job runs (AWS counts the restore), saying so', () => {
    const step = planDeletion(deleting(RUNNING), job('RUNNING'), NOW, OPTIONS);
    assert.deepEqual(step.action, { kind: 'requeue', afterMs: 5_000 });
    assert.equal(reasonOf(step), 'DeletionWaiting');
    assert.equal(messageOf(step), 'AWS Backup restore job JOB-1 is RUNNING; the resource goes once it has ended (then the table it made is deleted).');
  });

  it('lets the resource go when the job ended without a table, deleting nothing', () => {
    for (const status of ['FAILED', 'ABORTED']) {
      const step = planDeletion(deleting(RUNNING), job(status), NOW, OPTIONS);
      assert.deepEqual([step.action.kind, step.status.restoreJobStatus], ['releaseFinalizer', status]);
    }
  });

  it('records the table the completed job names, then its TableId at the first look, and deletes only that table once tagged', () => {
    const completed = planDeletion(deleting(RUNNING), job('COMPLETED', TABLE_ARN), NOW, OPTIONS);
    assert.deepEqual([completed.status.restoreJobStatus, completed.status.tableArn, completed.action], ['COMPLETED', TABLE_ARN, { kind: 'describeSettings', tableName: 'Music', read: ['tags'] }]);
    const looked = planDeletion(deleting(completed.status, RP_SPEC), seen(ours('ACTIVE'), TAGGED), NOW, OPTIONS);
    assert.deepEqual([looked.status.tableId, looked.action], [TABLE_ID, { kind: 'deleteTable', tableName: 'Music' }]);
    const creating = planDeletion(deleting(completed.status, RP_SPEC), seen(ours('CREATING')), NOW, OPTIONS);
    assert.deepEqual([creating.status.tableId, creating.action.kind, reasonOf(creating)], [TABLE_ID, 'requeue', 'DeletionWaiting']);
  });

  it('never takes a table the job does not name: another ARN in CreatedResourceArn, or a table of another ARN, is let go untouched', () => {
    const elsewhere = planDeletion(deleting(RUNNING), job('COMPLETED', 'arn:aws:dynamodb:us-east-1:123456789012:table/Other'), NOW, OPTIONS);
    assert.equal(elsewhere.action.kind, 'releaseFinalizer');
    const completed = { ...RUNNING, restoreJobStatus: 'COMPLETED', tableArn: TABLE_ARN };
    const other = planDeletion(deleting(completed), seen({ ...ours('ACTIVE'), arn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/Music' }, TAGGED), NOW, OPTIONS);
    assert.deepEqual([other.action.kind, other.status.tableId], ['releaseFinalizer', undefined]);
  });

  it('with Retain, lets the resource go once the job is done and its table ACTIVE', () => {
    const completed = { ...RUNNING, restoreJobStatus: 'COMPLETED', tableArn: TABLE_ARN };
    assert.equal(planDeletion(deleting(completed, retain), seen(ours('ACTIVE')), NOW, OPTIONS).action.kind, 'releaseFinalizer');
  });

  it('lets go of a job that made another table with the job status recorded in the status it leaves', () => {
    const elsewhere = planDeletion(deleting(RUNNING), job('COMPLETED', 'arn:aws:dynamodb:us-east-1:123456789012:table/Other'), NOW, OPTIONS);
    assert.deepEqual(elsewhere.status, { ...RUNNING, restoreJobStatus: 'COMPLETED' });
  });

  it('once the job is recorded COMPLETED (its table ARN too, no TableId yet), looks at the table with its tags without asking about the job again', () => {
    const completed = { ...RUNNING, restoreJobStatus: 'COMPLETED', tableArn: TABLE_ARN };
    assert.deepEqual(planDeletion(deleting(completed), { kind: 'nothing' }, NOW, OPTIONS).action, { kind: 'describeSettings', tableName: 'Music', read: ['tags'] });
  });

  it('retries a DescribeRestoreJob that fails (throttled) after 5 s, saying the table could not be deleted', () => {
    const step = planDeletion(deleting(RUNNING), { kind: 'failed', error: new AwsError('ThrottlingException', '', 'DescribeRestoreJob') }, NOW, OPTIONS);
    assert.deepEqual(step.action, { kind: 'requeue', afterMs: 5_000 }, 'throttling is waited out 5 s');
    assert.equal(messageOf(step), 'Table Music could not be deleted: AWS throttled DescribeRestoreJob; the operator slows down and retries.');
  });

  it('with Retain, says AWS counts the restore while the job runs', () => {
    assert.equal(
      messageOf(planDeletion(deleting(RUNNING, retain), job('RUNNING'), NOW, OPTIONS)),
      'AWS Backup restore job JOB-1 is RUNNING; the resource goes once it has ended (AWS counts the restore until then, and so does the operator).',
    );
  });

  it('attack: a table that replaced the recovery point\'s recorded one (same ARN, another TableId, our uid tag copied) is not deleted', () => {
    const done = { ...RUNNING, phase: 'Completed' as const, restoreJobStatus: 'COMPLETED', tableArn: TABLE_ARN, tableId: TABLE_ID };
    const step = planDeletion(deleting(done), seen(foreign, TAGGED), NOW, OPTIONS);
    assert.deepEqual([step.action.kind, reasonOf(step), step.status.tableId], ['releaseFinalizer', 'TableNotOwned', TABLE_ID]);
  });
});

describe('planDeletion, sentence by sentence', () => {
  const retain = { ...SPEC, deletionPolicy: 'Retain' as const };
  const creating: DynamoDBRestoreStatus = { ...STARTED, phase: 'Restoring', tableStatus: 'CREATING' };

  it('Retain, deleted mid-restore with no table recorded and none under the name: lets the resource go with its status as it was', () => {
    const requested: DynamoDBRestoreStatus = { phase: 'Restoring', backupArn: BACKUP_ARN, restoreRequestedAt: REQUESTED_AT };
    assert.deepEqual(planDeletion(deleting(requested, retain), seen(undefined), NOW, OPTIONS), { status: requested, action: { kind: 'releaseFinalizer' } });
  });

  it('says a replaced table is left untouched', () => {
    assert.equal(messageOf(planDeletion(deleting(), seen(foreign, TAGGED), NOW, OPTIONS)), 'Table Music is not the table this resource restored (its TableId differs: it was replaced); it is left untouched.');
  });

  it('says a table being deleted lets the resource go once gone', () => {
    assert.equal(messageOf(planDeletion(deleting(), seen(ours('DELETING'), TAGGED), NOW, OPTIONS)), 'Table Music is being deleted; the resource goes when it is gone.');
  });

  it('says what waits for a table not ACTIVE: its deletion (Delete) or the end of its restore (Retain)', () => {
    assert.equal(messageOf(planDeletion(deleting(creating), seen(ours('CREATING'), TAGGED), NOW, OPTIONS)), 'Table Music is CREATING; it is deleted once ACTIVE (DynamoDB refuses to delete it before).');
    assert.equal(
      messageOf(planDeletion(deleting(creating, retain), seen(ours('CREATING'), TAGGED), NOW, OPTIONS)),
      'Table Music is CREATING; AWS counts its restore until it is ACTIVE, and so does the operator: the resource goes then.',
    );
  });

  it('says it deletes the table, and why', () => {
    const step = planDeletion(deleting(), seen(ours(), TAGGED), NOW, OPTIONS);
    assert.deepEqual([reasonOf(step), messageOf(step)], ['DeletingTable', 'Deleting table Music (deletionPolicy Delete).']);
  });

  it('says how to turn deletion protection off, word for word', () => {
    assert.equal(
      messageOf(planDeletion(deleting(), seen(ours('ACTIVE', { deletionProtection: true }), TAGGED), NOW, OPTIONS)),
      'Table Music has deletion protection on, so it is not deleted. Turn it off (aws dynamodb update-table --table-name Music --no-deletion-protection-enabled) ' +
        'to let the operator delete it, or have a cluster administrator (the platform team) set spec.deletionPolicy: Retain to keep it.',
    );
  });

  it('records a failed DeleteTable as a retryable last error and says the table could not be deleted', () => {
    const step = planDeletion(deleting(), { kind: 'failed', error: new AwsError('ThrottlingException', '', 'DeleteTable') }, NOW, OPTIONS);
    assert.deepEqual(step.status.lastError, { code: 'ThrottlingException', message: 'AWS throttled DeleteTable; the operator slows down and retries.', retryable: true });
    assert.equal(messageOf(step), 'Table Music could not be deleted: AWS throttled DeleteTable; the operator slows down and retries.');
  });

  it('retries a failed look for a lost answer (DescribeTable throttled) after 5 s, saying the table could not be deleted', () => {
    const unanswered = { phase: 'Restoring' as const, backupArn: BACKUP_ARN, restoreRequestedAt: REQUESTED_AT };
    const step = planDeletion(deleting(unanswered), { kind: 'failed', error: new AwsError('ThrottlingException', '', 'DescribeTable') }, NOW, OPTIONS);
    assert.deepEqual(step.action, { kind: 'requeue', afterMs: 5_000 }, 'throttling is waited out 5 s');
    assert.equal(messageOf(step), 'Table Music could not be deleted: AWS throttled DescribeTable; the operator slows down and retries.');
  });

  it('says a Retain resource waiting for its table could not look at it when DescribeTable fails', () => {
    const step = planDeletion(deleting(creating, retain), { kind: 'failed', error: new AwsError('ThrottlingException', '', 'DescribeTable') }, NOW, OPTIONS);
    assert.equal(messageOf(step), 'Table Music could not be looked at: AWS throttled DescribeTable; the operator slows down and retries.');
  });
});
