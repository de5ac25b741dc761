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
import { assumeRoleParams, DynamoDBClients, SdkDynamoDB, sessionName, toAwsError } from '../../../src/aws/dynamodb-client.ts';
import { SdkBackup } from '../../../src/aws/backup-client.ts';
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

/** Sets environment variables for the duration of run, then puts the old values back. */
async function withEnv<T>(env: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('DynamoDBClients', () => {
  it('gives up on a call that does not answer within the request timeout', async () => {
    // A server that accepts the request and never answers.
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const clients = new DynamoDBClients({ defaultRegion: 'us-east-1', clusterName: undefined, timeouts: { connectionTimeout: 1_000, requestTimeout: 300 } });
    const env = { AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
    try {
      await withEnv(env, () =>
        assert.rejects(clients.forRegion('us-east-1').describeTable('Music'), (err: unknown) => err instanceof AwsError && err.code === 'TimeoutError'),
      );
    } finally {
      clients.destroy();
      server.closeAllConnections();
      server.close();
    }
  });

  const ROLE = 'arn:aws:iam::123456789012:role/dynamodb-restore-team-a';

  describe('a session per resource, never shared across namespaces', () => {
    /** STS and DynamoDB in one: AssumeRole hands out a key named after the session's namespace; every request is recorded. */
    const assumed: Array<Record<string, string>> = [];
    const signedWith: Array<{ operation: string; accessKeyId: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        if (!target) {
          const params = Object.fromEntries(new URLSearchParams(body));
          assumed.push(params);
          const key = `KEY-${params['Tags.member.2.Value'] ?? ''}-${assumed.length}`;
          res.writeHead(200, { 'content-type': 'text/xml' }).end(
            `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${key}</AccessKeyId>` +
              '<SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>' +
              `<AssumedRoleUser><Arn>${ROLE}/${params.RoleSessionName ?? ''}</Arn><AssumedRoleId>AROA:${params.RoleSessionName ?? ''}</AssumedRoleId></AssumedRoleUser>` +
              '</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>',
          );
          return;
        }
        const accessKeyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
        signedWith.push({ operation: target.split('.')[1] ?? '', accessKeyId });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ Table: { TableName: 'Music', TableStatus: 'ACTIVE' } }));
      });
    });
    let env: Record<string, string>;
    before(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      env = { AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_ENDPOINT_URL_STS: endpoint, AWS_ACCESS_KEY_ID: 'OPERATOR', AWS_SECRET_ACCESS_KEY: 'testing' };
    });
    after(() => {
      server.closeAllConnections();
      server.close();
    });
    beforeEach(() => {
      assumed.length = 0;
      signedWith.length = 0;
    });

    it("assumes the role once per resource with that resource's own ExternalId, session names and tags, and signs its calls with its own key", async () => {
      const clients = new DynamoDBClients({ defaultRegion: 'us-east-1', clusterName: 'prod-eu' });
      try {
        await withEnv(env, async () => {
          await clients.forRegion(undefined, { roleArn: ROLE, namespace: 'team-a', name: 'music' }).describeTable('Music');
          await clients.forRegion(undefined, { roleArn: ROLE, namespace: 'team-b', name: 'music' }).describeTable('Music');
          await clients.forRegion(undefined, { roleArn: ROLE, namespace: 'team-a', name: 'music' }).describeTable('Music');
          await clients.forRegion(undefined).describeTable('Music');
        });
      } finally {
        clients.destroy();
      }
      const session = (namespace: string) => ({
        Action: 'AssumeRole',
        Version: '2011-06-15',
        RoleArn: ROLE,
        RoleSessionName: `${namespace}.music`,
        SourceIdentity: `${namespace}.music`,
        ExternalId: `prod-eu/${namespace}`,
        DurationSeconds: '3600',
        'Tags.member.1.Key': 'dynamodb-restore-cluster',
        'Tags.member.1.Value': 'prod-eu',
        'Tags.member.2.Key': 'dynamodb-restore-namespace',
        'Tags.member.2.Value': namespace,
        'Tags.member.3.Key': 'dynamodb-restore-name',
        'Tags.member.3.Value': 'music',
      });
      assert.deepEqual(assumed, [session('team-a'), session('team-b')], "team-a's second call reuses its session; team-b never gets it");
      assert.deepEqual(signedWith, [
        { operation: 'DescribeTable', accessKeyId: 'KEY-team-a-1' },
        { operation: 'DescribeTable', accessKeyId: 'KEY-team-b-2' },
        { operation: 'DescribeTable', accessKeyId: 'KEY-team-a-1' },
        { operation: 'DescribeTable', accessKeyId: 'OPERATOR' },
      ]);
    });

    it('gives each resource of a namespace its own session of the same role', () => {
      const clients = new DynamoDBClients({ defaultRegion: 'us-east-1', clusterName: 'prod-eu' });
      try {
        const music = clients.forRegion(undefined, { roleArn: ROLE, namespace: 'team-a', name: 'music' });
        assert.equal(clients.forRegion('us-east-1', { roleArn: ROLE, namespace: 'team-a', name: 'music' }), music, 'the default Region named is the same client');
        assert.notEqual(clients.forRegion(undefined, { roleArn: ROLE, namespace: 'team-a', name: 'songs' }), music);
        assert.notEqual(clients.forRegion('eu-west-1', { roleArn: ROLE, namespace: 'team-a', name: 'music' }), music);
        // A key built by joining with a separator would make these two one identity.
        assert.notEqual(
          clients.forRegion(undefined, { roleArn: ROLE, namespace: 'a', name: 'b|c' }),
          clients.forRegion(undefined, { roleArn: ROLE, namespace: 'a|b', name: 'c' }),
        );
      } finally {
        clients.destroy();
      }
    });
  });

  describe('the cache bounds', () => {
    /** Records which ports were destroyed, in order. */
    const destroyed: string[] = [];
    const watched = (port: SdkDynamoDB, label: string) => {
      const destroy = port.destroy.bind(port);
      port.destroy = () => {
        destroyed.push(label);
        destroy();
      };
      return port;
    };
    beforeEach(() => (destroyed.length = 0));
    const role = (name: string) => ({ roleArn: ROLE, namespace: 'team-a', name });

    it('destroys the least recently used client when a new one would exceed the maximum', () => {
      const clients = new DynamoDBClients({ defaultRegion: 'us-east-1', clusterName: 'prod-eu', cache: { max: 2, idleMs: 60_000 } });
      try {
        const a = watched(clients.forRegion(undefined, role('a')), 'a');
        watched(clients.forRegion(undefined, role('b')), 'b');
        clients.forRegion(undefined, role('a'));
        watched(clients.forRegion(undefined, role('c')), 'c');
        assert.deepEqual(destroyed, ['b']);
        assert.equal(clients.forRegion(undefined, role('a')), a);
      } finally {
        clients.destroy();
      }
      assert.deepEqual([...destroyed].sort(), ['a', 'b', 'c'], 'destroy() destroys the rest');
    });

    it('destroys a client unused for the idle time, and makes a new one on its next use; a used one stays', () => {
      // lru-cache takes a start time of 0 for "no time": the clock starts later.
      let now = 1_000_000;
      const clients = new DynamoDBClients({ defaultRegion: 'us-east-1', clusterName: 'prod-eu', cache: { max: 10, idleMs: 60_000 }, now: () => now });
      try {
        const idle = watched(clients.forRegion(undefined, role('idle')), 'idle');
        const busy = watched(clients.forRegion(undefined, role('busy')), 'busy');
        now += 50_000;
        clients.forRegion(undefined, role('busy'));
        now += 50_000;
        assert.equal(clients.forRegion(undefined, role('busy')), busy, 'used 50 s ago: kept');
        assert.notEqual(clients.forRegion(undefined, role('idle')), idle, 'unused for 100 s: a new client');
        assert.deepEqual(destroyed, ['idle']);
      } finally {
        clients.destroy();
      }
    });

    it('keeps one AWS Backup client per identity beside its DynamoDB client, and destroys the two together', () => {
      const clients = new DynamoDBClients({ defaultRegion: 'us-east-1', clusterName: 'prod-eu', cache: { max: 1, idleMs: 60_000 } });
      try {
        const backupA = clients.backupFor(undefined, role('a')) as SdkBackup;
        assert.equal(clients.backupFor('us-east-1', role('a')), backupA, 'the same identity: the same client');
        watched(clients.forRegion(undefined, role('a')), 'dynamodb a');
        const destroy = backupA.destroy.bind(backupA);
        backupA.destroy = () => {
          destroyed.push('backup a');
          destroy();
        };
        assert.notEqual(clients.backupFor(undefined, role('b')), backupA, 'another resource: its own client');
        assert.deepEqual(destroyed, ['dynamodb a', 'backup a'], "b's clients took the one place: both of a's went");
        assert.notEqual(clients.backupFor(undefined, role('a')), backupA, 'dropped from the cache: a new client');
      } finally {
        clients.destroy();
      }
    });
  });

  it('refuses to assume a role, before any call, when no cluster name is configured; its own identity still works', () => {
    const clients = new DynamoDBClients({ defaultRegion: 'us-east-1', clusterName: undefined });
    try {
      assert.throws(() => clients.forRegion(undefined, { roleArn: ROLE, namespace: 'team-a', name: 'music' }), {
        name: 'AwsError',
        code: 'ClusterNameUnset',
        operation: 'AssumeRole',
      });
      assert.ok(clients.forRegion(undefined) instanceof SdkDynamoDB);
    } finally {
      clients.destroy();
    }
  });
});

