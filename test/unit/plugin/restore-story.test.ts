import assert from 'node:assert/strict';
import type { DynamoDBRestore } from '../../../src/api/dynamodb-restore.ts';
import { elapsed, restoreStory } from '../../../src/plugin/restore-story.ts';
import { finalOutcome } from '../../../src/plugin/commands/wait.ts';

const ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const NOT_FOUND = `Backup ${ARN} does not exist; check the ARN with aws dynamodb list-backups.`;

function restore(spec: Partial<DynamoDBRestore['spec']>, status?: DynamoDBRestore['status']): DynamoDBRestore {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    // As the apiserver's JSON has it: a string (client-node types it as a Date).
    metadata: { name: 'music', namespace: 'team-a', uid: 'u-1', generation: 1, resourceVersion: '7', creationTimestamp: '2026-12-04T10:00:00Z' as unknown as Date },
    spec: { targetTableName: 'Music', source: { backupArn: ARN }, ...spec },
    ...(status && { status }),
  };
}

const condition = (type: string, status: 'True' | 'False', reason: string, message: string) => ({ type, status, reason, message, lastTransitionTime: '2026-12-04T10:00:03Z', observedGeneration: 1 });

const failed = restore({}, {
  phase: 'Failed',
  source: ARN,
  completionTime: '2026-12-04T10:00:03Z',
  lastError: { code: 'BackupNotFoundException', message: NOT_FOUND, retryable: false },
  conditions: [condition('Ready', 'False', 'BackupNotFound', NOT_FOUND), condition('Failed', 'True', 'BackupNotFound', NOT_FOUND)],
});

