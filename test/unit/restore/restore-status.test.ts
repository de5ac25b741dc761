// How the status is written: a carried-over last error cut to size, and status.source as `kubectl get` shows it.
import assert from 'node:assert/strict';
import type { DynamoDBRestore, DynamoDBRestoreSpec } from '../../../src/api/dynamodb-restore.ts';
import { Reason } from '../../../src/restore/restore-vocabulary.ts';
import { describeSource, ready, sourceSummary } from '../../../src/restore/restore-status.ts';

const NOW = new Date('2025-03-01T10:00:00.000Z');
const RESTORE: DynamoDBRestore = {
  apiVersion: 'dynamodb.restore.dev/v1alpha1',
  kind: 'DynamoDBRestore',
  metadata: { name: 'music', namespace: 'team-a', uid: 'uid-1', generation: 1, resourceVersion: '1' },
  spec: { targetTableName: 'Music', source: { backupArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d' } },
};

describe('restore status', () => {
  it('cuts a last error carried over by ready() to 256 characters of code and 4096 of message, an ellipsis marking each cut', () => {
    const status = ready({ lastError: { code: 'C'.repeat(300), message: 'm'.repeat(5000), retryable: true } }, RESTORE, 'False', Reason.Throttled, 'Throttled.', NOW);
    assert.deepEqual(status.lastError, { code: `${'C'.repeat(255)}…`, message: `${'m'.repeat(4095)}…`, retryable: true });
  });

  it('writes status.source of a point-in-time restore as table@moment, and table@latest without a moment', () => {
    const pit = (restoreDateTime?: string): DynamoDBRestoreSpec => ({
      targetTableName: 'Music',
      source: { pointInTime: { sourceTableName: 'Music-prod', ...(restoreDateTime ? { restoreDateTime } : { useLatestRestorableTime: true }) } },
    });
    assert.equal(sourceSummary(pit('2025-02-20T00:00:00Z'), undefined), 'Music-prod@2025-02-20T00:00:00Z');
    assert.equal(sourceSummary(pit(), undefined), 'Music-prod@latest');
  });

  it('names a recovery point as "recovery point <ARN>" where a sentence says what the table is restored from', () => {
    const point = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';
    const spec: DynamoDBRestoreSpec = { targetTableName: 'Music', source: { recoveryPoint: { recoveryPointArn: point, backupVaultName: 'team-a-vault', iamRoleArn: 'arn:aws:iam::123456789012:role/r' } } };
    assert.equal(describeSource(spec, {}), 'recovery point arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45');
  });
});
