// The CRD's schema and CEL rules, judged by a real kube-apiserver: what a person gets back from `kubectl apply`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, type DynamoDBRestoreSpec } from '../../src/api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicySpec } from '../../src/api/dynamodb-restore-policy.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { Restores, uniqueName } from '../support/restores.ts';
import { REPO, type TestBed } from '../support/testbed.ts';

const BACKUP = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const RECOVERY_POINT = {
  recoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45',
  backupVaultName: 'team-a_vault',
  iamRoleArn: 'arn:aws:iam::123456789012:role/aws-backup-restore',
};
/** An INCLUDE index projecting `attributes` non-key attributes. */
const index = (n: number, attributes: number, indexName = `index-${n}`) => ({
  indexName,
  keySchema: [{ attributeName: `key${n}`, keyType: 'HASH' }],
  projection: { projectionType: 'INCLUDE', nonKeyAttributes: Array.from({ length: attributes }, (_, a) => `attr${a}`) },
});
const withIndexes = (globalSecondaryIndexes: unknown[], localSecondaryIndexes?: unknown[]) => ({
  targetTableName: 'Music',
  source: { backupArn: BACKUP },
  overrides: { globalSecondaryIndexes, ...(localSecondaryIndexes && { localSecondaryIndexes }) },
});

/** The apiserver's message for a rejected create, or 'accepted'. */
async function admission(restores: Restores, namespace: string, spec: unknown): Promise<string> {
  try {
    await restores.create(namespace, uniqueName('r'), spec as DynamoDBRestoreSpec);
    return 'accepted';
  } catch (err) {
    if (err instanceof ApiException && err.code === 422) return String((JSON.parse(String(err.body)) as { message: string }).message);
    throw err;
  }
}

