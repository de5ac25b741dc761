import assert from 'node:assert/strict';
import type { DynamoDBRestoreSpec } from '../../../src/api/dynamodb-restore.ts';
import type { RestoreFromBackupRequest } from '../../../src/aws/dynamodb-port.ts';
import { restoreJobRequest, restoreRequest as requestFor } from '../../../src/restore/restore-request.ts';

/** The request for a spec naming its backup by ARN. */
const restoreRequest = (spec: DynamoDBRestoreSpec) => requestFor(spec, spec.source.backupArn ?? '');

const ARN_1 = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const ARN_2 = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01581080476474-e177ebe2';
const ARN_3 = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01581081403719-db9c1f91';
const ARN_4 = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Music/backup/01581082594992-303b6239';

/** The keys of an object and of every object nested in it, so an `undefined`-valued key cannot hide. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, `${prefix}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [`${prefix}${prefix ? '.' : ''}${k}`, ...keyPaths(v, `${prefix}${prefix ? '.' : ''}${k}`)]);
}

interface Case {
  cli: string;
  spec: DynamoDBRestoreSpec;
  request: RestoreFromBackupRequest;
}

// Each tutorial CLI call, as a spec, and the RestoreTableFromBackup request the CLI sends for it.
const CASES: Case[] = [
  {
    cli: `--target-table-name Music --backup-arn ${ARN_1}`,
    spec: { targetTableName: 'Music', source: { backupArn: ARN_1 } },
    request: { TargetTableName: 'Music', BackupArn: ARN_1 },
  },
  {
    cli: '--sse-specification-override Enabled=true,SSEType=KMS,KMSMasterKeyId=abcd1234-abcd-1234-a123-ab1234a1b234',
    spec: {
      targetTableName: 'Music',
      source: { backupArn: ARN_2 },
      overrides: { sse: { enabled: true, sseType: 'KMS', kmsMasterKeyId: 'abcd1234-abcd-1234-a123-ab1234a1b234' } },
    },
    request: {
      TargetTableName: 'Music',
      BackupArn: ARN_2,
      SSESpecificationOverride: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: 'abcd1234-abcd-1234-a123-ab1234a1b234' },
    },
  },
  {
    cli: '--sse-specification-override Enabled=true,SSEType=KMS',
    spec: { targetTableName: 'Music', region: 'eu-west-1', source: { backupArn: ARN_2 }, overrides: { sse: { enabled: true, sseType: 'KMS' } } },
    request: { TargetTableName: 'Music', BackupArn: ARN_2, SSESpecificationOverride: { Enabled: true, SSEType: 'KMS' } },
  },
  {
    cli: '--billing-mode-override PAY_PER_REQUEST',
    spec: { targetTableName: 'Music', source: { backupArn: ARN_1 }, overrides: { billingMode: 'PAY_PER_REQUEST' } },
    request: { TargetTableName: 'Music', BackupArn: ARN_1, BillingModeOverride: 'PAY_PER_REQUEST' },
  },
  {
    cli: '--billing-mode-override PROVISIONED --provisioned-throughput-override ReadCapacityUnits=100,WriteCapacityUnits=100',
    spec: {
      targetTableName: 'Music',
      source: { backupArn: ARN_1 },
      overrides: { billingMode: 'PROVISIONED', provisionedThroughput: { readCapacityUnits: 100, writeCapacityUnits: 100 } },
    },
    request: {
      TargetTableName: 'Music',
      BackupArn: ARN_1,
      BillingModeOverride: 'PROVISIONED',
      ProvisionedThroughputOverride: { ReadCapacityUnits: 100, WriteCapacityUnits: 100 },
    },
  },
  {
    cli: "--global-secondary-index-override '[]' --sse-specification-override Enabled=true,SSEType=KMS",
    spec: {
      targetTableName: 'Music',
      source: { backupArn: ARN_3 },
      overrides: { globalSecondaryIndexes: [], sse: { enabled: true, sseType: 'KMS' } },
    },
    request: {
      TargetTableName: 'Music',
      BackupArn: ARN_3,
      GlobalSecondaryIndexOverride: [],
      SSESpecificationOverride: { Enabled: true, SSEType: 'KMS' },
    },
  },
  {
    cli:
      '--billing-mode-override PROVISIONED --provisioned-throughput-override ReadCapacityUnits=100,WriteCapacityUnits=100 ' +
      '--global-secondary-index-override IndexName=singers-index,KeySchema=["{AttributeName=SingerName,KeyType=HASH}"],' +
      'Projection="{ProjectionType=KEYS_ONLY}",ProvisionedThroughput="{ReadCapacityUnits=5,WriteCapacityUnits=5}" ' +
      '--sse-specification-override Enabled=true,SSEType=KMS',
    spec: {
      targetTableName: 'Music',
      region: 'eu-west-1',
      source: { backupArn: ARN_4 },
      overrides: {
        billingMode: 'PROVISIONED',
        provisionedThroughput: { readCapacityUnits: 100, writeCapacityUnits: 100 },
        globalSecondaryIndexes: [
          {
            indexName: 'singers-index',
            keySchema: [{ attributeName: 'SingerName', keyType: 'HASH' }],
            projection: { projectionType: 'KEYS_ONLY' },
            provisionedThroughput: { readCapacityUnits: 5, writeCapacityUnits: 5 },
          },
        ],
        sse: { enabled: true, sseType: 'KMS' },
      },
    },
    request: {
      TargetTableName: 'Music',
      BackupArn: ARN_4,
      BillingModeOverride: 'PROVISIONED',
      ProvisionedThroughputOverride: { ReadCapacityUnits: 100, WriteCapacityUnits: 100 },
      GlobalSecondaryIndexOverride: [
        {
          IndexName: 'singers-index',
          KeySchema: [{ AttributeName: 'SingerName', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
          ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
        },
      ],
      SSESpecificationOverride: { Enabled: true, SSEType: 'KMS' },
    },
  },
];

describe('restoreRequest', () => {
  describe('the tutorial\'s CLI calls', () => {
    for (const { cli, spec, request } of CASES) {
      it(cli, () => {
        const actual = restoreRequest(spec);
        assert.deepStrictEqual(actual, request);
        // deepStrictEqual already fails on an extra undefined-valued key; this says which key it is.
        assert.deepEqual(keyPaths(actual).sort(), keyPaths(request).sort());
      });
    }
  });

  it('sends no override key at all for a spec without overrides, nor for an empty overrides object', () => {
    for (const spec of [
      { targetTableName: 'Music', source: { backupArn: ARN_1 } },
      { targetTableName: 'Music', source: { backupArn: ARN_1 }, overrides: {} },
    ]) {
      assert.deepEqual(Object.keys(restoreRequest(spec)).sort(), ['BackupArn', 'TargetTableName']);
    }
  });

  it('does not send the region: it picks the client, not a request field', () => {
    const request = restoreRequest({ targetTableName: 'Music', region: 'us-east-1', source: { backupArn: ARN_1 } });
    assert.deepEqual(Object.keys(request).sort(), ['BackupArn', 'TargetTableName']);
  });

  it('maps SSE enabled: false (an AWS owned key) to Enabled: false alone', () => {
    const request = restoreRequest({ targetTableName: 'Music', source: { backupArn: ARN_1 }, overrides: { sse: { enabled: false } } });
    assert.deepStrictEqual(request.SSESpecificationOverride, { Enabled: false });
  });

  it('maps on-demand throughput, leaving out an unset limit', () => {
    const request = restoreRequest({
      targetTableName: 'Music',
      source: { backupArn: ARN_1 },
      overrides: {
        billingMode: 'PAY_PER_REQUEST',
        onDemandThroughput: { maxReadRequestUnits: 1_000 },
        globalSecondaryIndexes: [
          {
            indexName: 'singers-index',
            keySchema: [{ attributeName: 'SingerName', keyType: 'HASH' }],
            projection: { projectionType: 'ALL' },
            onDemandThroughput: { maxReadRequestUnits: -1, maxWriteRequestUnits: 50 },
          },
        ],
      },
    });
    assert.deepStrictEqual(request.OnDemandThroughputOverride, { MaxReadRequestUnits: 1_000 });
    assert.deepStrictEqual(request.GlobalSecondaryIndexOverride, [
      {
        IndexName: 'singers-index',
        KeySchema: [{ AttributeName: 'SingerName', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
        OnDemandThroughput: { MaxReadRequestUnits: -1, MaxWriteRequestUnits: 50 },
      },
    ]);
  });

  it('maps local secondary indexes, with an INCLUDE projection\'s attributes, in order', () => {
    const request = restoreRequest({
      targetTableName: 'Music',
      source: { backupArn: ARN_1 },
      overrides: {
        localSecondaryIndexes: [
          {
            indexName: 'album-index',
            keySchema: [
              { attributeName: 'Artist', keyType: 'HASH' },
              { attributeName: 'AlbumTitle', keyType: 'RANGE' },
            ],
            projection: { projectionType: 'INCLUDE', nonKeyAttributes: ['Year', 'Genre'] },
          },
          {
            indexName: 'year-index',
            keySchema: [
              { attributeName: 'Artist', keyType: 'HASH' },
              { attributeName: 'Year', keyType: 'RANGE' },
            ],
            projection: { projectionType: 'KEYS_ONLY' },
          },
        ],
      },
    });
    assert.deepStrictEqual(request, {
      TargetTableName: 'Music',
      BackupArn: ARN_1,
      LocalSecondaryIndexOverride: [
        {
          IndexName: 'album-index',
          KeySchema: [
            { AttributeName: 'Artist', KeyType: 'HASH' },
            { AttributeName: 'AlbumTitle', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['Year', 'Genre'] },
        },
        {
          IndexName: 'year-index',
          KeySchema: [
            { AttributeName: 'Artist', KeyType: 'HASH' },
            { AttributeName: 'Year', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });

  it('keeps an empty LSI list (drop every LSI) rather than omitting it (keep all)', () => {
    const request = restoreRequest({ targetTableName: 'Music', source: { backupArn: ARN_1 }, overrides: { localSecondaryIndexes: [] } });
    assert.deepStrictEqual(request.LocalSecondaryIndexOverride, []);
  });
});

describe('restoreJobRequest: overrides.sse as the StartRestoreJob Metadata of a recovery point', () => {
  const RECOVERY_POINT = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';
  const ROLE = 'arn:aws:iam::123456789012:role/aws-backup-restore';
  const KEY = 'arn:aws:kms:us-east-1:123456789012:key/abcd1234-abcd-1234-a123-ab1234a1b234';
  const spec = (overrides?: DynamoDBRestoreSpec['overrides']): DynamoDBRestoreSpec => ({
    targetTableName: 'Music',
    region: 'us-east-1',
    source: { recoveryPoint: { recoveryPointArn: RECOVERY_POINT, backupVaultName: 'team-a-vault', iamRoleArn: ROLE } },
    ...(overrides && { overrides }),
  });
  const request = (metadata: Record<string, string>) => ({
    RecoveryPointArn: RECOVERY_POINT,
    IamRoleArn: ROLE,
    IdempotencyToken: 'dynamodb-restore-uid-1',
    ResourceType: 'DynamoDB',
    Metadata: metadata,
  });

  it('without overrides.sse sends Metadata {targetTableName} only (AWS Backup keeps its default key)', () => {
    assert.deepStrictEqual(restoreJobRequest(spec(), 'uid-1'), request({ targetTableName: 'Music' }));
  });

  it('with sse.enabled false sends Metadata {targetTableName, encryptionType: Default}', () => {
    assert.deepStrictEqual(restoreJobRequest(spec({ sse: { enabled: false } }), 'uid-1'), request({ targetTableName: 'Music', encryptionType: 'Default' }));
  });

  it('with sse.enabled true, sseType KMS and a key ARN sends Metadata {targetTableName, encryptionType: KMS, kmsMasterKeyArn: the ARN}', () => {
    assert.deepStrictEqual(
      restoreJobRequest(spec({ sse: { enabled: true, sseType: 'KMS', kmsMasterKeyId: KEY } }), 'uid-1'),
      request({ targetTableName: 'Music', encryptionType: 'KMS', kmsMasterKeyArn: KEY }),
    );
  });
});
