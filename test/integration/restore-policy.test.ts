// Guardrails on the test bed: what a DynamoDBRestorePolicy denies is rejected at admission where CEL can tell
// (the ValidatingAdmissionPolicy in deploy/), and otherwise refused by the operator before any AWS call; either way
// the message names the policy and the rule. What it allows goes through.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GROUP, PLURAL, VERSION } from '../../src/api/dynamodb-restore.ts';
import { POLICY_PLURAL } from '../../src/api/dynamodb-restore-policy.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import { REPO, type OperatorProcess, type TestBed } from '../support/testbed.ts';

describe('integration: DynamoDBRestorePolicy on the test bed', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let operator: OperatorProcess;
  const namespace = uniqueName('guarded');
  const policyName = uniqueName('policy');

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    await bed.createNamespace(namespace);
    await new Restores(bed).createPolicy(policyName, { namespaces: [namespace], allowedRegions: ['eu-west-1'], targetTableNamePattern: '$(namespace)-.*' });
    await bed.apply(readFileSync(join(REPO, 'deploy/kustomize/base/admission-policy.yaml'), 'utf8'));
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
  });

  after(async () => {
    await bed.group.stop(operator.process);
    await new Restores(bed).deletePolicy(policyName);
    ddb.destroy();
  });

  it('rejects at admission what the policy denies and CEL can tell, with the policy\'s message', async () => {
    const restores = new Restores(bed);
    const backupArn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
    const message = await restores.refusedAtAdmission(namespace, { targetTableName: 'Music', region: 'eu-west-1', source: { backupArn } });
    assert.match(message, new RegExp(`DynamoDBRestorePolicy ${policyName} denies this restore \\(targetTableNamePattern\\): table name Music does not match`));
    await assert.rejects(
      restores.create(namespace, uniqueName('region'), { targetTableName: `${namespace}-Music`, region: 'us-east-1', source: { backupArn }, overrides: { sse: { enabled: true, sseType: 'KMS' } } }),
      (err: unknown) => new RegExp(`DynamoDBRestorePolicy ${policyName} denies this restore \\(allowedRegions\\): Region us-east-1 is not one of eu-west-1`).test(String((err as { body?: unknown }).body)),
    );
  });

  it('refuses in the operator what admission cannot tell (the default Region), with no AWS call', async () => {
    const table = `${namespace}-Music`;
    const backupArn = await musicBackup(ddb, table);
    const callsBefore = bed.proxy.calls.length;
    const restores = new Restores(bed);
    // No spec.region: the operator's default (us-east-1) applies, which only the operator knows.
    await restores.create(namespace, 'denied', { targetTableName: table, source: { backupArn } });
    const done = await restores.waitFor(namespace, 'denied', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(done.status?.lastError?.code, 'PolicyDenied');
    assert.match(done.status?.lastError?.message ?? '', new RegExp(`DynamoDBRestorePolicy ${policyName} denies this restore \\(allowedRegions\\): Region us-east-1 is not one of eu-west-1`));
    assert.deepEqual(bed.proxy.calls.slice(callsBefore), [], 'the proxy saw no call');
  });

  it('admits a backup lookup under an allowedSources rule, and the operator refuses it once the backup it finds matches none', async () => {
    const restores = new Restores(bed);
    const sourcesPolicy = uniqueName('sources');
    const allowed = 'arn:aws:dynamodb:eu-west-1:123456789012:table/team-.*';
    const sourceTable = `${namespace}-Src`;
    await restores.createPolicy(sourcesPolicy, { namespaces: [namespace], allowedSources: [allowed] });
    try {
      // Made after the policy, so the operator's watch has it by then.
      const eu = dynamodbClient(bed, 'eu-west-1');
      await musicBackup(eu, sourceTable);
      eu.destroy();
      // A lookup has no ARN for CEL to check, so it must be admitted; the backup it finds is judged by the operator.
      const name = uniqueName('lookup');
      const target = `${namespace}-Lookup`;
      await restores.create(namespace, name, { targetTableName: target, region: 'eu-west-1', source: { backup: { tableName: sourceTable, latest: true } } });
      const done = await restores.waitFor(namespace, name, 'to fail', (r) => r.status?.phase === 'Failed');
      assert.equal(done.status?.lastError?.code, 'PolicyDenied');
      assert.equal(
        done.status?.lastError?.message,
        `DynamoDBRestorePolicy ${sourcesPolicy} denies this restore (allowedSources): the backup found for table ${sourceTable} matches none of ${allowed}. ` +
          'Change the spec in a new DynamoDBRestore, or ask the platform team.',
      );
      const lookups = bed.proxy.callsOf('ListBackups', sourceTable);
      assert.ok(lookups.length > 0, 'the backup was looked up');
      assert.deepEqual([...new Set(lookups.map((c) => `${c.region} ${c.error ?? 'answered'}`))], ['eu-west-1 answered']);
      assert.equal(bed.proxy.callsOf('RestoreTableFromBackup', target).length, 0);
    } finally {
      await restores.deletePolicy(sourcesPolicy);
    }
  });

  it('allowedDeletionPolicies: rejects Delete at creation and when changed to later; other updates pass', async () => {
    const restores = new Restores(bed);
    const keepTables = uniqueName('keep');
    await restores.createPolicy(keepTables, { namespaces: [namespace], allowedDeletionPolicies: ['Retain'] });
    const api = bed.kubeConfig.makeApiClient(CustomObjectsApi);
    const spec = { targetTableName: `${namespace}-Kept`, region: 'eu-west-1', source: { backup: { tableName: 'Music', latest: true } } };
    const denied = new RegExp(`DynamoDBRestorePolicy ${keepTables} denies this restore \\(allowedDeletionPolicies\\): deletionPolicy Delete is not one of Retain`);
    try {
      assert.match(await restores.refusedAtAdmission(namespace, { ...spec, deletionPolicy: 'Delete' }), denied);
      const name = uniqueName('kept');
      await restores.create(namespace, name, spec);
      const patch = (body: unknown) =>
        api.patchNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await assert.rejects(patch({ spec: { deletionPolicy: 'Delete' } }), (err: unknown) => denied.test(String((err as { body?: unknown }).body)));
      // An update that leaves deletionPolicy alone (a label, the operator's finalizer) is not judged again.
      await patch({ metadata: { labels: { team: 'a' } } });
    } finally {
      await restores.deletePolicy(keepTables);
    }
  });

  it('admits the example policy under deploy/tenancy', async () => {
    await bed.apply(readFileSync(join(REPO, 'deploy/tenancy/team-a-policy.yaml'), 'utf8'));
    const example = (await bed.kubeConfig.makeApiClient(CustomObjectsApi).getClusterCustomObject({ group: GROUP, version: VERSION, plural: POLICY_PLURAL, name: 'team-a' })) as { spec: { targetTableNamePattern?: string } };
    assert.equal(example.spec.targetTableNamePattern, '$(namespace)\\..+');
    await new Restores(bed).deletePolicy('team-a');
  });

  it('lets an allowed restore through', async () => {
    const table = `${namespace}-Music2`;
    const eu = dynamodbClient(bed, 'eu-west-1');
    const backupArn = await musicBackup(eu, table);
    eu.destroy();
    const restores = new Restores(bed);
    await restores.create(namespace, 'allowed', { targetTableName: table, region: 'eu-west-1', source: { backupArn } });
    await restores.waitFor(namespace, 'allowed', 'to complete', (r) => r.status?.phase === 'Completed');
  });
});
