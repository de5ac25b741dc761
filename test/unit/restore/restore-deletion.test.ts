import assert from 'node:assert/strict';
import type { DynamoDBRestore, DynamoDBRestoreSpec, DynamoDBRestoreStatus } from '../../../src/api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy } from '../../../src/api/dynamodb-restore-policy.ts';
import { AwsError, type TableState } from '../../../src/aws/dynamodb-port.ts';
import { DELETION_RECHECK_MS, FINALIZER, planDeletion, wantsFinalizer } from '../../../src/restore/restore-deletion.ts';
import { OWNER_UID_TAG, ownerTags, type Observation, type PlanOptions, type Step } from '../../../src/restore/restore-plan.ts';

const BACKUP_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music';
const UID = 'uid-1';
const REQUESTED_AT = '2025-03-01T10:00:00.000Z';
const NOW = new Date('2025-03-01T11:00:00.000Z');
const OPTIONS: PlanOptions = { pollMinMs: 2_000, pollMaxMs: 120_000, adoptionSkewMs: 60_000, defaultRegion: 'us-east-1' };
const SPEC: DynamoDBRestoreSpec = { targetTableName: 'Music', source: { backupArn: BACKUP_ARN }, deletionPolicy: 'Delete' };
const STARTED: DynamoDBRestoreStatus = { phase: 'Completed', backupArn: BACKUP_ARN, restoreRequestedAt: REQUESTED_AT, startTime: REQUESTED_AT, tableArn: TABLE_ARN };

function deleting(status: DynamoDBRestoreStatus | undefined = STARTED, spec: DynamoDBRestoreSpec = SPEC): DynamoDBRestore {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { name: 'music', namespace: 'team-a', uid: UID, generation: 1, resourceVersion: '7', finalizers: [FINALIZER], deletionTimestamp: NOW },
    spec: structuredClone(spec),
    ...(status ? { status: structuredClone(status) } : {}),
  };
}

/** Restored from our backup after we asked (so provably ours), ACTIVE, with the tags given. */
const ours = (status = 'ACTIVE', extra: Partial<TableState> = {}): TableState => ({
  name: 'Music',
  arn: TABLE_ARN,
  status,
  createdAt: '2025-03-01T10:00:01.000Z',
  restoreSummary: { sourceBackupArn: BACKUP_ARN },
  ...extra,
});
const foreign: TableState = { name: 'Music', arn: TABLE_ARN, status: 'ACTIVE', createdAt: '2025-03-01T10:30:00.000Z' };
const seen = (table: TableState | undefined, tags: Record<string, string> = {}): Observation => ({ kind: 'settingsDescribed', settings: table && { table, tags } });
const TAGGED = { [OWNER_UID_TAG]: UID };
const reasonOf = (step: Step) => step.status.conditions?.find((c) => c.type === 'Ready')?.reason;

describe('planDeletion', () => {
  it('only Delete wants the finalizer', () => {
    assert.equal(wantsFinalizer(deleting(STARTED, { ...SPEC, deletionPolicy: 'Delete' })), true);
    assert.equal(wantsFinalizer(deleting(STARTED, { ...SPEC, deletionPolicy: 'Retain' })), false);
    assert.equal(wantsFinalizer(deleting(STARTED, { ...SPEC, deletionPolicy: undefined })), false);
  });

  it('Retain (changed from Delete): lets the resource go with no AWS call', () => {
    assert.deepEqual(planDeletion(deleting(STARTED, { ...SPEC, deletionPolicy: 'Retain' }), { kind: 'nothing' }, NOW, OPTIONS).action, { kind: 'releaseFinalizer' });
  });

  it('no restore ever requested: nothing to delete', () => {
    for (const status of [{}, { phase: 'Failed' as const, backupArn: BACKUP_ARN }]) {
      assert.deepEqual(planDeletion(deleting(status), { kind: 'nothing' }, NOW, OPTIONS).action, { kind: 'releaseFinalizer' });
    }
  });

  it('a policy that allows only Retain: the table stays, the resource goes, the status says why', () => {
    const policy: DynamoDBRestorePolicy = { apiVersion: 'dynamodb.restore.dev/v1alpha1', kind: 'DynamoDBRestorePolicy', metadata: { name: 'keep-tables' }, spec: { namespaces: ['team-.*'], allowedDeletionPolicies: ['Retain'] } };
    const step = planDeletion(deleting(), { kind: 'nothing' }, NOW, OPTIONS, [policy]);
    assert.deepEqual(step.action, { kind: 'releaseFinalizer' });
    assert.equal(reasonOf(step), 'PolicyDenied');
    assert.match(step.status.conditions?.[0]?.message ?? '', /keep-tables denies this restore \(allowedDeletionPolicies\).*left in place/);
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
    ['ours, ACTIVE, not tagged yet: tag first', seen(ours()), { kind: 'tagTable', tableArn: TABLE_ARN, tags: ownerTags(deleting()) }, undefined],
    ['tagged for another resource, not provably ours', seen(foreign, { [OWNER_UID_TAG]: 'uid-2' }), { kind: 'done' }, 'DeletionRefused'],
    ['someone else\'s, untagged', seen(foreign), { kind: 'done' }, 'DeletionRefused'],
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

  it('a table of that name that was never ours (the restore never started) is left alone and the resource goes', () => {
    const neverStarted = { ...STARTED, phase: 'Failed' as const, startTime: undefined };
    const step = planDeletion(deleting(neverStarted), seen(foreign), NOW, OPTIONS);
    assert.deepEqual(step.action, { kind: 'releaseFinalizer' });
    assert.equal(reasonOf(step), 'TableNotOwned');
  });

  it('never deletes a table without this resource\'s uid tag, whatever else is observed', () => {
    const tables = [ours(), ours('CREATING'), foreign, ours('ACTIVE', { restoreSummary: { sourceBackupArn: 'arn:other' } })];
    const tagSets: Array<Record<string, string>> = [{}, { [OWNER_UID_TAG]: 'uid-2' }, { 'dynamodb.restore.dev/owner': 'team-a/music' }];
    for (const table of tables) {
      for (const tags of tagSets) {
        for (const status of [STARTED, { ...STARTED, startTime: undefined }]) {
          const step = planDeletion(deleting(status), seen(table, tags), NOW, OPTIONS);
          assert.notEqual(step.action.kind, 'deleteTable', JSON.stringify({ table, tags, status }));
        }
      }
    }
  });

  it('refusals tell the user how to let the resource go', () => {
    const refused = planDeletion(deleting(), seen(foreign), NOW, OPTIONS);
    assert.match(refused.status.conditions?.[0]?.message ?? '', /does not carry this resource's ownership tag \(dynamodb\.restore\.dev\/owner-uid=uid-1\).*deletionPolicy: Retain/);
    const protectedTable = planDeletion(deleting(), seen(ours('ACTIVE', { deletionProtection: true }), TAGGED), NOW, OPTIONS);
    assert.match(protectedTable.status.conditions?.[0]?.message ?? '', /deletion protection on.*--no-deletion-protection-enabled/);
  });
});
