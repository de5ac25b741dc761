// Two replicas, one leader: only the lease holder works on resources; a killed leader is replaced once its lease has
// expired, never before; a leader stopped with SIGTERM releases the lease (the next takes over before it would have
// expired) and exits 0; a leader that loses its lease exits 1 (the Deployment starts it again), as controller-runtime's
// does. How fast failover is on a quiet machine is the benchmark's to measure, not these tests'.
import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readFile } from 'node:fs/promises';
import { microTime } from '../../src/runtime/micro-time.ts';
import { waitFor } from '../support/processes.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { OPERATOR_NAMESPACE, type OperatorProcess, type TestBed } from '../support/testbed.ts';

/** The operator's default lease duration (LEADER_ELECTION_LEASE_SECONDS). */
const LEASE_MS = 8_000;
const time = (t: Date | string | undefined) => (t === undefined ? NaN : new Date(t).getTime());

async function leads(operator: OperatorProcess): Promise<boolean> {
  const metrics = await operator.metrics().catch(() => '');
  return /^leader_election_is_leader 1$/m.test(metrics);
}

describe('integration: leader election between two replicas', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let restores: Restores;
  const namespace = uniqueName('leader');
  const operators: OperatorProcess[] = [];

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    restores = new Restores(bed);
    await bed.createNamespace(namespace);
  });

  after(async () => {
    await Promise.all(operators.map((o) => bed.group.stop(o.process)));
    ddb?.destroy();
  });

  const lease = () => bed.kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: OPERATOR_NAMESPACE, name: `ddbr-${namespace}` });

  async function restoreOnce(name: string): Promise<void> {
    const table = uniqueName('Music');
    const backupArn = await musicBackup(ddb, table);
    await restores.create(namespace, name, { targetTableName: table, source: { backupArn } });
    await restores.waitFor(namespace, name, 'to complete', (r) => r.status?.phase === 'Completed', 60_000);
    assert.equal(bed.proxy.callsOf('RestoreTableFromBackup', table).length, 1);
  }

  it('runs one leader; a SIGKILLed leader is replaced only once its lease has expired; a SIGTERMed one releases the lease, so the next takes over before it would have expired', async () => {
    const env = (name: string) => ({ WATCH_NAMESPACES: namespace, LOG_LEVEL: 'info', POD_NAME: name });
    operators.push(await bed.startOperator(env('replica-a')), await bed.startOperator(env('replica-b')));
    await waitFor('a leader', async () => (await Promise.all(operators.map(leads))).some(Boolean), 20_000);
    const states = await Promise.all(operators.map(leads));
    assert.equal(states.filter(Boolean).length, 1, 'exactly one leader');
    const leader = operators[states.indexOf(true)];
    const follower = operators[states.indexOf(false)];
    assert.ok(leader && follower);
    const followerName = states.indexOf(false) === 0 ? 'replica-a' : 'replica-b';
    await restoreOnce('first');

    // The lease's own times (written by the replicas, on this machine's clock) order the hand-overs.
    const held = await lease();
    assert.equal(held.spec?.holderIdentity, states.indexOf(true) === 0 ? 'replica-a' : 'replica-b');
    leader.process.child.kill('SIGKILL');
    await waitFor('the follower to take over', () => leads(follower), 30_000, 250);
    const taken = await lease();
    assert.equal(taken.spec?.holderIdentity, followerName);
    assert.equal(taken.spec?.leaseTransitions, (held.spec?.leaseTransitions ?? NaN) + 1);
    const expiredAt = time(held.spec?.renewTime) + LEASE_MS;
    assert.ok(time(taken.spec?.acquireTime) >= expiredAt, `acquired ${String(taken.spec?.acquireTime)}, before the killed leader's lease (renewed ${String(held.spec?.renewTime)}) expired`);
    await restoreOnce('second');

    const third = await bed.startOperator(env('replica-c'));
    operators.push(third);
    assert.equal(await leads(third), false, 'a new replica waits while the lease is held');
    const before = await lease();
    assert.equal(before.spec?.holderIdentity, followerName);
    follower.process.child.kill('SIGTERM');
    assert.equal(await follower.process.exited, 0, 'a graceful stop exits 0');
    await waitFor('the third replica to take over', () => leads(third), 30_000, 100);
    const handed = await lease();
    assert.equal(handed.spec?.holderIdentity, 'replica-c');
    assert.ok(time(handed.spec?.acquireTime) < time(before.spec?.renewTime) + LEASE_MS, 'taken over before the stopped leader\'s lease could expire: it was released');
    await restoreOnce('third');
  });

  it('takes its lease timings from the configuration', async () => {
    const own = uniqueName('lease');
    await bed.createNamespace(own);
    const operator = await bed.startOperator({ WATCH_NAMESPACES: own, LOG_LEVEL: 'info', LEADER_ELECTION_LEASE_SECONDS: '3', LEADER_ELECTION_RENEW_DEADLINE_SECONDS: '2', LEADER_ELECTION_RETRY_PERIOD_SECONDS: '0.5' });
    operators.push(operator);
    await waitFor('it to lead', () => leads(operator), 20_000, 100);
    const lease = await bed.kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: OPERATOR_NAMESPACE, name: `ddbr-${own}` });
    assert.equal(lease.spec?.leaseDurationSeconds, 3);
  });

  it('exits 1, logging the lost lease, when another holder takes the lease it could not renew', async () => {
    const own = uniqueName('lost');
    await bed.createNamespace(own);
    const operator = await bed.startOperator({ WATCH_NAMESPACES: own, LOG_LEVEL: 'info', LEADER_ELECTION_LEASE_SECONDS: '3', LEADER_ELECTION_RENEW_DEADLINE_SECONDS: '2', LEADER_ELECTION_RETRY_PERIOD_SECONDS: '0.5' });
    operators.push(operator);
    await waitFor('it to lead', () => leads(operator), 20_000, 100);
    const leases = bed.kubeConfig.makeApiClient(CoordinationV1Api);
    const name = `ddbr-${own}`;
    // Another holder writes the lease as if it had taken it over: the operator can no longer renew it.
    const lease = await leases.readNamespacedLease({ namespace: OPERATOR_NAMESPACE, name });
    await leases.replaceNamespacedLease({ namespace: OPERATOR_NAMESPACE, name, body: { ...lease, spec: { ...lease.spec, holderIdentity: 'another-replica', renewTime: microTime(new Date()) } } });
    assert.equal(await operator.process.exited, 1, 'a lost lease ends the process with 1');
    assert.match(await readFile(operator.process.logFile, 'utf8'), /Lost the leader lease; exiting/);
    const after = await leases.readNamespacedLease({ namespace: OPERATOR_NAMESPACE, name });
    assert.equal(after.spec?.holderIdentity, 'another-replica', 'it did not take the lease back or release it on its way out');
  });
});
