// Attacks on policy patterns, played by a hostile tenant (a ServiceAccount bound only to deploy/tenancy's role in its
// own namespace) with the shipped ValidatingAdmissionPolicy installed; issue 13, attacks 1, 5 and 6. Each namespace a
// restore is made in is governed by a policy.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import { httpStatus, REPO, type OperatorProcess, type TestBed } from '../support/testbed.ts';

const ACCOUNT_TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table';
/** The recovery point deploy/tenancy/team-a-policy.yaml lists in allowedSources (its ARN names no team). */
const EXAMPLE_RECOVERY_POINT = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';
const CHANGE = 'Change the spec in a new DynamoDBRestore, or ask the platform team.';

/** deploy/tenancy/team-a-policy.yaml for another team: the shipped example, with the bed's account and Region. */
const examplePolicy = (team: string) => readFileSync(join(REPO, 'deploy/tenancy/team-a-policy.yaml'), 'utf8').replaceAll('team-a', team);

describe('integration: a hostile tenant against policy patterns', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let operator: OperatorProcess;
  const admin = () => new Restores(bed);
  const tenant = async (namespace: string) => new Restores(bed, await bed.tenantKubeConfig(namespace));
  const team = uniqueName('team');
  const victim = `${team}-prod`;
  // Only lower-case letters after squad-: the namespace a squad-[[:lower:]]+ policy is meant for.
  const squad = 'squad-c';
  const evil = uniqueName('evil');
  const calm = uniqueName('calm');
  const policies = [team, victim, 'squads', `${evil}-a-sources`, `${evil}-z-regions`, calm];

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    // team and its victim are governed by the shipped example alone (the bed's own tenant policy would refuse their
    // recovery points first: it names no restore roles or vaults).
    for (const ns of [team, victim, squad, evil, calm]) await bed.createNamespace(ns, { governed: ns !== team && ns !== victim });
    await bed.apply(readFileSync(join(REPO, 'deploy/kustomize/base/admission-policy.yaml'), 'utf8'));
    await bed.apply(examplePolicy(team));
    await bed.apply(examplePolicy(victim));
    operator = await bed.startOperator({ WATCH_NAMESPACES: [team, victim, squad, evil, calm].join(',') });
  });

  after(async () => {
    await bed.group.stop(operator.process);
    for (const name of policies) await admin().deletePolicy(name).catch(() => undefined);
    ddb.destroy();
  });

  describe('attack 1: the prefix trap, against the shipped example policy', () => {
    let restores: Restores;
    before(async () => {
      restores = await tenant(team);
    });

    it("refuses team-a's restore of team-a-prod's latest backup found by table name, without showing that backup's ARN", async () => {
      const victimTable = `${victim}.orders`;
      const victimBackup = await musicBackup(ddb, victimTable);
      await restores.create(team, 'take', { targetTableName: `${team}.orders`, source: { backup: { tableName: victimTable, latest: true } } });
      const done = await restores.waitFor(team, 'take', 'to fail', (r) => r.status?.phase === 'Failed');
      assert.equal(done.status?.lastError?.code, 'PolicyDenied');
      assert.equal(
        done.status?.lastError?.message,
        `DynamoDBRestorePolicy ${team} denies this restore (allowedSources): the backup found for table ${victimTable} matches none of ` +
          `${ACCOUNT_TABLE}/${team}\\.[^/]+/backup/.+, ${ACCOUNT_TABLE}/${team}\\.[^/]+, ${EXAMPLE_RECOVERY_POINT}. ${CHANGE}`,
      );
      assert.ok(!JSON.stringify(done.status).includes(victimBackup), "the status does not show the victim's backup ARN");
      assert.deepEqual(bed.proxy.callsOf('RestoreTableFromBackup', `${team}.orders`), [], 'no restore was asked of AWS');
    });

    it("refuses at admission a target table name in team-a-prod's space", async () => {
      const ownBackup = `${ACCOUNT_TABLE}/${team}.orders/backup/01489173575360-b308cd7d`;
      for (const targetTableName of [`${victim}.orders`, `${victim}-orders`]) {
        const message = await restores.refusedAtAdmission(team, { targetTableName, source: { backupArn: ownBackup } });
        assert.match(message, new RegExp(`DynamoDBRestorePolicy ${team} denies this restore \\(targetTableNamePattern\\): table name ${targetTableName.replaceAll('.', '\\.')} does not match \\$\\(namespace\\)\\\\\\.\\.\\+`));
      }
    });

    it("refuses at admission a recovery point from team-a-prod's vault (team-a-prod_orders is not team-a_…)", async () => {
      const recoveryPoint = { recoveryPointArn: EXAMPLE_RECOVERY_POINT, backupVaultName: `${victim}_orders`, iamRoleArn: `arn:aws:iam::123456789012:role/dynamodb-restore-backup-${team}` };
      const message = await restores.refusedAtAdmission(team, { targetTableName: `${team}.orders`, region: 'us-east-1', source: { recoveryPoint } });
      assert.match(message, new RegExp(`DynamoDBRestorePolicy ${team} denies this restore \\(allowedBackupVaults\\): backup vault ${victim}_orders matches none of ${team}_\\.\\+`));
    });
  });

  describe('attack 5: a POSIX class governs in the operator as at admission', () => {
    let restores: Restores;
    before(async () => {
      restores = await tenant(squad);
      await admin().createPolicy('squads', {
        namespaces: ['squad-[[:lower:]]+'],
        allowedRegions: ['eu-west-1'],
        allowedSources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/squads\\.[^/]+'],
        targetTableNamePattern: '$(namespace)\\..+',
      });
    });

    it("refuses at admission squad-c's point-in-time restore of another team's table", async () => {
      const foreign = `arn:aws:dynamodb:eu-west-1:123456789012:table/${victim}.orders`;
      const message = await restores.refusedAtAdmission(squad, {
        targetTableName: `${squad}.orders`,
        region: 'eu-west-1',
        source: { pointInTime: { sourceTableArn: foreign, useLatestRestorableTime: true } },
      });
      assert.match(message, new RegExp(`DynamoDBRestorePolicy squads denies this restore \\(allowedSources\\): source table ${foreign.replaceAll('.', '\\.')} matches none of`));
    });

    it('governs squad-c in the operator too: what only the operator can tell (the default Region) is refused, with no AWS call', async () => {
      const source = 'arn:aws:dynamodb:eu-west-1:123456789012:table/squads.orders';
      await restores.create(squad, 'default-region', { targetTableName: `${squad}.copy`, source: { pointInTime: { sourceTableArn: source, useLatestRestorableTime: true } } });
      const done = await restores.waitFor(squad, 'default-region', 'to fail', (r) => r.status?.phase === 'Failed');
      assert.equal(done.status?.lastError?.message, `DynamoDBRestorePolicy squads denies this restore (allowedRegions): Region us-east-1 is not one of eu-west-1. ${CHANGE}`);
      assert.deepEqual(bed.proxy.callsOf('DescribeContinuousBackups', source), []);
    });
  });

  describe('attack 6: a nested quantifier and a tenant value (ReDoS)', () => {
    before(async () => {
      // Sorted by name, the operator judges the sources policy (the evil pattern first, then one the value matches)
      // before the Region policy that denies: the evil pattern meets the value in the operator.
      await admin().createPolicy(`${evil}-a-sources`, { namespaces: [evil], allowedSources: [`${ACCOUNT_TABLE}/(a+)+b`, `${ACCOUNT_TABLE}/a+`] });
      await admin().createPolicy(`${evil}-z-regions`, { namespaces: [evil], allowedRegions: ['eu-west-1'] });
      await admin().createPolicy(calm, { namespaces: [calm], allowedRegions: ['us-east-1'] });
    });

    it("stalls neither the probes nor another namespace's restore, and the evil restore ends Failed: PolicyDenied", async () => {
      // A backtracking engine (JavaScript's RegExp) takes minutes on (a+)+b against 34 a's, stalling the event loop
      // past every wait below; RE2 is linear in the value.
      const evilSource = `${ACCOUNT_TABLE}/${'a'.repeat(34)}`;
      const evilTenant = await tenant(evil);
      await evilTenant.create(evil, 'redos', { targetTableName: `${evil}.copy`, source: { pointInTime: { sourceTableArn: evilSource, useLatestRestorableTime: true } } });
      const calmTable = `${calm}.music`;
      const backupArn = await musicBackup(ddb, calmTable);
      await admin().create(calm, 'calm', { targetTableName: calmTable, source: { backupArn } });
      assert.equal(await httpStatus(`${operator.probeUrl}/healthz`), 200);
      await admin().waitFor(calm, 'calm', 'to complete', (r) => r.status?.phase === 'Completed');
      assert.equal(await httpStatus(`${operator.probeUrl}/healthz`), 200);
      const done = await evilTenant.waitFor(evil, 'redos', 'to fail', (r) => r.status?.phase === 'Failed');
      assert.equal(done.status?.lastError?.message, `DynamoDBRestorePolicy ${evil}-z-regions denies this restore (allowedRegions): Region us-east-1 is not one of eu-west-1. ${CHANGE}`);
      assert.deepEqual(bed.proxy.callsOf('DescribeContinuousBackups', evilSource), []);
    });
  });

  it('admits the ResourceQuota example under deploy/tenancy', async () => {
    // A namespace of its own: with no quota controller on the bed, the quota's usage stays unknown and would refuse restores.
    const namespace = uniqueName('quota');
    await bed.createNamespace(namespace);
    await bed.apply(readFileSync(join(REPO, 'deploy/tenancy/team-a-quota.yaml'), 'utf8').replaceAll('namespace: team-a', `namespace: ${namespace}`));
    const hard = await bed.kubectl('get', 'resourcequota', 'dynamodb-restores', '-n', namespace, '-o', 'jsonpath={.spec.hard}');
    assert.deepEqual(JSON.parse(hard), { 'count/dynamodbrestores.dynamodb.restore.dev': '50', 'count/dynamodbrestoreschedules.dynamodb.restore.dev': '10' });
  });
});
