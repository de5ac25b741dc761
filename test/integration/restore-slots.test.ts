// AWS's limits on the test bed, with the fidelity proxy enforcing them as DynamoDB does: at most N restores in
// progress per account and Region, and a control-plane rate. The operator queues what does not fit (Queued, with a
// position), serves namespaces in turn, and paces its calls: no LimitExceeded, no throttling, one restore per table.
import assert from 'node:assert/strict';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
    // An earlier suite's restore still CREATING would take one of the few slots the proxy allows here.
    bed.proxy.finishAllCreating();
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
    // The two restores that take the slots first stay CREATING until b0 is seen Queued behind them (the test then
    // ends their hold); the rest are quick. (The order below depends on b0 queueing before the first slot frees.)
    let drawn = 0;
    bed.proxy.restoreDuration = () => (drawn++ < 2 ? 100_000 : 500);
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
      await restores.waitFor(teamB, 'b0', 'to be Queued', (r) => r.status?.phase === 'Queued');
      // The second slot's restore call may still be on its way (calls are paced): wait for both, then check b0 waits.
      const restoresAsked = () => bed.proxy.calls.slice(callsBefore).filter((c) => c.operation === 'RestoreTableFromBackup');
      await waitFor('the two restores holding the slots to be taken by AWS', () => Promise.resolve(restoresAsked().length >= 2 && bed.proxy.restoresInProgress('us-east-1') === 2), 20_000, 50);
      assert.deepEqual(restoresAsked().map((c) => c.error), [undefined, undefined], 'premise: only the two restores holding the slots were asked of AWS, and AWS took both');
      assert.equal((await restores.get(teamB, 'b0')).status?.phase, 'Queued', 'premise: b0 is still Queued behind them');
      // One slot freed at a time: the first goes to the next in turn (b0), before the second frees (freed together,
      // b0's and a2's calls would race).
      const [firstHeld, secondHeld] = restoresAsked().map((c) => String(c.body.TargetTableName));
      bed.proxy.finishCreating(firstHeld ?? '');
      await waitFor('the freed slot to be taken', () => Promise.resolve(restoresAsked().length >= 3), 20_000, 50);
      bed.proxy.finishCreating(secondHeld ?? '');
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
      // Team b is served in turn, not after all of team a's burst: the first slot freed after b0 queued is b0's, so
      // only the two restores that took the slots at first come before it.
      assert.equal(order.indexOf('b0'), 2, `restore order ${order.join(',')}`);
      const events = await restores.events(teamA);
      assert.ok(events.some((e) => e.reason === 'Queued' && e.type === 'Normal'), 'entering the queue is an event');
    } finally {
      await bed.group.stop(operator.process);
      bed.proxy.finishAllCreating();
    }
  });

  describe('slots follow tables, not resources (one slot: MAX_RESTORES_IN_PROGRESS=1)', () => {
    const env = () => ({ WATCH_NAMESPACES: `${teamA},${teamB}`, MAX_RESTORES_IN_PROGRESS: '1', POLL_MIN_SECONDS: '1' });
    let backupArn: string;

    beforeEach(async () => {
      backupArn ??= await musicBackup(ddb, uniqueName('Music'));
      bed.proxy.resetLimits();
      bed.proxy.maxRestoresInProgress = 1;
    });

    afterEach(() => {
      bed.proxy.clearFaults();
      bed.proxy.holdCreatingMs = 0;
      // A test that failed mid-hold leaves no table CREATING to hold the next test's one slot.
      bed.proxy.finishAllCreating();
    });

    /**
     * The first restore's table CREATING for holdMs (HELD: until the test ends the hold with finishCreating, once the
     * second is seen Queued); the second, in another namespace, asks for the slot meanwhile.
     */
    async function twoRestores(holdMs: number, firstSpec: Partial<Parameters<Restores['create']>[2]> = {}) {
      bed.proxy.holdCreatingMs = holdMs;
      const first = { ns: teamA, name: uniqueName('first'), table: uniqueName('First') };
      const second = { ns: teamB, name: uniqueName('second'), table: uniqueName('Second') };
      await restores.create(first.ns, first.name, { targetTableName: first.table, source: { backupArn }, ...firstSpec });
      await restores.waitFor(first.ns, first.name, 'to be CREATING', (r) => r.status?.tableStatus === 'CREATING');
      bed.proxy.holdCreatingMs = 0;
      return { first, second, createSecond: () => restores.create(second.ns, second.name, { targetTableName: second.table, source: { backupArn } }) };
    }

    /** Long enough for any machine: the tests end it with finishCreating once what they wait for was seen. */
    const HELD = 100_000;

    const restoreCall = (table: string) => {
      const [call] = bed.proxy.callsOf('RestoreTableFromBackup', table).filter((c) => !c.error);
      assert.ok(call, `a restore call for ${table}`);
      return call;
    };

    it("attack 8: a Retain resource its tenant deletes while its table is CREATING holds its slot until ACTIVE; another namespace's restore waits Queued and AWS never sees more than one in progress", async () => {
      const op = await bed.startOperator(env());
      try {
        const { first, second, createSecond } = await twoRestores(HELD);
        // Team a's own deployer (the tenant role) deletes its restore mid-CREATING.
        await new Restores(bed, await bed.tenantKubeConfig(teamA)).delete(first.ns, first.name);
        const waiting = await restores.waitFor(first.ns, first.name, 'to wait for its table', (r) => r.status?.conditions?.some((c) => c.reason === 'DeletionWaiting') ?? false);
        assert.ok(waiting.metadata.deletionTimestamp, 'deleted, held by the finalizer');
        await createSecond();
        await restores.waitFor(second.ns, second.name, 'to queue', (r) => r.status?.phase === 'Queued');
        bed.proxy.finishCreating(first.table);
        await restores.waitFor(second.ns, second.name, 'to complete', (r) => r.status?.phase === 'Completed');
        await restores.waitGone(first.ns, first.name);

        // The second restore was asked of AWS only once the first table had stopped CREATING.
        const firstCall = restoreCall(first.table);
        assert.ok(restoreCall(second.table).at.getTime() >= firstCall.at.getTime() + (bed.proxy.creatingMsOf(first.table) ?? Infinity));
        assert.equal(bed.proxy.limitCounters.limitExceeded, 0, 'no LimitExceeded');
        assert.equal(bed.proxy.limitCounters.peakRestoresInProgress.get('us-east-1'), 1);
        assert.equal(bed.proxy.callsOf('DeleteTable', first.table).length, 0, 'Retain: the table stays');
      } finally {
        await bed.group.stop(op.process);
      }
    });

    it("a resource deleted after its restore call's answer was lost holds its slot while the table that call made is CREATING, recording that table as its own; AWS never sees more than one in progress", async () => {
      const op = await bed.startOperator(env());
      try {
        bed.proxy.holdCreatingMs = HELD;
        const first = { ns: teamA, name: uniqueName('lost'), table: uniqueName('Lost') };
        // Every restore call for the first table reaches moto, and its answer never reaches the operator.
        bed.proxy.inject({ operation: 'RestoreTableFromBackup', tableName: first.table, loseAnswer: true, times: Infinity });
        await restores.create(first.ns, first.name, { targetTableName: first.table, source: { backupArn } });
        await restores.waitFor(first.ns, first.name, 'to have lost its answer', (r) => r.status?.lastError?.code === 'NetworkError');
        bed.proxy.holdCreatingMs = 0;
        const made = (await ddb.send(new DescribeTableCommand({ TableName: first.table }))).Table;
        assert.equal(made?.TableStatus, 'CREATING', 'the lost call made the table');
        await restores.delete(first.ns, first.name);
        const waiting = await restores.waitFor(first.ns, first.name, 'to wait for its table', (r) => r.status?.conditions?.some((c) => c.reason === 'DeletionWaiting') ?? false);
        assert.equal(waiting.status?.tableId, made?.TableId, 'the table the lost call made, recorded as its own');
        assert.equal(waiting.status?.tableStatus, 'CREATING');
        const second = { ns: teamB, name: uniqueName('second'), table: uniqueName('Second') };
        await restores.create(second.ns, second.name, { targetTableName: second.table, source: { backupArn } });
        await restores.waitFor(second.ns, second.name, 'to queue', (r) => r.status?.phase === 'Queued');
        bed.proxy.finishCreating(first.table);
        await restores.waitFor(second.ns, second.name, 'to complete', (r) => r.status?.phase === 'Completed');
        await restores.waitGone(first.ns, first.name);
        assert.equal(bed.proxy.limitCounters.limitExceeded, 0, 'no LimitExceeded');
        assert.equal(bed.proxy.limitCounters.peakRestoresInProgress.get('us-east-1'), 1);
        assert.equal(bed.proxy.callsOf('DeleteTable', first.table).length, 0, 'Retain: the table stays');
      } finally {
        await bed.group.stop(op.process);
      }
    });

    it('gives the slot back as soon as the table is ACTIVE, while the resource is still Configuring', async () => {
      const op = await bed.startOperator(env());
      try {
        // The first restore's tableSettings cannot be applied (throttled until cleared): it stays Configuring.
        bed.proxy.inject({ operation: 'UpdateTimeToLive', code: 'ThrottlingException', times: Infinity });
        const { first, second, createSecond } = await twoRestores(2_000, { tableSettings: { timeToLive: { attributeName: 'expiresAt' } } });
        await restores.waitFor(first.ns, first.name, 'to be Configuring', (r) => r.status?.phase === 'Configuring');
        await createSecond();
        await restores.waitFor(second.ns, second.name, 'to complete', (r) => r.status?.phase === 'Completed');
        assert.equal((await restores.get(first.ns, first.name)).status?.phase, 'Configuring', 'the first still Configuring when the second completed');
        bed.proxy.clearFaults();
        await restores.waitFor(first.ns, first.name, 'to complete', (r) => r.status?.phase === 'Completed', 60_000);
        assert.equal(bed.proxy.limitCounters.limitExceeded, 0);
      } finally {
        await bed.group.stop(op.process);
      }
    });

    it("a new operator counts the restore its predecessor left CREATING before it grants the slot to another namespace's restore", async () => {
      let op = await bed.startOperator(env());
      try {
        const { first, second, createSecond } = await twoRestores(HELD);
        await bed.group.stop(op.process);
        await createSecond();
        op = await bed.startOperator(env());
        await restores.waitFor(second.ns, second.name, 'to queue', (r) => r.status?.phase === 'Queued');
        bed.proxy.finishCreating(first.table);
        await restores.waitFor(second.ns, second.name, 'to complete', (r) => r.status?.phase === 'Completed');
        await restores.waitFor(first.ns, first.name, 'to complete', (r) => r.status?.phase === 'Completed');
        const firstCall = restoreCall(first.table);
        assert.ok(restoreCall(second.table).at.getTime() >= firstCall.at.getTime() + (bed.proxy.creatingMsOf(first.table) ?? Infinity));
        assert.equal(bed.proxy.limitCounters.limitExceeded, 0);
        assert.equal(bed.proxy.limitCounters.peakRestoresInProgress.get('us-east-1'), 1);
      } finally {
        await bed.group.stop(op.process);
      }
    });
  });
});
