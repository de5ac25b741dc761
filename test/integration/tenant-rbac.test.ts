// A team's identity, bound to deploy/tenancy's role in its own namespace, can create and read restores there (and
// the operator's events about them) and nothing more: not write their status, not touch another team's namespace,
// not edit a restore's spec.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../../src/api/dynamodb-restore.ts';
import { POLICY_PLURAL } from '../../src/api/dynamodb-restore-policy.ts';
import { waitFor } from '../support/processes.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { restoreManifest, Restores, uniqueName } from '../support/restores.ts';
import { kubectlBinary, type TestBed } from '../support/testbed.ts';

const BACKUP = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const forbidden = (err: unknown) => err instanceof ApiException && err.code === 403;

describe('integration: tenant RBAC', function () {
  this.timeout(60_000);
  let bed: TestBed;
  let tenant: CustomObjectsApi;
  let tenantKubeconfig: string;
  const team = uniqueName('team');
  const other = uniqueName('other');

  before(async () => {
    bed = await sharedTestBed();
    for (const ns of [team, other]) await bed.createNamespace(ns);
    const kubeConfig = await bed.tenantKubeConfig(team);
    // kubectl as the tenant runs it: another token of the same ServiceAccount.
    tenantKubeconfig = await bed.serviceAccountKubeconfig(team, 'deployer');
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

  it("reads the operator's events about its restore with kubectl describe (core events), not Events: <none>", async () => {
    const restores = new Restores(bed);
    // A policy that governs the namespace and restricts nothing: the restore fails on its missing backup, a Warning.
    await restores.createPolicy(team, { namespaces: [team] });
    const operator = await bed.startOperator({ WATCH_NAMESPACES: team });
    try {
      await tenant.createNamespacedCustomObject({ ...ref(team, ''), body: restoreManifest(team, 'described', { targetTableName: 'Described', source: { backupArn: BACKUP } }) });
      await restores.waitFor(team, 'described', 'to fail', (r) => r.status?.phase === 'Failed');
      const describe = async () => (await promisify(execFile)(kubectlBinary(), ['--kubeconfig', tenantKubeconfig, 'describe', 'ddbr', 'described', '-n', team])).stdout;
      let out = '';
      await waitFor('the event in kubectl describe', async () => /^ {2}Warning +BackupNotFound +\S+ +dynamodb\.restore\.dev\/restore-controller +/m.test((out = await describe())), 10_000).catch(
        (err: unknown) => assert.fail(`${String(err)}; kubectl describe as the tenant printed:\n${out}`),
      );
    } finally {
      await bed.group.stop(operator.process);
      await restores.deletePolicy(team);
    }
  });
});