describe('integration: DynamoDBRestore admission on a real apiserver', function () {
  this.timeout(60_000);
  let bed: TestBed;
  let restores: Restores;
  const namespace = uniqueName('admission');

  before(async () => {
    bed = await sharedTestBed();
    restores = new Restores(bed);
    // Governed as every bed namespace is, by a policy that lets recovery point restores pass any role to AWS Backup,
    // from any vault
    // (the ValidatingAdmissionPolicy, once a suite has applied it, refuses them where the policy names none).
    await bed.createNamespace(namespace, { governed: false });
    await restores.createPolicy(`tenant-${namespace}`, { namespaces: [namespace], allowedRestoreRoleArns: ['arn:aws:iam::123456789012:role/.+'], allowedBackupVaults: ['.+'] });
  });

  after(async () => restores?.deletePolicy(`tenant-${namespace}`));

  const cases: Array<{ name: string; spec: unknown; expect: RegExp | 'accepted' }> = [
    { name: 'the tutorial restore', spec: { targetTableName: 'Music', source: { backupArn: BACKUP } }, expect: 'accepted' },
    { name: 'a too short table name', spec: { targetTableName: 'Mu', source: { backupArn: BACKUP } }, expect: /spec.targetTableName.*at least 3 chars/ },
    { name: 'a table name with a space', spec: { targetTableName: 'My Music', source: { backupArn: BACKUP } }, expect: /spec.targetTableName.*should match/ },
    { name: 'a table ARN instead of a backup ARN', spec: { targetTableName: 'Music', source: { backupArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music' } }, expect: /spec.source.backupArn.*should match/ },
    { name: 'no source', spec: { targetTableName: 'Music' }, expect: /spec.source: Required value/ },
    { name: 'an empty source', spec: { targetTableName: 'Music', source: {} }, expect: /source needs exactly one of backupArn, backup, pointInTime or recoveryPoint/ },
    {
      name: 'a backup ARN and a lookup together',
      spec: { targetTableName: 'Music', source: { backupArn: BACKUP, backup: { tableName: 'Music', latest: true } } },
      expect: /source needs exactly one of backupArn, backup, pointInTime or recoveryPoint/,
    },
    {
      name: 'a point-in-time restore to the latest restorable time',
      spec: { targetTableName: 'Music2', source: { pointInTime: { sourceTableName: 'Music', useLatestRestorableTime: true } } },
      expect: 'accepted',
    },
    {
      name: 'a point-in-time restore to a moment, by source table ARN',
      spec: { targetTableName: 'Music2', source: { pointInTime: { sourceTableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music', restoreDateTime: '2026-11-20T10:00:00Z' } } },
      expect: 'accepted',
    },
    {
      name: 'every table setting, and deletionPolicy Delete',
      spec: {
        targetTableName: 'Music2',
        source: { backupArn: BACKUP },
        deletionPolicy: 'Delete',
        tableSettings: { tags: { team: 'a', 'cost-center': '1234' }, timeToLive: { attributeName: 'expiresAt' }, stream: { viewType: 'NEW_AND_OLD_IMAGES' }, pointInTimeRecovery: true, deletionProtection: false },
      },
      expect: 'accepted',
    },
    { name: 'a reserved tag key', spec: { targetTableName: 'Music', source: { backupArn: BACKUP }, tableSettings: { tags: { 'dynamodb.restore.dev/owner-uid': 'x' } } }, expect: /tag keys starting with aws: or dynamodb\.restore\.dev\/ are reserved/ },
    { name: 'an aws: tag key', spec: { targetTableName: 'Music', source: { backupArn: BACKUP }, tableSettings: { tags: { 'aws:cloudformation:stack': 'x' } } }, expect: /are reserved/ },
    { name: 'a tag value over 256 characters', spec: { targetTableName: 'Music', source: { backupArn: BACKUP }, tableSettings: { tags: { team: 'x'.repeat(257) } } }, expect: /spec.tableSettings.tags.team.*256/ },
    { name: 'an unknown stream view type', spec: { targetTableName: 'Music', source: { backupArn: BACKUP }, tableSettings: { stream: { viewType: 'ALL' } } }, expect: /spec.tableSettings.stream.viewType: Unsupported value/ },
    { name: 'an unknown deletionPolicy', spec: { targetTableName: 'Music', source: { backupArn: BACKUP }, deletionPolicy: 'Orphan' }, expect: /spec.deletionPolicy: Unsupported value: "Orphan"/ },
    {
      name: 'deletionPolicy Delete with deletion protection',
      spec: { targetTableName: 'Music', source: { backupArn: BACKUP }, deletionPolicy: 'Delete', tableSettings: { deletionProtection: true } },
      expect: /deletionPolicy Delete cannot delete a table with tableSettings.deletionProtection: true; choose one/,
    },
    {
      name: 'a point-in-time restore with both a time and the latest',
      spec: { targetTableName: 'Music2', source: { pointInTime: { sourceTableName: 'Music', restoreDateTime: '2026-11-20T10:00:00Z', useLatestRestorableTime: true } } },
      expect: /pointInTime needs exactly one of restoreDateTime or useLatestRestorableTime: true/,
    },
    {
      name: 'a point-in-time restore naming its source twice',
      spec: { targetTableName: 'Music2', source: { pointInTime: { sourceTableName: 'Music', sourceTableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music', useLatestRestorableTime: true } } },
      expect: /pointInTime needs exactly one of sourceTableName or sourceTableArn/,
    },
    {
      name: 'a backup and a point in time together',
      spec: { targetTableName: 'Music2', source: { backupArn: BACKUP, pointInTime: { sourceTableName: 'Music', useLatestRestorableTime: true } } },
      expect: /source needs exactly one of backupArn, backup, pointInTime or recoveryPoint/,
    },
    { name: 'a recovery point in its own Region', spec: { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: RECOVERY_POINT } }, expect: 'accepted' },
    {
      name: "a recovery point given as the DynamoDB backup AWS Backup made",
      spec: { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: { ...RECOVERY_POINT, recoveryPointArn: BACKUP } } },
      expect: 'accepted',
    },
    {
      name: 'a recovery point without its vault',
      spec: { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: { recoveryPointArn: RECOVERY_POINT.recoveryPointArn, iamRoleArn: RECOVERY_POINT.iamRoleArn } } },
      expect: /spec.source.recoveryPoint.backupVaultName: Required value/,
    },
    {
      name: "a vault name outside AWS Backup's pattern (a dot)",
      spec: { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: { ...RECOVERY_POINT, backupVaultName: 'team-a.vault' } } },
      expect: /spec.source.recoveryPoint.backupVaultName: Invalid value: "team-a.vault": spec.source.recoveryPoint.backupVaultName in body should match/,
    },
    { name: 'a recovery point without spec.region', spec: { targetTableName: 'Music', source: { recoveryPoint: RECOVERY_POINT } }, expect: /source.recoveryPoint needs spec.region, the recovery point's own Region/ },
    {
      name: "a recovery point restored outside its Region",
      spec: { targetTableName: 'Music', region: 'eu-west-1', source: { recoveryPoint: RECOVERY_POINT } },
      expect: /source.recoveryPoint needs spec.region, the recovery point's own Region/,
    },
    {
      name: 'a recovery point with a billing override',
      spec: { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: RECOVERY_POINT }, overrides: { billingMode: 'PAY_PER_REQUEST' } },
      expect: /spec.overrides: Forbidden: source.recoveryPoint takes only overrides.sse: AWS Backup restores the table as it was backed up but for its encryption/,
    },
    {
      name: 'a recovery point with sse and an index override together',
      spec: { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: RECOVERY_POINT }, overrides: { sse: { enabled: false }, globalSecondaryIndexes: [] } },
      expect: /spec.overrides: Forbidden: source.recoveryPoint takes only overrides.sse/,
    },
    { name: 'a recovery point with sse.enabled false', spec: { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: RECOVERY_POINT }, overrides: { sse: { enabled: false } } }, expect: 'accepted' },
    {
      name: 'a recovery point with a customer managed key by ARN',
      spec: { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: RECOVERY_POINT }, overrides: { sse: { enabled: true, sseType: 'KMS', kmsMasterKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abcd1234-abcd-1234-a123-ab1234a1b234' } } },
      expect: 'accepted',
    },
    {
      name: 'a recovery point with sse.enabled true and no key (the AWS managed key)',
      spec: { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: RECOVERY_POINT }, overrides: { sse: { enabled: true, sseType: 'KMS' } } },
      expect: /spec.overrides.sse: Invalid value: source.recoveryPoint with overrides.sse.enabled: true needs kmsMasterKeyId as a KMS key ARN \(arn:aws:kms:<region>:<account>:key\/<id>\): AWS Backup's restore metadata takes the key as kmsMasterKeyArn and documents no way to ask for the AWS managed key; enabled: false is the DynamoDB-owned key/,
    },
    {
      name: 'a recovery point with a key given as an alias',
      spec: { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: RECOVERY_POINT }, overrides: { sse: { enabled: true, sseType: 'KMS', kmsMasterKeyId: 'alias/team-a' } } },
      expect: /source.recoveryPoint with overrides.sse.enabled: true needs kmsMasterKeyId as a KMS key ARN/,
    },
    {
      name: 'a recovery point with a key given by ID',
      spec: { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: RECOVERY_POINT }, overrides: { sse: { enabled: true, sseType: 'KMS', kmsMasterKeyId: 'abcd1234-abcd-1234-a123-ab1234a1b234' } } },
      expect: /source.recoveryPoint with overrides.sse.enabled: true needs kmsMasterKeyId as a KMS key ARN/,
    },
    {
      name: 'a recovery point and a backup together',
      spec: { targetTableName: 'Music', region: 'us-east-1', source: { backupArn: BACKUP, recoveryPoint: RECOVERY_POINT } },
      expect: /source needs exactly one of backupArn, backup, pointInTime or recoveryPoint/,
    },
    {
      name: 'a vault ARN as a recovery point',
      spec: { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: { ...RECOVERY_POINT, recoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:backup-vault:Default' } } },
      expect: /spec.source.recoveryPoint.recoveryPointArn.*should match/,
    },
    {
      name: 'a recovery point without its role',
      spec: { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: { recoveryPointArn: RECOVERY_POINT.recoveryPointArn } } },
      expect: /spec.source.recoveryPoint.iamRoleArn: Required value/,
    },
    { name: 'a lookup by name', spec: { targetTableName: 'Music', source: { backup: { tableName: 'Music', backupName: 'MusicBackup' } } }, expect: 'accepted' },
    { name: 'a lookup of the latest', spec: { targetTableName: 'Music', region: 'eu-west-1', source: { backup: { tableName: 'Music', latest: true } } }, expect: 'accepted' },
    { name: 'a lookup with neither name nor latest', spec: { targetTableName: 'Music', source: { backup: { tableName: 'Music', latest: false } } }, expect: /backup needs exactly one of backupName or latest: true/ },
    {
      name: 'a lookup with both name and latest',
      spec: { targetTableName: 'Music', source: { backup: { tableName: 'Music', backupName: 'MusicBackup', latest: true } } },
      expect: /backup needs exactly one of backupName or latest: true/,
    },
    { name: 'a bad Region', spec: { targetTableName: 'Music', region: 'US-EAST-1', source: { backupArn: BACKUP } }, expect: /spec.region.*should match/ },
    {
      name: 'PROVISIONED without throughput',
      spec: { targetTableName: 'Music', source: { backupArn: BACKUP }, overrides: { billingMode: 'PROVISIONED' } },
      expect: /billingMode PROVISIONED needs provisionedThroughput/,
    },
    {
      name: 'throughput with PAY_PER_REQUEST',
      spec: {
        targetTableName: 'Music',
        source: { backupArn: BACKUP },
        overrides: { billingMode: 'PAY_PER_REQUEST', provisionedThroughput: { readCapacityUnits: 1, writeCapacityUnits: 1 } },
      },
      expect: /provisionedThroughput applies only to billingMode PROVISIONED/,
    },
    {
      name: 'a cross-Region backup without sse',
      spec: { targetTableName: 'Music', region: 'eu-west-1', source: { backupArn: BACKUP } },
      expect: /a backup in another Region than spec.region needs overrides.sse/,
    },
    {
      name: 'a cross-Region backup with sse',
      spec: { targetTableName: 'Music', region: 'eu-west-1', source: { backupArn: BACKUP }, overrides: { sse: { enabled: true, sseType: 'KMS' } } },
      expect: 'accepted',
    },
    {
      name: 'a KMS key without sseType KMS',
      spec: { targetTableName: 'Music', source: { backupArn: BACKUP }, overrides: { sse: { enabled: true, kmsMasterKeyId: 'alias/k' } } },
      expect: /kmsMasterKeyId needs enabled: true and sseType: KMS/,
    },
    // DynamoDB's limits (API Reference: Projection, LocalSecondaryIndex, GlobalSecondaryIndex; Service quotas).
    { name: '20 GSIs and 5 LSIs projecting 100 attributes in all', spec: withIndexes(Array.from({ length: 20 }, (_, i) => index(i, 4)), Array.from({ length: 5 }, (_, i) => index(20 + i, 4))), expect: 'accepted' },
    { name: '21 GSIs', spec: withIndexes(Array.from({ length: 21 }, (_, i) => index(i, 1))), expect: /spec.overrides.globalSecondaryIndexes: Too many: 21: must have at most 20 items/ },
    { name: '6 LSIs', spec: withIndexes([], Array.from({ length: 6 }, (_, i) => index(i, 1))), expect: /spec.overrides.localSecondaryIndexes: Too many: 6: must have at most 5 items/ },
    { name: '21 nonKeyAttributes in one index', spec: withIndexes([index(0, 21)]), expect: /spec.overrides.globalSecondaryIndexes\[0\].projection.nonKeyAttributes: Too many: 21: must have at most 20 items/ },
    {
      name: '101 nonKeyAttributes summed across GSIs and LSIs',
      spec: withIndexes(Array.from({ length: 5 }, (_, i) => index(i, 20)), [index(5, 1)]),
      expect: /spec.overrides: Invalid value: at most 100 nonKeyAttributes summed across all globalSecondaryIndexes and localSecondaryIndexes/,
    },
    { name: 'an index name of 256 characters', spec: withIndexes([index(0, 1, 'i'.repeat(256))]), expect: /spec.overrides.globalSecondaryIndexes\[0\].indexName: Too long/ },
    { name: 'a non-key attribute name of 256 characters', spec: withIndexes([{ ...index(0, 0), projection: { projectionType: 'INCLUDE', nonKeyAttributes: ['a'.repeat(256)] } }]), expect: /spec.overrides.globalSecondaryIndexes\[0\].projection.nonKeyAttributes\[0\]: Too long/ },
    {
      name: 'an unknown billing mode',
      spec: { targetTableName: 'Music', source: { backupArn: BACKUP }, overrides: { billingMode: 'ON_DEMAND' } },
      expect: /spec.overrides.billingMode: Unsupported value: "ON_DEMAND"/,
    },
  ];
  for (const c of cases) {
    it(`${c.expect === 'accepted' ? 'accepts' : 'rejects'} ${c.name}`, async () => {
      const answer = await admission(restores, namespace, c.spec);
      if (c.expect === 'accepted') assert.equal(answer, 'accepted');
      else assert.match(answer, c.expect);
    });
  }

  it('accepts every example under deploy/examples', async () => {
    const dir = join(REPO, 'deploy/examples');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 12, 'one example per tutorial variant, and the lookup, role and point-in-time examples');
    for (const file of files) {
      const example = parse(readFileSync(join(dir, file), 'utf8')) as { spec: unknown };
      assert.equal(await admission(restores, namespace, example.spec), 'accepted', file);
    }
  });

  it('rejects any change to the spec but deletionPolicy, saying to create a new resource', async () => {
    const name = uniqueName('immutable');
    await restores.create(namespace, name, { targetTableName: 'Music', source: { backupArn: BACKUP }, tableSettings: { tags: { team: 'a' } } });
    const api = bed.kubeConfig.makeApiClient(CustomObjectsApi);
    const read = async () => (await api.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name })) as { spec: DynamoDBRestoreSpec; metadata: { generation: number } };
    const current = await read();
    assert.equal(current.spec.deletionPolicy, 'Retain', 'defaulted at admission');
    const changes: Array<[string, Partial<DynamoDBRestoreSpec>]> = [
      ['targetTableName', { targetTableName: 'Music2' }],
      ['region added', { region: 'eu-west-1' }],
      ['source', { source: { backup: { tableName: 'Music', latest: true } } }],
      ['tableSettings', { tableSettings: { tags: { team: 'b' } } }],
      ['tableSettings removed', { tableSettings: undefined }],
      ['overrides added', { overrides: { billingMode: 'PAY_PER_REQUEST' } }],
    ];
    for (const [what, change] of changes) {
      await assert.rejects(
        api.replaceNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name, body: { ...current, spec: { ...current.spec, ...change } } }),
        (err: unknown) => err instanceof ApiException && err.code === 422 && /spec is immutable.*create a new resource/.test(String(err.body)),
        what,
      );
    }
    await api.replaceNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name, body: { ...current, spec: { ...current.spec, deletionPolicy: 'Delete' } } });
    const after = await read();
    assert.deepEqual([after.spec.deletionPolicy, after.metadata.generation], ['Delete', 2]);
  });

  it('publishes the field descriptions to kubectl explain', async () => {
    const out = await bed.kubectl('explain', 'dynamodbrestore.spec.overrides');
    assert.match(out, /GROUP:\s+dynamodb\.restore\.dev/);
    assert.match(out, /Each field maps\s+to the RestoreTableFromBackup/);
    assert.match(out, /globalSecondaryIndexes\s+<\[\]Object>/);
  });
});

