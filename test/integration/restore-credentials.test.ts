// spec.credentials on the test bed: the operator assumes the resource's role through STS (moto serves it) with a
// session it names after the resource (ExternalId from the cluster name and namespace, session names and tags),
// makes every call of that restore with the role's temporary credentials, reuses them across the resource's calls,
// refuses a role no policy allows, reports a trust-policy refusal in words that point at the role, and without a
// cluster name assumes no role at all.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sessionTagsOf } from '../support/fidelity-proxy.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import { EMULATOR_CREDENTIALS, REPO, type OperatorProcess, type TestBed } from '../support/testbed.ts';

const ROLE = 'arn:aws:iam::123456789012:role/team-restorer';
const CLUSTER = 'testbed-eu';

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
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace, CLUSTER_NAME: CLUSTER });
  });

  after(async () => {
    bed.proxy.clearFaults();
    await bed.group.stop(operator.process);
    await restores.deletePolicy(policyName);
    ddb.destroy();
  });

  it("assumes the role once per resource, as a session named after it, and makes all of that restore's calls with it", async () => {
    const assumedBefore = bed.proxy.callsOf('AssumeRole').length;
    const tables = [uniqueName('Music'), uniqueName('Music')];
    const operatorCallsFrom = new Map<string, number>();
    for (const [i, table] of tables.entries()) {
      const backupArn = await musicBackup(ddb, table);
      operatorCallsFrom.set(table, bed.proxy.calls.length);
      await restores.create(namespace, `as-role-${i}`, { targetTableName: table, source: { backupArn }, credentials: { roleArn: ROLE } });
      await restores.waitFor(namespace, `as-role-${i}`, 'to complete', (r) => r.status?.phase === 'Completed');
    }
    const assumed = bed.proxy.callsOf('AssumeRole').slice(assumedBefore);
    assert.deepEqual(
      assumed.map((c) => ({
        RoleArn: c.body.RoleArn,
        ExternalId: c.body.ExternalId,
        RoleSessionName: c.body.RoleSessionName,
        SourceIdentity: c.body.SourceIdentity,
        tags: sessionTagsOf(c.body),
      })),
      [0, 1].map((i) => ({
        RoleArn: ROLE,
        ExternalId: `${CLUSTER}/${namespace}`,
        RoleSessionName: `${namespace}.as-role-${i}`,
        SourceIdentity: `${namespace}.as-role-${i}`,
        tags: { 'dynamodb-restore-cluster': CLUSTER, 'dynamodb-restore-namespace': namespace, 'dynamodb-restore-name': `as-role-${i}` },
      })),
      "one AssumeRole per resource, its credentials reused for all of that resource's calls",
    );
    assert.ok(assumed.every((c) => c.accessKeyId === EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID), "AssumeRole is made with the operator's own identity");
    const keysOf = tables.map((table) => {
      // The operator's calls for this restore (the test's own set-up calls came before).
      const calls = bed.proxy.calls.slice(operatorCallsFrom.get(table)).filter((c) => c.body.TableName === table || c.body.TargetTableName === table);
      assert.ok(calls.some((c) => c.operation === 'RestoreTableFromBackup'));
      const keys = new Set(calls.map((c) => c.accessKeyId));
      assert.equal(keys.size, 1, `${table}: one key for all its calls`);
      assert.ok(![...keys].includes(EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID), `${table} was restored with the role's key, not the operator's`);
      return [...keys][0];
    });
    assert.notEqual(keysOf[0], keysOf[1], 'two resources never share a session');
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
    assert.match(
      done.status?.lastError?.message ?? '',
      /trust policy must allow the operator's identity sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity for this namespace \(the ExternalId <cluster name>\/<namespace>, the session tag dynamodb-restore-namespace\)/,
    );
    assert.equal(bed.proxy.callsOf('DescribeBackup').filter((c) => c.body.BackupArn === backupArn).length, 0, 'no DynamoDB call without the role');
  });
});

describe('integration: spec.credentials on an operator without a cluster name', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let operator: OperatorProcess;
  let restores: Restores;
  const namespace = uniqueName('noname');
  const policyName = uniqueName('noname');

  before(async () => {
    bed = await sharedTestBed();
    restores = new Restores(bed);
    await bed.createNamespace(namespace);
    await restores.createPolicy(policyName, { namespaces: [namespace], allowedRoleArns: ['arn:aws:iam::123456789012:role/team-.*'] });
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace });
  });

  after(async () => {
    await bed.group.stop(operator.process);
    await restores.deletePolicy(policyName);
  });

  it('fails ClusterNameRequired, saying who sets what, with no AWS call', async () => {
    const backupArn = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
    const callsBefore = bed.proxy.calls.length;
    await restores.create(namespace, 'no-cluster-name', { targetTableName: `${namespace}-Music`, source: { backupArn }, credentials: { roleArn: ROLE } });
    const done = await restores.waitFor(namespace, 'no-cluster-name', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(done.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'ClusterNameRequired');
    assert.equal(
      done.status?.lastError?.message,
      "A restore with spec.credentials needs the operator to have a cluster name (CLUSTER_NAME, --cluster-name or the chart value clusterName), from which it derives the role session's ExternalId; the platform team sets it, then create a new DynamoDBRestore.",
    );
    assert.deepEqual(bed.proxy.calls.slice(callsBefore), [], 'the proxy saw no call');
  });
});
