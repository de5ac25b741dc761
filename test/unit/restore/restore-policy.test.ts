import assert from 'node:assert/strict';
import type { DynamoDBRestore, DynamoDBRestoreSpec } from '../../../src/api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy, DynamoDBRestorePolicySpec } from '../../../src/api/dynamodb-restore-policy.ts';
import { checkPolicies, compiles, governs, matchesWhole } from '../../../src/restore/restore-policy.ts';
import { PATTERN_TABLE } from '../../support/pattern-table.ts';

const BACKUP = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';

function restore(spec: Partial<DynamoDBRestoreSpec> = {}, namespace = 'team-a'): DynamoDBRestore {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { name: 'music', namespace, uid: 'u', generation: 1, resourceVersion: '1' },
    spec: { targetTableName: 'team-a-Music', source: { backupArn: BACKUP }, ...spec },
  };
}

function policy(name: string, spec: Partial<DynamoDBRestorePolicySpec>): DynamoDBRestorePolicy {
  return { apiVersion: 'dynamodb.restore.dev/v1alpha1', kind: 'DynamoDBRestorePolicy', metadata: { name }, spec: { namespaces: ['team-a'], ...spec } };
}

describe('restore policies', () => {
  it('govern the namespaces whose whole name matches one of their patterns', () => {
    const p = policy('p', { namespaces: ['team-.*', 'ops'] });
    assert.deepEqual(['team-a', 'team-b', 'ops', 'ops-2', 'my-team-a'].map((ns) => governs(p, ns)), [true, true, true, false, false]);
  });

  it('govern every namespace when a namespaces pattern does not compile, and deny every restore there', () => {
    const broken = policy('broken', { namespaces: ['team-a', 'squad-[[:lower:]+'] });
    assert.deepEqual(['team-a', 'team-b', 'ops'].map((ns) => governs(broken, ns)), [true, true, true]);
    assert.equal(
      checkPolicies(restore({}, 'ops'), [broken], undefined, BACKUP)?.message,
      'DynamoDBRestorePolicy broken denies this restore (namespaces): pattern 2 of its namespaces is not a valid RE2 expression, so it governs every namespace and allows no restore until fixed. Change the spec in a new DynamoDBRestore, or ask the platform team.',
    );
  });

  for (const [pattern, value, answer] of PATTERN_TABLE) {
    it(`answer ${answer} for ${JSON.stringify(value)} against ${JSON.stringify(pattern)}`, () => {
      assert.equal(!compiles(pattern) ? 'does not compile' : matchesWhole(pattern, value) ? 'match' : 'no match', answer);
    });
  }

  it('allow everything when no policy governs the namespace', () => {
    assert.equal(checkPolicies(restore({ region: 'eu-west-1' }, 'team-b'), [policy('p', { allowedRegions: ['us-east-1'] })], undefined, BACKUP), undefined);
  });

  const cases: Array<{ name: string; rules: Partial<DynamoDBRestorePolicySpec>; spec?: Partial<DynamoDBRestoreSpec>; defaultRegion?: string; denied?: RegExp }> = [
    { name: 'a listed Region', rules: { allowedRegions: ['us-east-1'] }, spec: { region: 'us-east-1' } },
    { name: 'the default Region when listed', rules: { allowedRegions: ['us-east-1'] }, defaultRegion: 'us-east-1' },
    { name: 'an unlisted Region', rules: { allowedRegions: ['us-east-1'] }, spec: { region: 'eu-west-1' }, denied: /\(allowedRegions\): Region eu-west-1 is not one of us-east-1/ },
    { name: 'an unknown default Region', rules: { allowedRegions: ['us-east-1'] }, denied: /Region \(the operator default, not configured\) is not one of us-east-1/ },
    { name: 'a matching backup', rules: { allowedSources: ['arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/.*'] } },
    { name: 'a backup of another table', rules: { allowedSources: ['arn:aws:dynamodb:us-east-1:123456789012:table/Orders/backup/.*'] }, denied: /\(allowedSources\): backup arn:\S+ matches none of/ },
    { name: 'a pattern matching only part of the ARN', rules: { allowedSources: ['Music'] }, denied: /allowedSources/ },
    { name: 'Delete where only Retain is allowed', rules: { allowedDeletionPolicies: ['Retain'] }, spec: { deletionPolicy: 'Delete' }, denied: /\(allowedDeletionPolicies\): deletionPolicy Delete is not one of Retain/ },
    { name: 'the default (Retain) where only Retain is allowed', rules: { allowedDeletionPolicies: ['Retain'] } },
    { name: 'Delete where both are allowed', rules: { allowedDeletionPolicies: ['Retain', 'Delete'] }, spec: { deletionPolicy: 'Delete' } },
    { name: 'Retain where only Delete is allowed', rules: { allowedDeletionPolicies: ['Delete'] }, denied: /deletionPolicy Retain is not one of Delete/ },
    { name: 'a listed role', rules: { allowedRoleArns: ['arn:aws:iam::123456789012:role/team-a-.*'] }, spec: { credentials: { roleArn: 'arn:aws:iam::123456789012:role/team-a-restorer' } } },
    { name: "the operator's own identity when roles are listed", rules: { allowedRoleArns: ['arn:aws:iam::123456789012:role/team-a-.*'] } },
    {
      name: 'an unlisted role',
      rules: { allowedRoleArns: ['arn:aws:iam::123456789012:role/team-a-.*'] },
      spec: { credentials: { roleArn: 'arn:aws:iam::123456789012:role/admin' } },
      denied: /\(allowedRoleArns\): role arn:aws:iam::123456789012:role\/admin matches none of/,
    },
    { name: 'a table name with the namespace prefix', rules: { targetTableNamePattern: '$(namespace)-.*' } },
    { name: 'a table name with the namespace twice, as CEL replaces every $(namespace)', rules: { targetTableNamePattern: '$(namespace)\\.$(namespace)-.+' }, spec: { targetTableName: 'team-a.team-a-Music' } },
    { name: 'a table name without the namespace prefix', rules: { targetTableNamePattern: '$(namespace)-.*' }, spec: { targetTableName: 'Music' }, denied: /\(targetTableNamePattern\): table name Music does not match \$\(namespace\)-\.\*/ },
    { name: 'throughput within the bound', rules: { maxProvisionedThroughput: { readCapacityUnits: 100, writeCapacityUnits: 100 } }, spec: { overrides: { billingMode: 'PROVISIONED', provisionedThroughput: { readCapacityUnits: 100, writeCapacityUnits: 50 } } } },
    {
      name: 'table throughput over the bound',
      rules: { maxProvisionedThroughput: { readCapacityUnits: 100, writeCapacityUnits: 100 } },
      spec: { overrides: { billingMode: 'PROVISIONED', provisionedThroughput: { readCapacityUnits: 101, writeCapacityUnits: 1 } } },
      denied: /\(maxProvisionedThroughput\): the table asks for 101\/1 read\/write capacity units, more than 100\/100/,
    },
    {
      name: 'index throughput over the bound',
      rules: { maxProvisionedThroughput: { readCapacityUnits: 10, writeCapacityUnits: 10 } },
      spec: {
        overrides: {
          globalSecondaryIndexes: [
            { indexName: 'singers-index', keySchema: [{ attributeName: 'SingerName', keyType: 'HASH' }], projection: { projectionType: 'KEYS_ONLY' }, provisionedThroughput: { readCapacityUnits: 5, writeCapacityUnits: 50 } },
          ],
        },
      },
      denied: /index singers-index asks for 5\/50/,
    },
    { name: 'a broken pattern (fails closed)', rules: { allowedSources: ['(unclosed'] }, denied: /allowedSources/ },
  ];
  for (const c of cases) {
    it(`${c.denied ? 'deny' : 'allow'} ${c.name}`, () => {
      const denial = checkPolicies(restore(c.spec), [policy('team-a', c.rules)], c.defaultRegion, BACKUP);
      if (!c.denied) assert.equal(denial, undefined);
      else {
        assert.equal(denial?.policy, 'team-a');
        assert.match(denial?.message ?? '', c.denied);
        assert.match(denial?.message ?? '', /^DynamoDBRestorePolicy team-a denies this restore .*Change the spec in a new DynamoDBRestore, or ask the platform team\.$/);
      }
    });
  }

  it("name a point-in-time source as a source table, and a looked-up backup by the tenant's table name only", () => {
    const rules = [policy('team-a', { allowedSources: ['arn:aws:dynamodb:us-east-1:123456789012:table/team-a\\.[^/]+/backup/.+'] })];
    const pit = restore({ source: { pointInTime: { sourceTableName: 'team-a-prod.orders', useLatestRestorableTime: true } } });
    assert.match(checkPolicies(pit, rules, undefined, 'team-a-prod.orders')?.message ?? '', /\(allowedSources\): source table team-a-prod\.orders matches none of /);
    const lookup = restore({ source: { backup: { tableName: 'team-a-prod.orders', latest: true } } });
    const found = 'arn:aws:dynamodb:us-east-1:123456789012:table/team-a-prod.orders/backup/01489173575360-b308cd7d';
    const message = checkPolicies(lookup, rules, undefined, found)?.message ?? '';
    assert.match(message, /\(allowedSources\): the backup found for table team-a-prod\.orders matches none of /);
    assert.doesNotMatch(message, /01489173575360/);
  });

  describe('a recovery point (spec.source.recoveryPoint)', () => {
    const POINT = 'arn:aws:backup:us-east-1:123456789012:recovery-point:team-a-1EB3B5E7';
    const ROLE = 'arn:aws:iam::123456789012:role/team-a-backup-restore';
    const VAULT = 'team-a-vault';
    const VAULTS = ['team-a-.+'];
    const rp = (iamRoleArn = ROLE, backupVaultName = VAULT) => restore({ source: { recoveryPoint: { recoveryPointArn: POINT, backupVaultName, iamRoleArn } } });
    const rpCases: Array<{ name: string; rules: Partial<DynamoDBRestorePolicySpec>; iamRoleArn?: string; vault?: string; denied?: string }> = [
      {
        name: 'a listed restore role, a listed vault and a matching recovery point',
        rules: { allowedRestoreRoleArns: [ROLE], allowedBackupVaults: VAULTS, allowedSources: ['arn:aws:backup:us-east-1:123456789012:recovery-point:team-a-.+'] },
      },
      {
        name: 'a recovery point outside allowedSources',
        rules: { allowedRestoreRoleArns: [ROLE], allowedBackupVaults: VAULTS, allowedSources: ['arn:aws:backup:us-east-1:123456789012:recovery-point:team-b-.+'] },
        denied: `DynamoDBRestorePolicy team-a denies this restore (allowedSources): recovery point ${POINT} matches none of arn:aws:backup:us-east-1:123456789012:recovery-point:team-b-.+. Change the spec in a new DynamoDBRestore, or ask the platform team.`,
      },
      {
        name: 'any restore role where the policy names none (deny by default)',
        rules: {},
        denied: `DynamoDBRestorePolicy team-a denies this restore (allowedRestoreRoleArns): restore role ${ROLE} is not allowed: the policy names no allowedRestoreRoleArns. Change the spec in a new DynamoDBRestore, or ask the platform team.`,
      },
      {
        name: 'an unlisted restore role',
        rules: { allowedRestoreRoleArns: ['arn:aws:iam::123456789012:role/team-a-.*'] },
        iamRoleArn: 'arn:aws:iam::123456789012:role/admin',
        denied: 'DynamoDBRestorePolicy team-a denies this restore (allowedRestoreRoleArns): restore role arn:aws:iam::123456789012:role/admin matches none of arn:aws:iam::123456789012:role/team-a-.*. Change the spec in a new DynamoDBRestore, or ask the platform team.',
      },
      {
        name: 'any backup vault where the policy names none (deny by default)',
        rules: { allowedRestoreRoleArns: [ROLE] },
        denied: 'DynamoDBRestorePolicy team-a denies this restore (allowedBackupVaults): backup vault team-a-vault is not allowed: the policy names no allowedBackupVaults. Change the spec in a new DynamoDBRestore, or ask the platform team.',
      },
      {
        name: "another team's vault (team-a naming team-b-vault)",
        rules: { allowedRestoreRoleArns: [ROLE], allowedBackupVaults: VAULTS },
        vault: 'team-b-vault',
        denied: 'DynamoDBRestorePolicy team-a denies this restore (allowedBackupVaults): backup vault team-b-vault matches none of team-a-.+. Change the spec in a new DynamoDBRestore, or ask the platform team.',
      },
      {
        name: 'a vault that only contains an allowed name (the whole name must match)',
        rules: { allowedRestoreRoleArns: [ROLE], allowedBackupVaults: ['team-a-vault'] },
        vault: 'team-a-vault-copy',
        denied: 'DynamoDBRestorePolicy team-a denies this restore (allowedBackupVaults): backup vault team-a-vault-copy matches none of team-a-vault. Change the spec in a new DynamoDBRestore, or ask the platform team.',
      },
    ];
    for (const c of rpCases) {
      it(`${c.denied ? 'deny' : 'allow'} ${c.name}`, () => {
        assert.equal(checkPolicies(rp(c.iamRoleArn, c.vault), [policy('team-a', c.rules)], undefined, POINT)?.message, c.denied);
      });
    }
    it('list every allowed vault, comma-separated, when the vault matches none of several', () => {
      assert.equal(
        checkPolicies(rp(undefined, 'team-c-vault'), [policy('team-a', { allowedRestoreRoleArns: [ROLE], allowedBackupVaults: ['team-a-.+', 'shared-vault'] })], undefined, POINT)?.message,
        'DynamoDBRestorePolicy team-a denies this restore (allowedBackupVaults): backup vault team-c-vault matches none of team-a-.+, shared-vault. Change the spec in a new DynamoDBRestore, or ask the platform team.',
      );
    });
    it('leave the restore role and the vault of a namespace no policy governs alone', () => {
      const inTeamB = restore({ source: { recoveryPoint: { recoveryPointArn: POINT, backupVaultName: 'team-b-vault', iamRoleArn: ROLE } } }, 'team-b');
      assert.equal(checkPolicies(inTeamB, [policy('team-a', {})], undefined, POINT), undefined);
    });
  });

  it('leave allowedSources to later when the backup is still to be looked up', () => {
    const rules = policy('team-a', { allowedSources: ['arn:aws:dynamodb:us-east-1:123456789012:table/Orders/backup/.*'] });
    assert.equal(checkPolicies(restore(), [rules], undefined, undefined), undefined);
    assert.match(checkPolicies(restore(), [rules], undefined, BACKUP)?.message ?? '', /allowedSources/);
  });

  it('must all allow: the first denying policy by name is reported', () => {
    const policies = [policy('z-regions', { allowedRegions: ['us-east-1'] }), policy('a-names', { targetTableNamePattern: 'prod-.*' }), policy('m-ok', {})];
    assert.equal(checkPolicies(restore({ region: 'eu-west-1' }), policies, undefined, BACKUP)?.policy, 'a-names');
    assert.equal(checkPolicies(restore({ region: 'eu-west-1', targetTableName: 'prod-Music' }), policies, undefined, BACKUP)?.policy, 'z-regions');
  });
  describe('denial sentences, word for word', () => {
    const TAIL = '. Change the spec in a new DynamoDBRestore, or ask the platform team.';
    const deny = (rules: Partial<DynamoDBRestorePolicySpec>, spec: Partial<DynamoDBRestoreSpec> = {}, defaultRegion?: string) =>
      checkPolicies(restore(spec), [policy('team-a', rules)], defaultRegion, BACKUP)?.message;

    it('deny everywhere when the first namespaces pattern does not compile, naming it pattern 1', () => {
      assert.equal(
        checkPolicies(restore({}, 'ops'), [policy('broken', { namespaces: ['squad-[[:lower:]+', 'team-a'] })], undefined, BACKUP)?.message,
        `DynamoDBRestorePolicy broken denies this restore (namespaces): pattern 1 of its namespaces is not a valid RE2 expression, so it governs every namespace and allows no restore until fixed${TAIL}`,
      );
    });

    it('list every allowed Region, comma-separated, and say when the Region is the unconfigured default', () => {
      assert.equal(deny({ allowedRegions: ['us-east-1', 'us-west-2'] }, { region: 'eu-west-1' }), `DynamoDBRestorePolicy team-a denies this restore (allowedRegions): Region eu-west-1 is not one of us-east-1, us-west-2${TAIL}`);
      assert.equal(
        deny({ allowedRegions: ['us-east-1', 'us-west-2'] }),
        `DynamoDBRestorePolicy team-a denies this restore (allowedRegions): Region (the operator default, not configured) is not one of us-east-1, us-west-2${TAIL}`,
      );
    });

    it('allow a source matching any one of several allowedSources, and list them all when none matches', () => {
      const music = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/.*';
      const orders = 'arn:aws:dynamodb:us-east-1:123456789012:table/Orders/backup/.*';
      assert.equal(deny({ allowedSources: [orders, music] }), undefined);
      assert.equal(deny({ allowedSources: [orders, 'x'] }), `DynamoDBRestorePolicy team-a denies this restore (allowedSources): backup ${BACKUP} matches none of ${orders}, x${TAIL}`);
    });

    it('allow a role matching any one of several allowedRoleArns, and list them all when none matches', () => {
      const rules = { allowedRoleArns: ['arn:aws:iam::123456789012:role/ops-.*', 'arn:aws:iam::123456789012:role/team-a-.*'] };
      assert.equal(deny(rules, { credentials: { roleArn: 'arn:aws:iam::123456789012:role/team-a-restorer' } }), undefined);
      assert.equal(
        deny(rules, { credentials: { roleArn: 'arn:aws:iam::123456789012:role/admin' } }),
        `DynamoDBRestorePolicy team-a denies this restore (allowedRoleArns): role arn:aws:iam::123456789012:role/admin matches none of arn:aws:iam::123456789012:role/ops-.*, arn:aws:iam::123456789012:role/team-a-.*${TAIL}`,
      );
    });

    it('list the allowed deletion policies as the policy writes them, comma-separated (the CRD admits [Retain, Retain])', () => {
      assert.equal(
        deny({ allowedDeletionPolicies: ['Retain', 'Retain'] }, { deletionPolicy: 'Delete' }),
        `DynamoDBRestorePolicy team-a denies this restore (allowedDeletionPolicies): deletionPolicy Delete is not one of Retain, Retain${TAIL}`,
      );
    });

    it('allow throughput equal to the bound in both read and write capacity', () => {
      const rules = { maxProvisionedThroughput: { readCapacityUnits: 100, writeCapacityUnits: 100 } };
      assert.equal(deny(rules, { overrides: { billingMode: 'PROVISIONED', provisionedThroughput: { readCapacityUnits: 100, writeCapacityUnits: 100 } } }), undefined);
      assert.equal(
        deny(rules, { overrides: { billingMode: 'PROVISIONED', provisionedThroughput: { readCapacityUnits: 1, writeCapacityUnits: 101 } } }),
        `DynamoDBRestorePolicy team-a denies this restore (maxProvisionedThroughput): the table asks for 1/101 read/write capacity units, more than 100/100${TAIL}`,
      );
    });
  });
});
