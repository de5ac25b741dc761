// AWS's limits on the test bed, with the fidelity proxy enforcing them as DynamoDB does: at most N restores in
// progress per account and Region, and a control-plane rate. The operator queues what does not fit (Queued, with a
// position), serves namespaces in turn, and paces its calls: no LimitExceeded, no throttling, one restore per table.
import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import { waitFor } from '../support/processes.ts';
import type { OperatorProcess, TestBed } from '../support/testbed.ts';

describe('integration: restore slots and the control-plane rate', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let operator: OperatorProcess;
  let restores: Restores;
  const teamA = uniqueName('slots-a');
  const teamB = uniqueName('slots-b');

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    restores = new Restores(bed);
    await bed.createNamespace(teamA);
    await bed.createNamespace(teamB);
  });

  after(() => {
    bed.proxy.resetLimits();
    bed.proxy.holdCreatingMs = 0;
    ddb.destroy();
  });

  it('drains a burst within the limits, fairly across namespaces, with no error surfaced', async () => {
    const backupArn = await musicBackup(ddb, uniqueName('Music'));
    // Counters from zero: earlier suites' restores are not this test's.
    bed.proxy.resetLimits();
    bed.proxy.maxRestoresInProgress = 2;
    bed.proxy.controlPlaneRate = { perSecond: 8, burst: 8 };
    bed.proxy.holdCreatingMs = 1_500;
    operator = await bed.startOperator({ WATCH_NAMESPACES: `${teamA},${teamB}`, MAX_RESTORES_IN_PROGRESS: '2', AWS_CALLS_PER_SECOND: '6', POLL_MIN_SECONDS: '1' });
    try {
      const callsBefore = bed.proxy.calls.length;
      const names = { a: ['a0', 'a1', 'a2', 'a3', 'a4'], b: ['b0', 'b1'] };
      const tables = new Map<string, string>();
      for (const name of names.a) {
        tables.set(name, uniqueName('SlotA'));
        await restores.create(teamA, name, { targetTableName: tables.get(name) ?? '', source: { backupArn } });
      }
      // Team b comes a moment after team a's burst.
      await new Promise((r) => setTimeout(r, 300));
      for (const name of names.b) {
        tables.set(name, uniqueName('SlotB'));
        await restores.create(teamB, name, { targetTableName: tables.get(name) ?? '', source: { backupArn } });
      }
      // The leader's count, as Prometheus sees it while the queue is full.
      await waitFor('the slot metrics', async () => {
        const text = await operator.metrics();
        return /dynamodb_restore_slots_in_use\{pool="operator\/us-east-1"\} 2\n/.test(text) && /dynamodb_restore_slots_waiting\{pool="operator\/us-east-1"\} [1-9]/.test(text);
      }, 20_000, 100);
      // Every resource watched at once, to see the queue as it was.
      const positions: number[] = [];
      const watch = (namespace: string, name: string) =>
        restores.waitFor(namespace, name, 'to complete', (r) => r.status?.phase === 'Completed', 60_000, (r) => {
          if (r.status?.phase === 'Queued' && r.status.queuePosition) positions.push(r.status.queuePosition);
        });
      await Promise.all([...names.a.map((n) => watch(teamA, n)), ...names.b.map((n) => watch(teamB, n))]);

      const calls = bed.proxy.calls.slice(callsBefore);
      assert.deepEqual(calls.filter((c) => c.error).map((c) => `${c.operation} ${c.error ?? ''}`), [], 'no call was refused: no LimitExceeded, no throttling');
      assert.equal(bed.proxy.limitCounters.peakRestoresInProgress.get('us-east-1'), 2);
      assert.ok(positions.length > 0, 'some restores waited Queued with a position');
      const restoreCalls = calls.filter((c) => c.operation === 'RestoreTableFromBackup');
      const order = restoreCalls.map((c) => [...tables].find(([, table]) => table === c.body.TargetTableName)?.[0]);
      assert.deepEqual([...order].sort(), [...names.a, ...names.b].sort(), 'exactly one restore per resource');
      // Team b is served in turn, not after all of team a's burst.
      assert.ok(order.indexOf('b0') < order.indexOf('a4'), `restore order ${order.join(',')}`);
      const events = await restores.events(teamA);
      assert.ok(events.some((e) => e.reason === 'Queued' && e.type === 'Normal'), 'entering the queue is an event');
    } finally {
      await bed.group.stop(operator.process);
    }
  });
});
