// The SDK adapter: requests pass through unchanged, answers and failures become the port's terms.
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeTableCommand,
  DynamoDBClient,
  InternalServerError,
  ResourceNotFoundException,
  RestoreTableFromBackupCommand,
  TableAlreadyExistsException,
} from '@aws-sdk/client-dynamodb';
import { SdkDynamoDB, toAwsError } from '../../../src/aws/dynamodb-client.ts';
import { AwsError } from '../../../src/aws/dynamodb-port.ts';

const BACKUP = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const meta = { $metadata: { httpStatusCode: 400 } };

describe('SdkDynamoDB', () => {
  const mock = mockClient(DynamoDBClient);
  const port = new SdkDynamoDB(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
  afterEach(() => mock.reset());

  it('sends the restore request as given and maps the table description', async () => {
    const restoredAt = new Date('2026-11-20T10:00:00Z');
    mock.on(RestoreTableFromBackupCommand).resolves({
      TableDescription: {
        TableName: 'Music',
        TableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music',
        TableStatus: 'CREATING',
        RestoreSummary: { SourceBackupArn: BACKUP, RestoreDateTime: restoredAt, RestoreInProgress: true },
      },
    });
    const request = { TargetTableName: 'Music', BackupArn: BACKUP, BillingModeOverride: 'PAY_PER_REQUEST' as const };
    const table = await port.restoreTableFromBackup(request);
    assert.deepEqual(mock.commandCalls(RestoreTableFromBackupCommand)[0]?.args[0].input, request);
    assert.deepEqual(table, {
      name: 'Music',
      arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music',
      status: 'CREATING',
      restoreSummary: { sourceBackupArn: BACKUP, sourceTableArn: undefined, restoreDateTime: restoredAt.toISOString(), restoreInProgress: true },
    });
  });

  it('reports a missing table as undefined, not an error', async () => {
    mock.on(DescribeTableCommand).rejects(new ResourceNotFoundException({ message: 'Requested resource not found', ...meta }));
    assert.equal(await port.describeTable('Music'), undefined);
  });

  it('turns service errors into AwsError with the AWS code and the operation', async () => {
    mock.on(RestoreTableFromBackupCommand).rejects(new TableAlreadyExistsException({ message: 'Table already exists: Music', ...meta }));
    await assert.rejects(port.restoreTableFromBackup({ TargetTableName: 'Music', BackupArn: BACKUP }), (err: unknown) => {
      assert.ok(err instanceof AwsError);
      assert.deepEqual([err.code, err.operation, err.message], ['TableAlreadyExistsException', 'RestoreTableFromBackup', 'Table already exists: Music']);
      return true;
    });
    mock.on(DescribeTableCommand).rejects(new InternalServerError({ message: 'boom', $metadata: { httpStatusCode: 500 } }));
    await assert.rejects(port.describeTable('Music'), { code: 'InternalServerError', operation: 'DescribeTable' });
  });

  it('names transport failures NetworkError or TimeoutError', () => {
    assert.equal(toAwsError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'DescribeTable').code, 'NetworkError');
    assert.equal(toAwsError(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), 'DescribeTable').code, 'TimeoutError');
  });
});
