// Which RestoreSummary names this resource's own source: the proof a lost restore answer is adopted by. Each case is
// a table someone else could have put under the target name.
import assert from 'node:assert/strict';
import type { DynamoDBRestore, DynamoDBRestoreSpec } from '../../../src/api/dynamodb-restore.ts';
import { fromOurSource } from '../../../src/restore/restore-ownership.ts';

const BACKUP_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const SOURCE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music-prod';

function restore(spec: DynamoDBRestoreSpec): DynamoDBRestore {
  return { apiVersion: 'dynamodb.restore.dev/v1alpha1', kind: 'DynamoDBRestore', metadata: { name: 'music', namespace: 'team-a', uid: 'uid-1', generation: 1, resourceVersion: '1' }, spec };
}
const byName = restore({ targetTableName: 'Music', region: 'us-east-1', source: { pointInTime: { sourceTableName: 'Music-prod', useLatestRestorableTime: true } } });
const byArn = restore({ targetTableName: 'Music', source: { pointInTime: { sourceTableArn: SOURCE_ARN, useLatestRestorableTime: true } } });
const fromBackup = restore({ targetTableName: 'Music', source: { backupArn: BACKUP_ARN } });

describe('fromOurSource: whether a RestoreSummary names exactly this resource\'s source', () => {
  it('attack: a table restored from a backup (its RestoreSummary names no source table) is never a point-in-time restore\'s, by name or by ARN', () => {
    const summary = { sourceBackupArn: BACKUP_ARN };
    assert.equal(fromOurSource(byName, {}, summary), false);
    assert.equal(fromOurSource(byArn, {}, summary), false);
  });

  it('takes a point-in-time restore by name only from the table of exactly that name in the target Region', () => {
    assert.equal(fromOurSource(byName, {}, { sourceTableArn: SOURCE_ARN }), true);
    assert.equal(fromOurSource(byName, {}, { sourceTableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Other-Music-prod' }), false);
    assert.equal(fromOurSource(byName, {}, { sourceTableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/Music-prod' }), false);
  });

  it('takes a point-in-time restore by ARN only from that ARN', () => {
    assert.equal(fromOurSource(byArn, {}, { sourceTableArn: SOURCE_ARN }), true);
    assert.equal(fromOurSource(byArn, {}, { sourceTableArn: 'arn:aws:dynamodb:us-east-1:999999999999:table/Music-prod' }), false);
  });

  it('takes a restore from a backup only from the backup the status recorded, and from none before one is recorded', () => {
    assert.equal(fromOurSource(fromBackup, { backupArn: BACKUP_ARN }, { sourceBackupArn: BACKUP_ARN }), true);
    assert.equal(fromOurSource(fromBackup, { backupArn: BACKUP_ARN }, { sourceBackupArn: `${BACKUP_ARN}0` }), false);
    assert.equal(fromOurSource(fromBackup, {}, { sourceBackupArn: BACKUP_ARN }), false);
  });
});
