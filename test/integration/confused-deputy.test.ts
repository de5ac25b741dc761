// Attack 4 of issue 13 (confused deputy), played by a hostile tenant: team-b's own ServiceAccount, bound only to
// deploy/tenancy/tenant-role.yaml, with the shipped admission policy installed, writes a restore naming team-a's
// role and team-a's external ID. The tenant cannot set what identifies it to AWS: the operator assumes the role as
// team-b (ExternalId, session names and tags from team-b's namespace), so team-a's trust policy, which requires
// team-a's, refuses it, and the restore fails with a sentence; a policy limiting team-b's roles refuses it earlier,
// at admission. The fidelity proxy holds team-a's trust conditions, as STS would.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GROUP, PLURAL, VERSION, type DynamoDBRestore } from '../../src/api/dynamodb-restore.ts';
import { sessionTagsOf } from '../support/fidelity-proxy.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, musicBackup, restoreManifest, Restores, uniqueName } from '../support/restores.ts';
import { REPO, type OperatorProcess, type TestBed } from '../support/testbed.ts';

const CLUSTER = 'testbed-eu';
const ROLE_A = 'arn:aws:iam::123456789012:role/dynamodb-restore-team-a';
const ROLE_B = 'arn:aws:iam::123456789012:role/dynamodb-restore-team-b';

