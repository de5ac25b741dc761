import assert from 'node:assert/strict';
import type { DynamoDBRestore } from '../../../src/api/dynamodb-restore.ts';
import type { RestoreFlags } from '../../../src/plugin/command-line.ts';
import { restoreManifest, retryManifest, retryName } from '../../../src/plugin/restore-manifest.ts';

const ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const head = { apiVersion: 'dynamodb.restore.dev/v1alpha1', kind: 'DynamoDBRestore', metadata: { name: 'music', namespace: 'team-a' } } as const;
const build = (flags: RestoreFlags) => restoreManifest('team-a', 'music', flags);

describe('restoreManifest: flags → DynamoDBRestore', () => {
  it('--table Music --backup-arn ARN (the tutorial\'s first restore)', () => {
    assert.deepEqual(build({ table: 'Music', backupArn: ARN }), { ...head, spec: { targetTableName: 'Music', source: { backupArn: ARN } } });
  });

  it('--backup-name MusicBackup --source-table Music (the console\'s "choose MusicBackup")', () => {
    assert.deepEqual(build({ table: 'Music', backupName: 'MusicBackup', sourceTable: 'Music' }), {
      ...head,
      spec: { targetTableName: 'Music', source: { backup: { tableName: 'Music', backupName: 'MusicBackup' } } },
    });
  });

  it('--latest-backup-of Music', () => {
    assert.deepEqual(build({ table: 'Music', latestBackupOf: 'Music' }), {
      ...head,
      spec: { targetTableName: 'Music', source: { backup: { tableName: 'Music', latest: true } } },
    });
  });

  it('--source-table NAME --restore-time: a point in time by table name', () => {
    assert.deepEqual(build({ table: 'Music2', sourceTable: 'Music', restoreTime: '2026-11-20T10:00:00Z' }), {
      ...head,
      spec: { targetTableName: 'Music2', source: { pointInTime: { sourceTableName: 'Music', restoreDateTime: '2026-11-20T10:00:00Z' } } },
    });
  });

  it('--source-table ARN --latest-restorable: a point in time by table ARN', () => {
    const table = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music';
    assert.deepEqual(build({ table: 'Music2', sourceTable: table, latestRestorable: true }), {
      ...head,
      spec: { targetTableName: 'Music2', source: { pointInTime: { sourceTableArn: table, useLatestRestorableTime: true } } },
    });
  });

  it('the tutorial\'s combined overrides, with region, role and deletion policy', () => {
    const manifest = build({
      table: 'Music',
      backupArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/Music/backup/01581082594992-303b6239',
      region: 'eu-west-1',
      roleArn: 'arn:aws:iam::123456789012:role/dynamodb-restore-team-a',
      deletionPolicy: 'Delete',
      billingModeOverride: 'PROVISIONED',
      provisionedThroughputOverride: 'ReadCapacityUnits=100,WriteCapacityUnits=100',
      globalSecondaryIndexOverride: [
        'IndexName=singers-index,KeySchema=[{AttributeName=SingerName,KeyType=HASH}],Projection={ProjectionType=KEYS_ONLY},ProvisionedThroughput={ReadCapacityUnits=5,WriteCapacityUnits=5}',
      ],
      localSecondaryIndexOverride: ['[]'],
      sseSpecificationOverride: 'Enabled=true,SSEType=KMS,KMSMasterKeyId=alias/my-key',
    });
    assert.deepEqual(manifest, {
      ...head,
      spec: {
        targetTableName: 'Music',
        region: 'eu-west-1',
        source: { backupArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/Music/backup/01581082594992-303b6239' },
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
          localSecondaryIndexes: [],
          sse: { enabled: true, sseType: 'KMS', kmsMasterKeyId: 'alias/my-key' },
        },
        deletionPolicy: 'Delete',
        credentials: { roleArn: 'arn:aws:iam::123456789012:role/dynamodb-restore-team-a' },
      },
    });
  });

  it('--global-secondary-index-override \'[]\' drops every GSI; repeated flags and JSON lists add up in order', () => {
    assert.deepEqual(build({ table: 'Music', backupArn: ARN, globalSecondaryIndexOverride: ['[]'] }).spec.overrides, { globalSecondaryIndexes: [] });
    const index = (name: string) => ({ indexName: name, keySchema: [{ attributeName: 'A', keyType: 'HASH' }], projection: { projectionType: 'ALL' } });
    const flags = ['[{"IndexName":"one","KeySchema":[{"AttributeName":"A","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]', 'IndexName=two,KeySchema=[{AttributeName=A,KeyType=HASH}],Projection={ProjectionType=ALL}'];
    assert.deepEqual(build({ table: 'Music', backupArn: ARN, globalSecondaryIndexOverride: flags }).spec.overrides, { globalSecondaryIndexes: [index('one'), index('two')] });
  });

  it('--on-demand-throughput-override and --billing-mode-override PAY_PER_REQUEST', () => {
    assert.deepEqual(build({ table: 'Music', backupArn: ARN, billingModeOverride: 'PAY_PER_REQUEST', onDemandThroughputOverride: 'MaxReadRequestUnits=1000,MaxWriteRequestUnits=-1' }).spec.overrides, {
      billingMode: 'PAY_PER_REQUEST',
      onDemandThroughput: { maxReadRequestUnits: 1000, maxWriteRequestUnits: -1 },
    });
  });

  const refused: Array<[string, RestoreFlags, string[]]> = [
    ['no source', { table: 'Music' }, ['say what to restore from: --backup-arn, --backup-name with --source-table, --latest-backup-of, or --source-table with --restore-time or --latest-restorable']],
    ['two sources', { table: 'Music', backupArn: ARN, latestBackupOf: 'Music' }, ['restore from one source only, not --backup-arn and --latest-backup-of']],
    ['--backup-name without --source-table', { table: 'Music', backupName: 'MusicBackup' }, ['--backup-name needs --source-table (the table it was taken of)']],
    ['--restore-time without --source-table', { table: 'Music', restoreTime: '2026-11-20T10:00:00Z' }, ['--restore-time needs --source-table (the table it was taken of)']],
    ['--source-table with --backup-arn', { table: 'Music', backupArn: ARN, sourceTable: 'Music' }, ['--source-table goes with --backup-name, --restore-time or --latest-restorable, not --backup-arn']],
    ['two moments', { table: 'Music', sourceTable: 'Music', restoreTime: '2026-11-20T10:00:00Z', latestRestorable: true }, ['give one moment: --restore-time or --latest-restorable']],
    ['no --table', { backupArn: ARN }, ['--table (the table to create) is required']],
    ['a table name the CRD refuses', { table: 'My Music', backupArn: ARN }, ['spec.targetTableName: must match pattern "^[a-zA-Z0-9_.-]+$"']],
    ['a backup ARN the CRD refuses', { table: 'Music', backupArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music' }, [
      'spec.source.backupArn: must match pattern "^arn:aws[a-zA-Z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[a-zA-Z0-9_.-]{3,255}/backup/[0-9]{14}-[a-z0-9]{8}$"',
    ]],
    ['a restore time without a time zone', { table: 'Music', sourceTable: 'Music', restoreTime: '2026-11-20T10:00:00' }, ['spec.source.pointInTime.restoreDateTime: must match format "date-time"']],
    ['a billing mode not in the enum', { table: 'Music', backupArn: ARN, billingModeOverride: 'ON_DEMAND' }, ['spec.overrides.billingMode: must be one of PAY_PER_REQUEST, PROVISIONED']],
    ['a deletion policy not in the enum', { table: 'Music', backupArn: ARN, deletionPolicy: 'Keep' }, ['spec.deletionPolicy: must be one of Retain, Delete']],
    ['a misspelt override key (strict, as kubectl apply)', { table: 'Music', backupArn: ARN, provisionedThroughputOverride: 'ReadCapacityUnits=1,WriteCapacityUnit=1' }, [
      'spec.overrides.provisionedThroughput: must have required property \'writeCapacityUnits\'',
      'spec.overrides.provisionedThroughput: unknown field "writeCapacityUnit"',
    ]],
    ['a capacity that is not a number', { table: 'Music', backupArn: ARN, provisionedThroughputOverride: 'ReadCapacityUnits=lots,WriteCapacityUnits=0' }, [
      'spec.overrides.provisionedThroughput.readCapacityUnits: must be integer',
      'spec.overrides.provisionedThroughput.writeCapacityUnits: must be >= 1',
    ]],
    ['broken shorthand', { table: 'Music', backupArn: ARN, sseSpecificationOverride: 'Enabled' }, ['--sse-specification-override: expected \'=\' at character 8 of "Enabled"']],
    ['a role that is not an IAM role ARN', { table: 'Music', backupArn: ARN, roleArn: 'restorer' }, [
      'spec.credentials.roleArn: must match pattern "^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/[a-zA-Z0-9+=,.@_/-]{1,512}$"',
    ]],
  ];
  for (const [what, flags, problems] of refused) {
    it(`refuses ${what}, saying why`, () => {
      assert.throws(() => build(flags), { name: 'UsageError', message: `the restore is not valid:\n  ${problems.join('\n  ')}` });
    });
  }

  it('refuses a NAME that is not a DNS subdomain', () => {
    assert.throws(() => restoreManifest('team-a', 'Music_Restore', { table: 'Music', backupArn: ARN }), {
      message: 'the restore is not valid:\n  NAME "Music_Restore" must be at most 253 lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
    });
  });
});

