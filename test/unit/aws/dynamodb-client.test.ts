// The SDK adapter: requests pass through unchanged, answers and failures become the port's terms.
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import {
  BackupNotFoundException,
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  InternalServerError,
  ListBackupsCommand,
  ResourceNotFoundException,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  TableAlreadyExistsException,
  TagResourceCommand,
} from '@aws-sdk/client-dynamodb';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClients, SdkDynamoDB, toAwsError } from '../../../src/aws/dynamodb-client.ts';
import { AwsError } from '../../../src/aws/dynamodb-port.ts';

const BACKUP = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const meta = { $metadata: { httpStatusCode: 400 } };

describe('SdkDynamoDB', () => {
  // mockClient patches DynamoDBClient for the whole process: it is set up here and undone after this suite, so the
  // integration tests that share the process talk to the real emulator.
  let mock: ReturnType<typeof mockClient>;
  before(() => {
    mock = mockClient(DynamoDBClient);
  });
  after(() => mock.restore());
  const port = new SdkDynamoDB(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
  afterEach(() => mock.reset());

  it('sends the restore request as given and maps the table description', async () => {
    const restoredAt = new Date('2026-11-20T10:00:00Z');
    mock.on(RestoreTableFromBackupCommand).resolves({
      TableDescription: {
        TableName: 'Music',
        TableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music',
        TableId: 'e5a2b1c4-7d3f-4a8e-9b6c-0f1e2d3c4b5a',
        TableStatus: 'CREATING',
        CreationDateTime: new Date('2026-11-25T10:00:00Z'),
        RestoreSummary: { SourceBackupArn: BACKUP, RestoreDateTime: restoredAt, RestoreInProgress: true },
      },
    });
    const request = { TargetTableName: 'Music', BackupArn: BACKUP, BillingModeOverride: 'PAY_PER_REQUEST' as const };
    const table = await port.restoreTableFromBackup(request);
    assert.deepEqual(mock.commandCalls(RestoreTableFromBackupCommand)[0]?.args[0].input, request);
    assert.deepEqual(table, {
      name: 'Music',
      arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music',
      id: 'e5a2b1c4-7d3f-4a8e-9b6c-0f1e2d3c4b5a',
      status: 'CREATING',
      createdAt: '2026-11-25T10:00:00.000Z',
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

  describe('describeBackup', () => {
    it('asks for the ARN given and maps BackupDetails and SourceTableDetails', async () => {
      mock.on(DescribeBackupCommand).resolves({
        BackupDescription: {
          BackupDetails: {
            BackupArn: BACKUP,
            BackupName: 'MusicBackup',
            BackupStatus: 'AVAILABLE',
            BackupType: 'USER',
            BackupCreationDateTime: new Date('2026-11-19T10:00:00Z'),
          },
          SourceTableDetails: {
            TableName: 'Music',
            TableId: 'e3b0c442-98fc-1c14-9afb-f4c8996fb924',
            KeySchema: [{ AttributeName: 'Artist', KeyType: 'HASH' }],
            TableCreationDateTime: new Date('2026-01-01T00:00:00Z'),
            ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
          },
        },
      });
      const backup = await port.describeBackup(BACKUP);
      assert.deepEqual(
        mock.commandCalls(DescribeBackupCommand).map((c) => c.args[0].input),
        [{ BackupArn: BACKUP }],
      );
      assert.deepEqual(backup, { arn: BACKUP, name: 'MusicBackup', status: 'AVAILABLE', sourceTableName: 'Music' });
    });

    it('passes CREATING and DELETED through as the status', async () => {
      mock.on(DescribeBackupCommand).resolvesOnce({ BackupDescription: { BackupDetails: { BackupArn: BACKUP, BackupName: 'b', BackupStatus: 'CREATING', BackupSizeBytes: 0, BackupType: 'USER', BackupCreationDateTime: new Date() } } })
        .resolvesOnce({ BackupDescription: { BackupDetails: { BackupArn: BACKUP, BackupName: 'b', BackupStatus: 'DELETED', BackupType: 'USER', BackupCreationDateTime: new Date() } } });
      assert.equal((await port.describeBackup(BACKUP)).status, 'CREATING');
      const deleted = await port.describeBackup(BACKUP);
      assert.equal(deleted.status, 'DELETED');
      assert.equal(deleted.sourceTableName, undefined);
    });

    it('falls back to the ARN asked for and status UNKNOWN when AWS leaves the details out', async () => {
      mock.on(DescribeBackupCommand).resolves({});
      assert.deepEqual(await port.describeBackup(BACKUP), { arn: BACKUP, name: undefined, status: 'UNKNOWN', sourceTableName: undefined });
    });

    it('turns BackupNotFoundException into AwsError BackupNotFoundException of DescribeBackup', async () => {
      mock.on(DescribeBackupCommand).rejects(new BackupNotFoundException({ message: `Backup not found: ${BACKUP}`, ...meta }));
      await assert.rejects(port.describeBackup(BACKUP), (err: unknown) => {
        assert.ok(err instanceof AwsError);
        assert.deepEqual([err.code, err.operation, err.message], ['BackupNotFoundException', 'DescribeBackup', `Backup not found: ${BACKUP}`]);
        return true;
      });
    });

    it('names a transport failure of DescribeBackup NetworkError', async () => {
      mock.on(DescribeBackupCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }));
      await assert.rejects(port.describeBackup(BACKUP), { name: 'AwsError', code: 'NetworkError', operation: 'DescribeBackup' });
    });
  });

  describe('tagResource', () => {
    const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music';

    it('sends the tags as a [{Key, Value}] list on the resource ARN', async () => {
      mock.on(TagResourceCommand).resolves({});
      const result = await port.tagResource(TABLE, { 'dynamodb.restore.dev/owner': 'team-a/music', 'dynamodb.restore.dev/owner-uid': 'uid-1' });
      assert.equal(result, undefined);
      const calls = mock.commandCalls(TagResourceCommand);
      assert.equal(calls.length, 1);
      const input = calls[0]?.args[0].input;
      assert.equal(input?.ResourceArn, TABLE);
      assert.deepEqual(
        [...(input?.Tags ?? [])].sort((a, b) => (a.Key ?? '').localeCompare(b.Key ?? '')),
        [
          { Key: 'dynamodb.restore.dev/owner', Value: 'team-a/music' },
          { Key: 'dynamodb.restore.dev/owner-uid', Value: 'uid-1' },
        ],
      );
    });

    it('turns its failures into AwsError of TagResource', async () => {
      mock.on(TagResourceCommand).rejects(new ResourceNotFoundException({ message: 'Requested resource not found', ...meta }));
      await assert.rejects(port.tagResource(TABLE, { a: 'b' }), (err: unknown) => {
        assert.ok(err instanceof AwsError);
        assert.deepEqual([err.code, err.operation], ['ResourceNotFoundException', 'TagResource']);
        return true;
      });
    });
  });

  it('names transport failures NetworkError or TimeoutError', () => {
    assert.equal(toAwsError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'DescribeTable').code, 'NetworkError');
    assert.equal(toAwsError(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), 'DescribeTable').code, 'TimeoutError');
    // The SDK names a reset connection TimeoutError as well: its code says what happened.
    assert.equal(toAwsError(Object.assign(new Error('read ECONNRESET'), { name: 'TimeoutError', code: 'ECONNRESET' }), 'DescribeTable').code, 'NetworkError');
    assert.equal(toAwsError(Object.assign(new Error('write EPIPE'), { name: 'TimeoutError', code: 'EPIPE' }), 'DescribeTable').code, 'NetworkError');
    assert.equal(toAwsError(Object.assign(new Error('timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' }), 'DescribeTable').code, 'TimeoutError');
  });
});

describe('SdkDynamoDB.listBackups', () => {
  let mock: ReturnType<typeof mockClient>;
  before(() => {
    mock = mockClient(DynamoDBClient);
  });
  after(() => mock.restore());

  it('reads every page of ListBackups', async () => {
    const summary = (n: number) => ({ TableName: 'Music', BackupArn: `${BACKUP.slice(0, -8)}0000000${n}`, BackupName: 'MusicBackup', BackupStatus: 'AVAILABLE' as const, BackupCreationDateTime: new Date(Date.UTC(2025, 0, n)) });
    mock
      .on(ListBackupsCommand, { ExclusiveStartBackupArn: undefined })
      .resolves({ BackupSummaries: [summary(1), summary(2)], LastEvaluatedBackupArn: summary(2).BackupArn })
      .on(ListBackupsCommand, { ExclusiveStartBackupArn: summary(2).BackupArn })
      .resolves({ BackupSummaries: [summary(3)] });
    const port = new SdkDynamoDB(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
    const backups = await port.listBackups('Music');
    assert.deepEqual(backups.map((b) => b.arn), [1, 2, 3].map((n) => summary(n).BackupArn));
    assert.deepEqual(backups[2], { arn: summary(3).BackupArn, name: 'MusicBackup', status: 'AVAILABLE', sourceTableName: 'Music', createdAt: '2025-01-03T00:00:00.000Z' });
    assert.deepEqual(mock.commandCalls(ListBackupsCommand).map((c) => [c.args[0].input.TableName, c.args[0].input.BackupType]), [['Music', 'USER'], ['Music', 'USER']]);
  });
});

describe('SdkDynamoDB point-in-time calls', () => {
  let mock: ReturnType<typeof mockClient>;
  before(() => {
    mock = mockClient(DynamoDBClient);
  });
  after(() => mock.restore());
  const port = () => new SdkDynamoDB(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));

  it('sends RestoreDateTime as the moment given', async () => {
    mock.on(RestoreTableToPointInTimeCommand).resolves({ TableDescription: { TableName: 'Music2', TableStatus: 'CREATING' } });
    await port().restoreTableToPointInTime({ TargetTableName: 'Music2', SourceTableName: 'Music', RestoreDateTime: '2026-11-20T10:00:00.000Z' });
    const input = mock.commandCalls(RestoreTableToPointInTimeCommand)[0]?.args[0].input;
    assert.deepEqual(input, { TargetTableName: 'Music2', SourceTableName: 'Music', RestoreDateTime: new Date('2026-11-20T10:00:00.000Z') });
  });

  it('reads the restorable window, and DISABLED when there is none', async () => {
    mock
      .on(DescribeContinuousBackupsCommand, { TableName: 'Music' })
      .resolves({
        ContinuousBackupsDescription: {
          ContinuousBackupsStatus: 'ENABLED',
          PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED', EarliestRestorableDateTime: new Date('2026-11-01T00:00:00Z'), LatestRestorableDateTime: new Date('2026-11-25T10:00:00Z') },
        },
      })
      .on(DescribeContinuousBackupsCommand, { TableName: 'Plain' })
      .resolves({ ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED' } });
    assert.deepEqual(await port().describeContinuousBackups('Music'), { status: 'ENABLED', earliest: '2026-11-01T00:00:00.000Z', latest: '2026-11-25T10:00:00.000Z' });
    assert.deepEqual(await port().describeContinuousBackups('Plain'), { status: 'DISABLED', earliest: undefined, latest: undefined });
  });
});

describe('DynamoDBClients', () => {
  it('gives up on a call that does not answer within the request timeout', async () => {
    // A server that accepts the request and never answers.
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const clients = new DynamoDBClients('us-east-1', undefined, undefined, { connectionTimeout: 1_000, requestTimeout: 300 });
    const env = { AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      await assert.rejects(clients.forRegion('us-east-1').describeTable('Music'), (err: unknown) => err instanceof AwsError && err.code === 'TimeoutError');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      clients.destroy();
      server.closeAllConnections();
      server.close();
    }
  });
});