describe('restoreStory (kubectl ddbr describe)', () => {
  it('a Failed restore: what was asked, the steps with times in order (a status time before an event of the same moment), the AWS error and the retry command', () => {
    const events = [
      { at: new Date('2026-12-04T10:00:01Z'), type: 'Normal', reason: 'Validating', message: `Checking backup ${ARN}.` },
      { at: new Date('2026-12-04T10:00:03Z'), type: 'Warning', reason: 'BackupNotFound', message: NOT_FOUND },
    ];
    assert.equal(
      restoreStory(failed, events),
      [
        'Name:       music',
        'Namespace:  team-a',
        "Table:      Music in the operator's default Region",
        `Source:     ${ARN}`,
        'Phase:      Failed (BackupNotFound)',
        `Now:        ${NOT_FOUND}`,
        '',
        'Steps:',
        '  2026-12-04T10:00:00Z      +0s  Created',
        `  2026-12-04T10:00:01Z      +1s  Validating            Checking backup ${ARN}.`,
        '  2026-12-04T10:00:03Z      +3s  Failed',
        `  2026-12-04T10:00:03Z      +3s  BackupNotFound        ${NOT_FOUND}`,
        '',
        'AWS error:  BackupNotFoundException',
        `            ${NOT_FOUND}`,
        '',
        'What to do: a failed restore is final. Fix what the error says, then restore again with the same spec: kubectl ddbr retry music -n team-a',
        '',
      ].join('\n'),
    );
  });

  it('a Completed restore: the restore\'s own times among the events, the table, no advice', () => {
    const completed = restore({ region: 'eu-west-1' }, {
      phase: 'Completed',
      source: ARN,
      restoreRequestedAt: '2026-12-04T10:00:02Z',
      startTime: '2026-12-04T10:00:02Z',
      completionTime: '2026-12-04T10:07:14Z',
      tableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/Music',
      tableStatus: 'ACTIVE',
      conditions: [condition('Ready', 'True', 'RestoreCompleted', 'Table Music is ACTIVE.')],
    });
    const events = [{ at: new Date('2026-12-04T10:07:14Z'), type: 'Normal', reason: 'RestoreCompleted', message: 'Table Music is ACTIVE.' }];
    assert.equal(
      restoreStory(completed, events),
      [
        'Name:       music',
        'Namespace:  team-a',
        'Table:      Music in eu-west-1',
        `Source:     ${ARN}`,
        'Phase:      Completed (RestoreCompleted)',
        'Restored:   arn:aws:dynamodb:eu-west-1:123456789012:table/Music (ACTIVE when last looked at)',
        'Now:        Table Music is ACTIVE.',
        '',
        'Steps:',
        '  2026-12-04T10:00:00Z      +0s  Created',
        '  2026-12-04T10:00:02Z      +2s  Restore requested     the restore call to AWS is about to be made',
        '  2026-12-04T10:00:02Z      +2s  Table CREATING        AWS accepted the restore',
        '  2026-12-04T10:07:14Z   +7m14s  Completed',
        '  2026-12-04T10:07:14Z   +7m14s  RestoreCompleted      Table Music is ACTIVE.',
        '',
      ].join('\n'),
    );
  });

  it('a Queued restore: its queue position and that there is nothing to do', () => {
    const queued = restore({ source: { backup: { tableName: 'Music', backupName: 'MusicBackup' } } }, {
      phase: 'Queued',
      queuePosition: 3,
      conditions: [condition('Ready', 'False', 'Queued', 'Waiting for a restore slot.')],
    });
    const story = restoreStory(queued, []);
    assert.match(story, /^Source: {5}the newest backup named MusicBackup of table Music$/m);
    assert.match(story, /^Queue: {6}position 3 for one of the account and Region's restore slots \(1: next\)$/m);
    assert.match(story, /^What to do: nothing: the restore starts when a slot frees up \(AWS allows 50 restores in progress per account and Region\)\.$/m);
  });

  it('a restore with a retryable error: the error marked as retried, and nothing to do yet', () => {
    const throttled = restore({ source: { pointInTime: { sourceTableName: 'Music', useLatestRestorableTime: true } } }, {
      phase: 'Validating',
      lastError: { code: 'ThrottlingException', message: 'AWS throttled the call; retrying.', retryable: true },
    });
    const story = restoreStory(throttled, []);
    assert.match(story, /^Source: {5}table Music as of its latest restorable time$/m);
    assert.match(story, /^AWS error: {2}ThrottlingException \(retried by the operator\)\n {12}AWS throttled the call; retrying\.$/m);
    assert.match(story, /^What to do: nothing yet: the operator retries on its own; the error says what would help\.$/m);
  });

  it('a Configuring restore: the tableSettings in place and those still to apply, in the order they are applied', () => {
    const configuring = restore({ tableSettings: { deletionProtection: true, tags: { team: 'a' }, stream: { viewType: 'KEYS_ONLY' } } }, {
      phase: 'Configuring',
      appliedSettings: ['tags'],
    });
    assert.match(restoreStory(configuring, []), /^Settings: {3}tags in place; stream, deletionProtection to apply$/m);
    assert.match(restoreStory(restore({ tableSettings: { pointInTimeRecovery: true } }, { phase: 'Configuring' }), []), /^Settings: {3}none in place; pointInTimeRecovery to apply$/m);
  });

  it('a restore the operator has not picked up: says so and where to look', () => {
    const story = restoreStory(restore({ source: { pointInTime: { sourceTableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music', restoreDateTime: '2026-11-20T10:00:00Z' } } }), []);
    assert.match(story, /^Source: {5}table arn:aws:dynamodb:us-east-1:123456789012:table\/Music as of 2026-11-20T10:00:00Z$/m);
    assert.match(story, /^Phase: {6}not picked up by the operator yet$/m);
    assert.match(story, /^What to do: if this lasts, check that the operator runs and watches this namespace\.$/m);
  });

  it('a recovery point restore not picked up yet: the recovery point, its vault and the role AWS Backup is to assume', () => {
    const point = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';
    const story = restoreStory(restore({ region: 'us-east-1', source: { recoveryPoint: { recoveryPointArn: point, backupVaultName: 'team-a-vault', iamRoleArn: 'arn:aws:iam::123456789012:role/aws-backup-restore' } } }), []);
    assert.match(story, /^Source: {5}recovery point arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45 in vault team-a-vault \(AWS Backup, as role arn:aws:iam::123456789012:role\/aws-backup-restore\)$/m);
  });
});

describe('elapsed', () => {
  const cases: Array<[number, string]> = [[0, '+0s'], [42_400, '+42s'], [432_000, '+7m12s'], [7_380_000, '+2h03m'], [-5, '+0s']];
  for (const [ms, text] of cases) it(`${ms} ms is ${text}`, () => assert.equal(elapsed(ms), text));
});

describe('finalOutcome (kubectl ddbr wait)', () => {
  it('Completed: exit 0 and the Ready sentence', () => {
    const completed = restore({}, { phase: 'Completed', conditions: [condition('Ready', 'True', 'RestoreCompleted', 'Table Music is ACTIVE.')] });
    assert.deepEqual(finalOutcome(completed), { code: 0, line: 'music: Completed: Table Music is ACTIVE.' });
  });

  it('Failed: exit 1, the Failed condition\'s reason and sentence', () => {
    assert.deepEqual(finalOutcome(failed), { code: 1, line: `music failed (BackupNotFound): ${NOT_FOUND}` });
  });

  it('Failed without conditions (an older operator): the last error\'s sentence', () => {
    const older = restore({}, { phase: 'Failed', lastError: { code: 'X', message: 'It broke.', retryable: false } });
    assert.deepEqual(finalOutcome(older), { code: 1, line: 'music failed: It broke.' });
  });

  it('every other phase, and none: no outcome yet', () => {
    for (const phase of ['Validating', 'Queued', 'Restoring', 'Configuring'] as const) assert.equal(finalOutcome(restore({}, { phase })), undefined);
    assert.equal(finalOutcome(restore({})), undefined);
  });
});
