// spec.credentials on the test bed: the operator assumes the resource's role through STS (moto serves it), makes
// every call of that restore with the role's temporary credentials, reuses them across restores, refuses a role no
// policy allows, and reports a trust-policy refusal in words that point at the role.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import { EMULATOR_CREDENTIALS, REPO, type OperatorProcess, type TestBed } from '../support/testbed.ts';

const ROLE = 'arn:aws:iam::123456789012:role/team-restorer';

describe('integration: per-resource credentials (STS AssumeRole)', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let operator: OperatorProcess;
  let restores: Restores;
  const namespace = uniqueName('creds');
  const policyName = uniqueName('roles');

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    restores = new Restores(bed);
    await bed.createNamespace(namespace);
    await bed.apply(readFileSync(join(REPO, 'deploy/kustomize/base/admission-policy.yaml'), 'utf8'));
    await restores.createPolicy(policyName, { namespaces: [namespace], allowedRoleArns: ['arn:aws:iam::123456789012:role/team-.*'] });
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
  });

  after(async () => {
    bed.proxy.clearFaults();
    await bed.group.stop(operator.process);
    await restores.deletePolicy(policyName);
    ddb.destroy();
  });

  it("makes the restore's calls as the assumed role, and assumes it once for several restores", async () => {
    const assumedBefore = bed.proxy.callsOf('AssumeRole').length;
    const tables = [uniqueName('Music'), uniqueName('Music')];
    const operatorCallsFrom = new Map<string, number>();
    for (const [i, table] of tables.entries()) {
      const backupArn = await musicBackup(ddb, table);
      operatorCallsFrom.set(table, bed.proxy.calls.length);
      await restores.create(namespace, `as-role-${i}`, { targetTableName: table, source: { backupArn }, credentials: { roleArn: ROLE, externalId: 'team-ext-1' } });
      await restores.waitFor(namespace, `as-role-${i}`, 'to complete', (r) => r.status?.phase === 'Completed');
    }
    const assumed = bed.proxy.callsOf('AssumeRole').slice(assumedBefore);
    assert.equal(assumed.length, 1, 'the temporary credentials are reused');
    assert.deepEqual(
      { RoleArn: assumed[0]?.body.RoleArn, ExternalId: assumed[0]?.body.ExternalId, RoleSessionName: assumed[0]?.body.RoleSessionName },
      { RoleArn: ROLE, ExternalId: 'team-ext-1', RoleSessionName: 'dynamodb-restore-operator' },
    );
    assert.equal(assumed[0]?.accessKeyId, EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID, "AssumeRole is made with the operator's own identity");
    for (const table of tables) {
      // The operator's calls for this restore (the test's own set-up calls came before).
      const calls = bed.proxy.calls.slice(operatorCallsFrom.get(table)).filter((c) => c.body.TableName === table || c.body.TargetTableName === table);
      assert.ok(calls.some((c) => c.operation === 'RestoreTableFromBackup'));
      const keys = new Set(calls.map((c) => c.accessKeyId));
      assert.equal(keys.size, 1);
      assert.ok(![...keys].includes(EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID), `${table} was restored with the role's key, not the operator's`);
    }
  });

  it('rejects at admission a role no policy allows', async () => {
    const backupArn = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
    await assert.rejects(
      restores.create(namespace, uniqueName('admin'), { targetTableName: 'Music', source: { backupArn }, credentials: { roleArn: 'arn:aws:iam::123456789012:role/admin' } }),
      (err: unknown) => new RegExp(`DynamoDBRestorePolicy ${policyName} denies this restore \\(allowedRoleArns\\): role arn:aws:iam::123456789012:role/admin matches none of`).test(String((err as { body?: unknown }).body)),
    );
  });

  it("fails with words about the role's trust policy when STS refuses it", async () => {
    const table = uniqueName('Music');
    const backupArn = await musicBackup(ddb, table);
    bed.proxy.inject({ operation: 'AssumeRole', code: 'AccessDenied', message: 'not authorized to perform: sts:AssumeRole', status: 403, times: 1 });
    await restores.create(namespace, 'untrusted', { targetTableName: table, source: { backupArn }, credentials: { roleArn: 'arn:aws:iam::123456789012:role/team-untrusting' } });
    const done = await restores.waitFor(namespace, 'untrusted', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(done.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'AssumeRoleDenied');
    assert.match(done.status?.lastError?.message ?? '', /trust policy must allow the operator's identity/);
    assert.equal(bed.proxy.callsOf('DescribeBackup').filter((c) => c.body.BackupArn === backupArn).length, 0, 'no DynamoDB call without the role');
  });
});
