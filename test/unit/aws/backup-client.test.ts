// The AWS Backup adapter: DescribeRecoveryPoint asks the named vault, StartRestoreJob's request passes through unchanged, DescribeRestoreJob's answer and the
// failures become the port's terms.
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import { BackupClient, DescribeRecoveryPointCommand, DescribeRestoreJobCommand, ResourceNotFoundException, StartRestoreJobCommand } from '@aws-sdk/client-backup';
import { SdkBackup } from '../../../src/aws/backup-client.ts';
import { AwsError } from '../../../src/aws/dynamodb-port.ts';

const POINT = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';
const REQUEST = {
  RecoveryPointArn: POINT,
  IamRoleArn: 'arn:aws:iam::123456789012:role/aws-backup-restore',
  IdempotencyToken: 'dynamodb-restore-uid-1',
  ResourceType: 'DynamoDB' as const,
  Metadata: { targetTableName: 'Music' },
};

describe('SdkBackup', () => {
  // mockClient patches BackupClient for the whole process: undone after this suite.
  let mock: ReturnType<typeof mockClient>;
  before(() => {
    mock = mockClient(BackupClient);
  });
  after(() => mock.restore());
  afterEach(() => mock.reset());
  const calls: Array<[string, string]> = [];
  const port = new SdkBackup(new BackupClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), (operation, code) => calls.push([operation, code]));

  it('sends StartRestoreJob as given and answers the job id', async () => {
    mock.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'JOB-1' });
    assert.equal(await port.startRestoreJob(REQUEST), 'JOB-1');
    assert.deepEqual(mock.commandCalls(StartRestoreJobCommand).map((c) => c.args[0].input), [REQUEST]);
  });

  it("maps DescribeRestoreJob's Status, StatusMessage and CreatedResourceArn", async () => {
    mock.on(DescribeRestoreJobCommand, { RestoreJobId: 'JOB-1' }).resolves({ RestoreJobId: 'JOB-1', Status: 'COMPLETED', CreatedResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music' });
    assert.deepEqual(await port.describeRestoreJob('JOB-1'), { id: 'JOB-1', status: 'COMPLETED', createdResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music' });
    mock.on(DescribeRestoreJobCommand, { RestoreJobId: 'JOB-2' }).resolves({ RestoreJobId: 'JOB-2', Status: 'FAILED', StatusMessage: 'Access denied' });
    assert.deepEqual(await port.describeRestoreJob('JOB-2'), { id: 'JOB-2', status: 'FAILED', statusMessage: 'Access denied' });
  });

  it('asks DescribeRecoveryPoint of the named vault and maps Status, StatusMessage, ResourceType and the vault AWS Backup names', async () => {
    mock.on(DescribeRecoveryPointCommand).resolves({ RecoveryPointArn: POINT, BackupVaultName: 'team-a-vault', Status: 'PARTIAL', StatusMessage: 'One table missing', ResourceType: 'DynamoDB' });
    assert.deepEqual(await port.describeRecoveryPoint('team-a-vault', POINT), {
      arn: POINT,
      backupVaultName: 'team-a-vault',
      status: 'PARTIAL',
      statusMessage: 'One table missing',
      resourceType: 'DynamoDB',
    });
    assert.deepEqual(mock.commandCalls(DescribeRecoveryPointCommand).map((c) => c.args[0].input), [{ BackupVaultName: 'team-a-vault', RecoveryPointArn: POINT }]);
  });

  it("turns AWS Backup's errors into AwsError with the code and the operation, and reports each call's outcome", async () => {
    calls.length = 0;
    mock.on(StartRestoreJobCommand).rejects(new ResourceNotFoundException({ message: 'Recovery point not found.', $metadata: { httpStatusCode: 400 } }));
    await assert.rejects(port.startRestoreJob(REQUEST), (err: unknown) => err instanceof AwsError && err.code === 'ResourceNotFoundException' && err.operation === 'StartRestoreJob');
    mock.on(DescribeRestoreJobCommand).resolves({ RestoreJobId: 'JOB-1', Status: 'RUNNING' });
    await port.describeRestoreJob('JOB-1');
    assert.deepEqual(calls, [['StartRestoreJob', 'ResourceNotFoundException'], ['DescribeRestoreJob', 'OK']]);
  });
});