describe('retryManifest and retryName', () => {
  const failed = (phase: 'Failed' | 'Completed'): DynamoDBRestore => ({
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { name: 'music', namespace: 'team-a', uid: 'u-1', generation: 1, resourceVersion: '42', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, labels: { 'app.kubernetes.io/instance': 'team-a' } },
    spec: { targetTableName: 'Music', source: { backupArn: ARN }, overrides: { billingMode: 'PAY_PER_REQUEST' }, deletionPolicy: 'Retain' },
    status: { phase },
  });

  it('a Failed restore\'s spec under the new name, with only the retry-of annotation (no labels an Argo CD app would prune by)', () => {
    assert.deepEqual(retryManifest(failed('Failed'), 'music-retry-1'), {
      apiVersion: 'dynamodb.restore.dev/v1alpha1',
      kind: 'DynamoDBRestore',
      metadata: { name: 'music-retry-1', namespace: 'team-a', annotations: { 'dynamodb.restore.dev/retry-of': 'music' } },
      spec: { targetTableName: 'Music', source: { backupArn: ARN }, overrides: { billingMode: 'PAY_PER_REQUEST' }, deletionPolicy: 'Retain' },
    });
  });

  it('refuses a restore that has not failed', () => {
    assert.throws(() => retryManifest(failed('Completed'), 'music-retry-1'), { name: 'UsageError', message: 'music is Completed; only a Failed restore is retried' });
  });

  const names: Array<[string, string[], string]> = [
    ['music', [], 'music-retry-1'],
    ['music', ['music', 'music-retry-1', 'music-retry-3', 'other-retry-9'], 'music-retry-4'],
    ['music-retry-2', ['music-retry-1', 'music-retry-2'], 'music-retry-3'],
    ['music.v2', ['musicxv2-retry-5'], 'music.v2-retry-1'],
  ];
  for (const [original, taken, expected] of names) {
    it(`retry of ${original} with [${taken.join(', ')}] taken: ${expected}`, () => assert.equal(retryName(original, taken), expected));
  }

  it('keeps a retry of a 253-character name within 253 characters', () => {
    const long = 'a'.repeat(253);
    assert.equal(retryName(long, []), `${'a'.repeat(245)}-retry-1`);
  });
});