describe('assumeRoleParams', () => {
  const ROLE = 'arn:aws:iam::123456789012:role/dynamodb-restore-team-a';

  it('derives the ExternalId from the cluster and namespace, and the session names and tags from namespace and name', () => {
    assert.deepEqual(assumeRoleParams('prod-eu', { roleArn: ROLE, namespace: 'team-b', name: 'music' }), {
      RoleArn: ROLE,
      ExternalId: 'prod-eu/team-b',
      RoleSessionName: 'team-b.music',
      SourceIdentity: 'team-b.music',
      Tags: [
        { Key: 'dynamodb-restore-cluster', Value: 'prod-eu' },
        { Key: 'dynamodb-restore-namespace', Value: 'team-b' },
        { Key: 'dynamodb-restore-name', Value: 'music' },
      ],
      DurationSeconds: 3600,
    });
  });
});

describe('sessionName', () => {
  const cases: Array<[string, string, string, string]> = [
    ['a short name whole', 'team-a', 'music', 'team-a.music'],
    ['a name of exactly 64 characters whole', 'team-a', 'm'.repeat(57), `team-a.${'m'.repeat(57)}`],
    // sha256("team-a.music-restore-of-the-tutorial-table-into-a-scratch-copy-for-friday"), first 24 hex digits.
    ['a longer one cut to 64 with @ and a hash of the whole', 'team-a', 'music-restore-of-the-tutorial-table-into-a-scratch-copy-for-friday', 'team-a.music-restore-of-the-tutorial-ta@8605cc66f23b2af3a6f60eea'],
    ['another with the same first 39 characters differently', 'team-a', 'music-restore-of-the-tutorial-table-into-a-scratch-copy-for-monday', 'team-a.music-restore-of-the-tutorial-ta@1a987bcb700b53356556148b'],
    // A namespace of the longest length (63) leaves no room for the name: cut inside the namespace, the hash tells.
    ['a longest namespace (63 characters) to its first 39, @ and the hash of the whole', 'n'.repeat(63), 'music', `${'n'.repeat(39)}@dc539dedf3aa6da715f68b59`],
  ];
  for (const [what, namespace, name, expected] of cases) {
    it(`keeps ${what}`, () => {
      const session = sessionName(namespace, name);
      assert.equal(session, expected);
      // STS's RoleSessionName and SourceIdentity: 2 to 64 characters of [\w+=,.@-].
      assert.match(session, /^[\w+=,.@-]{2,64}$/);
    });
  }
});