describe('integration: DynamoDBRestorePolicy admission on a real apiserver', function () {
  this.timeout(60_000);
  let restores: Restores;

  before(async () => {
    restores = new Restores(await sharedTestBed());
  });

  /** The apiserver's message for a rejected policy, or 'accepted' (the policy is deleted again). */
  async function policyAdmission(spec: DynamoDBRestorePolicySpec): Promise<string> {
    const name = uniqueName('patterns');
    try {
      await restores.createPolicy(name, spec);
    } catch (err) {
      if (err instanceof ApiException && err.code === 422) return String((JSON.parse(String(err.body)) as { message: string }).message);
      throw err;
    }
    await restores.deletePolicy(name);
    return 'accepted';
  }

  const NOT_RE2 = 'must be an RE2 regular expression that compiles on its own and as \\^\\(\\?:pattern\\)\\$';
  const cases: Array<{ name: string; spec: DynamoDBRestorePolicySpec; expect: RegExp | 'accepted' }> = [
    {
      name: 'RE2 patterns JavaScript does not know (POSIX class, \\Q…\\E, $(namespace))',
      spec: { namespaces: ['squad-[[:lower:]]+'], allowedSources: ['\\Qarn:aws:dynamodb:us-east-1:123456789012:table/squad.c/\\E.+'], targetTableNamePattern: '$(namespace)\\..+' },
      expect: 'accepted',
    },
    { name: 'a namespaces pattern that does not compile', spec: { namespaces: ['team-a', 'squad-[[:lower:]+'] }, expect: new RegExp(`spec.namespaces\\[1\\]: Invalid value: .*${NOT_RE2}`) },
    { name: 'an allowedSources pattern that does not compile', spec: { namespaces: ['team-a'], allowedSources: ['(unclosed'] }, expect: new RegExp(`spec.allowedSources\\[0\\]: Invalid value: .*${NOT_RE2}`) },
    { name: 'an allowedRoleArns pattern JavaScript accepts and RE2 does not (lookahead)', spec: { namespaces: ['team-a'], allowedRoleArns: ['(?!admin).*'] }, expect: new RegExp(`spec.allowedRoleArns\\[0\\]: Invalid value: .*${NOT_RE2}`) },
    // Compiles only inside CEL's wrapper ^(?:…)$, where it would pair with its parentheses and match any value starting with a.
    { name: 'a pattern that compiles only inside the wrapper', spec: { namespaces: ['a)|(b'] }, expect: new RegExp(`spec.namespaces\\[0\\]: Invalid value: .*${NOT_RE2}`) },
    // Compiles on its own, but quotes the wrapper's closing parenthesis.
    { name: 'a pattern that compiles only on its own', spec: { namespaces: ['team-a'], allowedSources: ['\\Qarn'] }, expect: new RegExp(`spec.allowedSources\\[0\\]: Invalid value: .*${NOT_RE2}`) },
    { name: 'a targetTableNamePattern that does not compile', spec: { namespaces: ['team-a'], targetTableNamePattern: '$(namespace)[' }, expect: new RegExp(`spec.targetTableNamePattern: Invalid value: .*${NOT_RE2}`) },
  ];
  for (const c of cases) {
    it(`${c.expect === 'accepted' ? 'accepts' : 'refuses'} ${c.name}`, async () => {
      const answer = await policyAdmission(c.spec);
      if (c.expect === 'accepted') assert.equal(answer, 'accepted');
      else assert.match(answer, c.expect);
    });
  }
});
