// The sentences of the one error map, word for word: they are product text (the status, the events and
// docs/troubleshooting.md show them), so each is written down here.
import assert from 'node:assert/strict';
import { AwsError } from '../../../src/aws/dynamodb-port.ts';
import { classifyError } from '../../../src/restore/restore-errors.ts';

const BACKUP_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const CTX = { tableName: 'Music', backupArn: BACKUP_ARN };
const sentence = (code: string, operation = 'RestoreTableFromBackup', message = '') => classifyError(new AwsError(code, message, operation), CTX).message;
const GRANT_TAIL = ', keep the policy unchanged until the restore completes, then create a new DynamoDBRestore.';

describe('the error map, sentence by sentence', () => {
  it('names the IAM action to grant for each call the restore makes, and dynamodb:<operation> for any other', () => {
    const grants = {
      RestoreTableFromBackup:
        'dynamodb:RestoreTableFromBackup (and the table writes a restore performs: dynamodb:PutItem, UpdateItem, DeleteItem, GetItem, Query, Scan, BatchWriteItem on the target table)',
      DescribeTable: 'dynamodb:DescribeTable',
      DescribeBackup: 'dynamodb:DescribeBackup',
      ListBackups: 'dynamodb:ListBackups',
      DescribeContinuousBackups: 'dynamodb:DescribeContinuousBackups',
      RestoreTableToPointInTime:
        'dynamodb:RestoreTableToPointInTime on the source table (and the table writes a restore performs on the target: dynamodb:PutItem, UpdateItem, DeleteItem, GetItem, Query, Scan, BatchWriteItem)',
      TagResource: 'dynamodb:TagResource',
      ListTagsOfResource: 'dynamodb:ListTagsOfResource',
      DescribeTimeToLive: 'dynamodb:DescribeTimeToLive',
      UpdateTimeToLive: 'dynamodb:UpdateTimeToLive',
      UpdateTable: 'dynamodb:UpdateTable',
      UpdateContinuousBackups: 'dynamodb:UpdateContinuousBackups',
      DeleteTable: 'dynamodb:DeleteTable (on tables tagged dynamodb.restore.dev/owner-uid)',
      DescribeRecoveryPoint: 'backup:DescribeRecoveryPoint',
      StartRestoreJob: 'backup:StartRestoreJob, and iam:PassRole on the role in spec.source.recoveryPoint.iamRoleArn',
      DescribeRestoreJob: 'backup:DescribeRestoreJob',
      ExportTableToPointInTime: 'dynamodb:ExportTableToPointInTime',
    };
    for (const [operation, grant] of Object.entries(grants)) {
      assert.equal(sentence('AccessDeniedException', operation), `The operator's AWS identity may not call ${operation}: grant ${grant}${GRANT_TAIL}`);
    }
  });

  it('says, for each rule, the sentence written here (operation RestoreTableFromBackup, table Music)', () => {
    const expected: Record<string, string> = {
      ThrottlingException: 'AWS throttled RestoreTableFromBackup; the operator slows down and retries.',
      InternalServerError: 'AWS had an internal error on RestoreTableFromBackup; the operator retries with backoff.',
      ValidationException: 'AWS rejected the RestoreTableFromBackup request; fix the spec in a new DynamoDBRestore.',
      UnrecognizedClientException: "AWS did not accept the operator's credentials; check its IAM role (IRSA or Pod Identity) or keys.",
      SourceTableNotFoundException: "The point-in-time restore's source table does not exist in this account and Region; check spec.source.pointInTime.",
      InvalidParameterValueException:
        'AWS Backup rejected the RestoreTableFromBackup request (its recovery point, IAM role or table name); fix spec.source.recoveryPoint in a new DynamoDBRestore.',
      BackupNotFoundException: `Backup ${BACKUP_ARN} does not exist in this account and Region; check the ARN with \`aws dynamodb list-backups\`.`,
      BackupInUseException: 'The backup is being created, deleted or restored right now; the operator waits and tries again.',
      TableAlreadyExistsException: 'Table Music already exists and was not restored by this resource; it is left untouched. Delete it or choose another targetTableName in a new DynamoDBRestore.',
      TableInUseException: 'Table Music is being created, updated or deleted; the operator waits and tries again.',
      LimitExceededException:
        'The account has too many table operations in progress (DynamoDB allows 50 restores at once per account and Region, and 500 table operations in all); the operator waits for a slot and tries again.',
      PointInTimeRecoveryUnavailableException: 'Point-in-time recovery is not enabled on the source table; enable it or restore from a backup in a new DynamoDBRestore.',
      InvalidRestoreTimeException: "The restore time is outside the source table's restorable window; choose one inside it in a new DynamoDBRestore.",
      ContinuousBackupsUnavailableException: 'Backups of table Music are still being enabled; the operator turns on point-in-time recovery once they are.',
      ResourceInUseException: 'Table Music is busy with another operation (RestoreTableFromBackup); the operator waits and tries again.',
      RequestExpired: "AWS found the RestoreTableFromBackup request expired; check the node's clock.",
      OptInRequired: 'The account is not subscribed to DynamoDB in this Region (OptInRequired); enable the Region, then create a new DynamoDBRestore.',
      AccessDenied:
        "The operator could not assume the role in spec.credentials: its trust policy must allow the operator's identity sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity for this namespace (the ExternalId <cluster name>/<namespace>, the session tag dynamodb-restore-namespace); then create a new DynamoDBRestore.",
      ClusterNameUnset:
        "A restore with spec.credentials needs the operator to have a cluster name (CLUSTER_NAME, --cluster-name or the chart value clusterName), from which it derives the role session's ExternalId; the platform team sets it, then create a new DynamoDBRestore.",
      RegionDisabledException: 'STS is not activated in this Region for the account; activate it in IAM, then create a new DynamoDBRestore.',
      ResourceNotFoundException: 'AWS reports a resource of RestoreTableFromBackup as not found.',
      NetworkError: 'The operator could not reach DynamoDB for RestoreTableFromBackup; it retries with backoff.',
      TimeoutError: 'DynamoDB did not answer RestoreTableFromBackup in time; the operator retries with backoff.',
      SomeNewException: 'RestoreTableFromBackup failed with SomeNewException; the operator retries with backoff.',
    };
    assert.deepEqual(Object.fromEntries(Object.keys(expected).map((code) => [code, sentence(code)])), expected);
  });

  it("says AWS Backup no longer knows the restore job when DescribeRestoreJob answers ResourceNotFoundException", () => {
    assert.equal(
      sentence('ResourceNotFoundException', 'DescribeRestoreJob'),
      'AWS Backup no longer knows the restore job recorded in status.restoreJobId; create a new DynamoDBRestore to restore again.',
    );
  });

  it("says a KMS failure's sentence, with AWS's message after it", () => {
    assert.equal(
      sentence('AccessDeniedException', 'RestoreTableFromBackup', 'The kms key is pending deletion'),
      'The KMS key of the backup or of overrides.sse is disabled, deleted or not usable by the operator; enable it (and keep it enabled until the restore completes), then create a new DynamoDBRestore. AWS said: The kms key is pending deletion',
    );
  });

  it('leaves the backup ARN empty, not "undefined", when the context has none', () => {
    assert.equal(
      classifyError(new AwsError('BackupNotFoundException', '', 'DescribeBackup'), { tableName: 'Music' }).message,
      'Backup  does not exist in this account and Region; check the ARN with `aws dynamodb list-backups`.',
    );
  });
});
