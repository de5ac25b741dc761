// Guardrails on the test bed: a restore a DynamoDBRestorePolicy denies never reaches AWS and says which rule
// denied it; one it allows goes through.
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GROUP, VERSION } from '../../src/api/dynamodb-restore.ts';
import { POLICY_PLURAL } from '../../src/api/dynamodb-restore-policy.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import type { OperatorProcess, TestBed } from '../support/testbed.ts';

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
    await bed.kubeConfig.makeApiClient(CustomObjectsApi).createClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: POLICY_PLURAL,
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'DynamoDBRestorePolicy',
        metadata: { name: policyName },
        spec: { namespaces: [namespace], allowedRegions: ['us-east-1'], targetTableNamePattern: '$(namespace)-.*' },
      },
    });
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
  });

  after(async () => {
    await bed.group.stop(operator.process);
    await bed.kubeConfig.makeApiClient(CustomObjectsApi).deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: POLICY_PLURAL, name: policyName });
    ddb.destroy();
  });

  it('refuses a denied restore with the rule, and no AWS call is made for it', async () => {
    const table = uniqueName('Music');
    const backupArn = await musicBackup(ddb, table);
    const callsBefore = bed.proxy.calls.length;
    const restores = new Restores(bed);
    await restores.create(namespace, 'denied', { targetTableName: table, source: { backupArn } });
    const done = await restores.waitFor(namespace, 'denied', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(done.status?.lastError?.code, 'PolicyDenied');
    assert.match(done.status?.lastError?.message ?? '', new RegExp(`DynamoDBRestorePolicy ${policyName} denies this restore \\(targetTableNamePattern\\): table name ${table} does not match`));
    assert.deepEqual(bed.proxy.calls.slice(callsBefore), [], 'the proxy saw no call');
  });

  it('lets an allowed restore through', async () => {
    const table = `${namespace}-Music`;
    const backupArn = await musicBackup(ddb, table);
    const restores = new Restores(bed);
    await restores.create(namespace, 'allowed', { targetTableName: table, region: 'us-east-1', source: { backupArn } });
    await restores.waitFor(namespace, 'allowed', 'to complete', (r) => r.status?.phase === 'Completed');
  });
});
