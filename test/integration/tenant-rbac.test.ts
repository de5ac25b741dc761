// A team's identity, bound to deploy/tenancy's role in its own namespace, can create and read restores there and
// nothing more: not write their status, not touch another team's namespace, not edit a restore's spec.
import assert from 'node:assert/strict';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../../src/api/dynamodb-restore.ts';
import { POLICY_PLURAL } from '../../src/api/dynamodb-restore-policy.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { restoreManifest, uniqueName } from '../support/restores.ts';
import type { TestBed } from '../support/testbed.ts';

const BACKUP = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const forbidden = (err: unknown) => err instanceof ApiException && err.code === 403;

describe('integration: tenant RBAC', function () {
  this.timeout(60_000);
  let bed: TestBed;
  let tenant: CustomObjectsApi;
  const team = uniqueName('team');
  const other = uniqueName('other');

  before(async () => {
    bed = await sharedTestBed();
    for (const ns of [team, other]) await bed.createNamespace(ns);
    const kubeConfig = await bed.tenantKubeConfig(team);
    tenant = kubeConfig.makeApiClient(CustomObjectsApi);
  });

  const ref = (namespace: string, name: string) => ({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name });

  it('creates, reads and deletes restores in its own namespace', async () => {
    await tenant.createNamespacedCustomObject({ ...ref(team, ''), body: restoreManifest(team, 'mine', { targetTableName: 'Music', source: { backupArn: BACKUP } }) });
    const mine = (await tenant.getNamespacedCustomObject(ref(team, 'mine'))) as { metadata: { name: string } };
    assert.equal(mine.metadata.name, 'mine');
    await tenant.deleteNamespacedCustomObject(ref(team, 'mine'));
  });

  it('cannot write a status, so cannot fake a Completed restore', async () => {
    await tenant.createNamespacedCustomObject({ ...ref(team, ''), body: restoreManifest(team, 'forged', { targetTableName: 'Music', source: { backupArn: BACKUP } }) });
    const current = (await tenant.getNamespacedCustomObject(ref(team, 'forged'))) as Record<string, unknown>;
    await assert.rejects(tenant.replaceNamespacedCustomObjectStatus({ ...ref(team, 'forged'), body: { ...current, status: { phase: 'Completed' } } }), forbidden);
  });

  it("cannot touch another namespace's restores", async () => {
    await assert.rejects(
      tenant.createNamespacedCustomObject({ ...ref(other, ''), body: restoreManifest(other, 'theirs', { targetTableName: 'Music', source: { backupArn: BACKUP } }) }),
      forbidden,
    );
    await assert.rejects(tenant.listNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: other }), forbidden);
  });

  it('cannot create, change or delete a DynamoDBRestorePolicy (the guardrails are the platform team\'s)', async () => {
    const policy = { apiVersion: `${GROUP}/${VERSION}`, kind: 'DynamoDBRestorePolicy', metadata: { name: `${team}-loose` }, spec: { namespaces: ['.*'] } };
    await assert.rejects(tenant.createClusterCustomObject({ group: GROUP, version: VERSION, plural: POLICY_PLURAL, body: policy }), forbidden);
    await assert.rejects(tenant.listClusterCustomObject({ group: GROUP, version: VERSION, plural: POLICY_PLURAL }), forbidden);
    await assert.rejects(tenant.deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: POLICY_PLURAL, name: 'team-a' }), forbidden);
  });

  it('cannot edit a restore (no update or patch verb, and the spec is immutable anyway)', async () => {
    const current = (await tenant.getNamespacedCustomObject(ref(team, 'forged'))) as Record<string, unknown>;
    await assert.rejects(tenant.replaceNamespacedCustomObject({ ...ref(team, 'forged'), body: current }), forbidden);
  });
});