describe('integration: a tenant using another team\'s role (confused deputy, attack 4)', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let operator: OperatorProcess;
  let restores: Restores;
  let tenant: CustomObjectsApi;
  let tenantKubeConfig: KubeConfig;
  const teamA = uniqueName('team-a');
  const teamB = uniqueName('team-b');
  const policies = { a: uniqueName('team-a'), b: uniqueName('team-b'), bRoles: uniqueName('team-b-roles') };
  let teamABackup = '';

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    restores = new Restores(bed);
    await bed.apply(readFileSync(join(REPO, 'deploy/tenancy/tenant-role.yaml'), 'utf8'));
    await bed.apply(readFileSync(join(REPO, 'deploy/kustomize/base/admission-policy.yaml'), 'utf8'));
    for (const ns of [teamA, teamB]) await bed.createNamespace(ns);
    // team-a may use its role; team-b's policy governs it but says nothing about roles (the attack's premise).
    await restores.createPolicy(policies.a, { namespaces: [teamA], allowedRoleArns: [ROLE_A], targetTableNamePattern: '$(namespace)-.*' });
    await restores.createPolicy(policies.b, { namespaces: [teamB], targetTableNamePattern: '$(namespace)-.*' });
    // team-a's role trusts the operator only for team-a's sessions.
    bed.proxy.trustConditions.set(ROLE_A, { 'sts:ExternalId': `${CLUSTER}/${teamA}`, 'aws:RequestTag/dynamodb-restore-namespace': teamA });
    tenantKubeConfig = await bed.tenantKubeConfig(teamB);
    tenant = tenantKubeConfig.makeApiClient(CustomObjectsApi);
    teamABackup = await musicBackup(ddb, `${teamA}-Music`);
    operator = await bed.startOperator({ WATCH_NAMESPACES: `${teamA},${teamB}`, CLUSTER_NAME: CLUSTER });
  });

  after(async () => {
    bed.proxy.trustConditions.delete(ROLE_A);
    await bed.group.stop(operator.process);
    for (const name of Object.values(policies)) await restores.deletePolicy(name).catch(() => undefined);
    ddb.destroy();
  });

  const assumeRolesOf = (namespace: string, name: string) =>
    bed.proxy.callsOf('AssumeRole').filter((c) => c.body.RoleSessionName === `${namespace}.${name}`);
  const sessionOf = (call: { body: Record<string, unknown> }) => ({
    RoleArn: call.body.RoleArn,
    ExternalId: call.body.ExternalId,
    RoleSessionName: call.body.RoleSessionName,
    SourceIdentity: call.body.SourceIdentity,
    tags: sessionTagsOf(call.body),
  });

  it("team-a's own restore with its role is trusted: the operator's session carries team-a's identity", async () => {
    await restores.create(teamA, 'music', { targetTableName: `${teamA}-Restored`, source: { backupArn: teamABackup }, credentials: { roleArn: ROLE_A } });
    await restores.waitFor(teamA, 'music', 'to complete', (r) => r.status?.phase === 'Completed');
    const assumed = assumeRolesOf(teamA, 'music');
    assert.deepEqual(assumed.map(sessionOf), [
      {
        RoleArn: ROLE_A,
        ExternalId: `${CLUSTER}/${teamA}`,
        RoleSessionName: `${teamA}.music`,
        SourceIdentity: `${teamA}.music`,
        tags: { 'dynamodb-restore-cluster': CLUSTER, 'dynamodb-restore-namespace': teamA, 'dynamodb-restore-name': 'music' },
      },
    ]);
    assert.deepEqual(assumed.map((c) => c.error), [undefined]);
  });

  it("team-b's tenant naming team-a's role and external ID: the field is gone, the operator assumes the role as team-b, STS refuses, the restore fails with a sentence and no DynamoDB call", async () => {
    const callsBefore = bed.proxy.calls.length;
    const manifest = restoreManifest(teamB, 'steal', { targetTableName: `${teamB}-Stolen`, source: { backupArn: teamABackup }, credentials: { roleArn: ROLE_A } });
    // What team-a's Git repository holds, copied into team-b's resource as the attacker did.
    const forged = { ...manifest, spec: { ...manifest.spec, credentials: { roleArn: ROLE_A, externalId: `${CLUSTER}/${teamA}` } } };
    await tenant.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: teamB, body: forged });
    const stored = (await tenant.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: teamB, name: 'steal' })) as DynamoDBRestore;
    assert.deepEqual(stored.spec.credentials, { roleArn: ROLE_A }, 'the API has no externalId field: the apiserver drops it');

    const done = await restores.waitFor(teamB, 'steal', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(done.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'AssumeRoleDenied');
    assert.match(done.status?.lastError?.message ?? '', /^The operator could not assume the role in spec.credentials: its trust policy must allow the operator's identity/);
    assert.match(done.status?.lastError?.message ?? '', new RegExp(`is not authorized to perform: sts:AssumeRole on resource: ${ROLE_A}`));

    const assumed = assumeRolesOf(teamB, 'steal');
    assert.deepEqual(assumed.map(sessionOf), [
      {
        RoleArn: ROLE_A,
        ExternalId: `${CLUSTER}/${teamB}`,
        RoleSessionName: `${teamB}.steal`,
        SourceIdentity: `${teamB}.steal`,
        tags: { 'dynamodb-restore-cluster': CLUSTER, 'dynamodb-restore-namespace': teamB, 'dynamodb-restore-name': 'steal' },
      },
    ]);
    assert.deepEqual(
      assumed.map((c) => [c.error, c.refusedBy]),
      [['AccessDenied', `sts:ExternalId is "${CLUSTER}/${teamB}", the trust policy requires "${CLUSTER}/${teamA}"`]],
    );
    const since = bed.proxy.calls.slice(callsBefore);
    assert.deepEqual(
      since.filter((c) => c.operation === 'AssumeRole' && c.body.ExternalId === `${CLUSTER}/${teamA}`),
      [],
      "no AssumeRole carried team-a's ExternalId for team-b",
    );
    assert.deepEqual(
      since.filter((c) => c.operation !== 'AssumeRole').map((c) => c.operation),
      [],
      'no DynamoDB call: no DescribeBackup of team-a\'s backup, no restore',
    );
  });

  it("with a policy limiting team-b to its own role, the tenant's restore naming team-a's role is refused at admission", async () => {
    await restores.createPolicy(policies.bRoles, { namespaces: [teamB], allowedRoleArns: [ROLE_B] });
    const denied = new RegExp(`DynamoDBRestorePolicy ${policies.bRoles} denies this restore \\(allowedRoleArns\\): role ${ROLE_A} matches none of ${ROLE_B}`);
    const message = await new Restores(bed, tenantKubeConfig).refusedAtAdmission(teamB, {
      targetTableName: `${teamB}-Stolen`,
      source: { backupArn: teamABackup },
      credentials: { roleArn: ROLE_A },
    });
    assert.match(message, denied);
  });
});
