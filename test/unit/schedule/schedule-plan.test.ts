import assert from 'node:assert/strict';
import type { DynamoDBRestore } from '../../../src/api/dynamodb-restore.ts';
import type { DynamoDBRestoreSchedule } from '../../../src/api/dynamodb-restore-schedule.ts';
import {
  parseSchedule,
  planSchedule,
  refusedStatus,
  runName,
  scheduleStamp,
  type PublishTarget,
  type ScheduleWorld,
} from '../../../src/schedule/schedule-plan.ts';

const OPTIONS = { minIntervalMs: 900_000 };
const UID = 'c0ffee00-0000-4000-8000-000000000001';

function schedule(spec: Partial<DynamoDBRestoreSchedule['spec']> = {}, status?: DynamoDBRestoreSchedule['status'], generation = 1): DynamoDBRestoreSchedule {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestoreSchedule',
    metadata: { name: 'nightly', namespace: 'team-a', uid: UID, generation, resourceVersion: '1', creationTimestamp: '2026-12-03T12:00:00Z' as unknown as Date },
    spec: {
      schedule: '0 2 * * *',
      targetTableName: 'team-a.orders-$(scheduleTime)',
      restoreTemplate: { spec: { source: { backup: { tableName: 'team-a.orders', latest: true } } } },
      ...spec,
    },
    ...(status && { status }),
  };
}

function run(name: string, scheduledAt: string, phase?: 'Restoring' | 'Completed' | 'Failed', extra: Partial<DynamoDBRestore['status']> = {}): DynamoDBRestore {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, generation: 1, resourceVersion: '1', annotations: { 'dynamodb.restore.dev/scheduled-at': scheduledAt } },
    spec: { targetTableName: `table-of-${name}`, source: { backup: { tableName: 'team-a.orders', latest: true } }, deletionPolicy: 'Delete' },
    ...(phase && { status: { phase, ...extra } }),
  };
}

const world = (s: DynamoDBRestoreSchedule, now: string, runs: DynamoDBRestore[] = [], publish?: PublishTarget): ScheduleWorld => ({
  schedule: s,
  runs,
  now: new Date(now),
  ...(publish && { publish }),
});

const ready = (plan: ReturnType<typeof planSchedule>) => plan.status.conditions?.find((c) => c.type === 'Ready');

describe('schedule plan: names', () => {
  it('stamps a time as UTC to the second, lower case: 2026-12-04T02:00:00Z → 20261204t020000z', () => {
    assert.equal(scheduleStamp(new Date('2026-12-04T02:00:00Z')), '20261204t020000z');
    assert.equal(runName('nightly', new Date('2026-12-04T02:00:00Z')), 'nightly-20261204t020000z');
  });
});

describe('schedule plan: parsing the schedule', () => {
  const now = new Date('2026-12-04T00:00:00Z');
  it('refuses a cron field out of range with the cron library\'s reason', () => {
    const parsed = parseSchedule(schedule({ schedule: '61 2 * * *' }).spec, now, OPTIONS);
    assert.deepEqual(parsed, { ok: false, message: 'schedule "61 2 * * *" cannot be used: CronPattern: Invalid value for minute: 61' });
  });

  it('refuses an unknown time zone, naming it', () => {
    const parsed = parseSchedule(schedule({ timeZone: 'Mars/Olympus' }).spec, now, OPTIONS);
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.message, /^schedule "0 2 \* \* \*" in Mars\/Olympus cannot be used: .*Mars\/Olympus/);
  });

  it('refuses a schedule that runs more often than the minimum interval (every minute against 900 s)', () => {
    const parsed = parseSchedule(schedule({ schedule: '* * * * *' }).spec, now, OPTIONS);
    assert.deepEqual(parsed, {
      ok: false,
      message:
        'schedule "* * * * *" runs 60 s apart; each run is a DynamoDB restore, and this operator allows at most one every 900 s (SCHEDULE_MIN_INTERVAL_SECONDS)',
    });
  });

  it('accepts six fields with seconds first when the interval allows it', () => {
    assert.equal(parseSchedule(schedule({ schedule: '*/5 * * * * *' }).spec, now, { minIntervalMs: 5_000 }).ok, true);
  });

  it('reports an invalid schedule as Ready False InvalidSchedule, with one Warning event, and creates nothing', () => {
    const plan = planSchedule(world(schedule({ schedule: 'every night' }), '2026-12-04T02:00:05Z'), OPTIONS);
    assert.equal(plan.create, undefined);
    assert.equal(ready(plan)?.reason, 'InvalidSchedule');
    assert.equal(ready(plan)?.status, 'False');
    assert.deepEqual(plan.events.map((e) => `${e.type} ${e.reason}`), ['Warning InvalidSchedule']);
    const again = planSchedule(world(schedule({ schedule: 'every night' }, plan.status), '2026-12-04T02:01:05Z'), OPTIONS);
    assert.deepEqual(again.events, [], 'the same refusal is not an event again');
  });
});

describe('schedule plan: when a run is made', () => {
  it('makes the first run at the first scheduled time after creation, named and tabled after that time, deletionPolicy Delete', () => {
    const plan = planSchedule(world(schedule(), '2026-12-04T02:00:05Z'), OPTIONS);
    assert.deepEqual(plan.create, {
      name: 'nightly-20261204t020000z',
      scheduledTime: new Date('2026-12-04T02:00:00Z'),
      spec: { source: { backup: { tableName: 'team-a.orders', latest: true } }, targetTableName: 'team-a.orders-20261204t020000z', deletionPolicy: 'Delete' },
    });
    assert.equal(plan.status.lastScheduleTime, '2026-12-04T02:00:00.000Z');
    assert.deepEqual(plan.status.active, [{ name: 'nightly-20261204t020000z', scheduledTime: '2026-12-04T02:00:00.000Z' }]);
    assert.equal(plan.status.nextScheduleTime, '2026-12-05T02:00:00.000Z');
    assert.equal(plan.requeueAfterMs, 86_395_000);
    assert.deepEqual(plan.events, [
      { type: 'Normal', reason: 'RunCreated', message: 'Created nightly-20261204t020000z for the run scheduled at 2026-12-04T02:00:00.000Z: table team-a.orders-20261204t020000z.' },
    ]);
  });

  it('keeps the template\'s deletionPolicy Retain when the template says so', () => {
    const s = schedule({ restoreTemplate: { spec: { source: { backup: { tableName: 'team-a.orders', latest: true } }, deletionPolicy: 'Retain' } } });
    assert.equal(planSchedule(world(s, '2026-12-04T02:00:05Z'), OPTIONS).create?.spec.deletionPolicy, 'Retain');
  });

  it('makes nothing before the scheduled time, and looks again when it comes', () => {
    const plan = planSchedule(world(schedule(), '2026-12-04T01:59:00Z'), OPTIONS);
    assert.equal(plan.create, undefined);
    assert.equal(plan.requeueAfterMs, 60_000);
    assert.equal(ready(plan)?.status, 'True');
    assert.equal(ready(plan)?.message, 'Next run at 2026-12-04T02:00:00.000Z.');
  });

  it('after three days down, makes one catch-up run: the most recent missed one only', () => {
    const s = schedule({}, { lastScheduleTime: '2026-12-01T02:00:00Z' });
    const plan = planSchedule(world(s, '2026-12-04T10:00:00Z'), OPTIONS);
    assert.equal(plan.create?.name, 'nightly-20261204t020000z');
    const next = planSchedule(world(schedule({}, plan.status), '2026-12-04T10:00:01Z', [run('nightly-20261204t020000z', '2026-12-04T02:00:00Z', 'Restoring')]), OPTIONS);
    assert.equal(next.create, undefined, 'the other missed days are not made up');
  });

  it('skips a missed run past startingDeadlineSeconds, with a MissedSchedule Warning', () => {
    const s = schedule({ startingDeadlineSeconds: 3600 }, { lastScheduleTime: '2026-12-01T02:00:00Z' });
    const plan = planSchedule(world(s, '2026-12-04T10:00:00Z'), OPTIONS);
    assert.equal(plan.create, undefined);
    assert.deepEqual(plan.events, [
      {
        type: 'Warning',
        reason: 'MissedSchedule',
        message: 'Missed the run scheduled at 2026-12-04T02:00:00.000Z: 28800 s late, past startingDeadlineSeconds (3600).',
      },
    ]);
  });

  it('starts a missed run within startingDeadlineSeconds', () => {
    const s = schedule({ startingDeadlineSeconds: 3600 }, { lastScheduleTime: '2026-12-03T02:00:00Z' });
    assert.equal(planSchedule(world(s, '2026-12-04T02:59:00Z'), OPTIONS).create?.name, 'nightly-20261204t020000z');
  });

  it('after a restart that lost the status write, finds the run by its name and makes no second one', () => {
    const s = schedule({}, { lastScheduleTime: '2026-12-03T02:00:00Z' });
    const plan = planSchedule(world(s, '2026-12-04T02:00:30Z', [run('nightly-20261204t020000z', '2026-12-04T02:00:00Z')]), OPTIONS);
    assert.equal(plan.create, undefined);
    assert.equal(plan.status.lastScheduleTime, '2026-12-04T02:00:00.000Z');
    assert.deepEqual(plan.status.active, [{ name: 'nightly-20261204t020000z', scheduledTime: '2026-12-04T02:00:00.000Z' }]);
  });

  it('makes no run while suspended, and the missed one once resumed (within its deadline)', () => {
    const suspended = schedule({ suspend: true }, { lastScheduleTime: '2026-12-03T02:00:00Z' });
    assert.equal(planSchedule(world(suspended, '2026-12-04T02:00:05Z'), OPTIONS).create, undefined);
    const resumed = schedule({ suspend: false }, { lastScheduleTime: '2026-12-03T02:00:00Z' });
    assert.equal(planSchedule(world(resumed, '2026-12-04T05:00:00Z'), OPTIONS).create?.name, 'nightly-20261204t020000z');
  });

  it('Forbid (the default): a run due while another restores waits, and starts once that one finished', () => {
    const s = schedule({}, { lastScheduleTime: '2026-12-03T02:00:00Z' });
    const restoring = run('nightly-20261203t020000z', '2026-12-03T02:00:00Z', 'Restoring');
    const waiting = planSchedule(world(s, '2026-12-04T02:00:05Z', [restoring]), OPTIONS);
    assert.equal(waiting.create, undefined);
    assert.deepEqual(waiting.delete, []);
    const done = run('nightly-20261203t020000z', '2026-12-03T02:00:00Z', 'Completed', { completionTime: '2026-12-04T03:00:00Z' });
    assert.equal(planSchedule(world(s, '2026-12-04T03:00:01Z', [done]), OPTIONS).create?.name, 'nightly-20261204t020000z');
  });

  it('Replace: deletes the run still restoring and makes the new one', () => {
    const s = schedule({ concurrencyPolicy: 'Replace' }, { lastScheduleTime: '2026-12-03T02:00:00Z' });
    const plan = planSchedule(world(s, '2026-12-04T02:00:05Z', [run('nightly-20261203t020000z', '2026-12-03T02:00:00Z', 'Restoring')]), OPTIONS);
    assert.deepEqual(plan.delete, ['nightly-20261203t020000z']);
    assert.equal(plan.create?.name, 'nightly-20261204t020000z');
    assert.deepEqual(plan.status.active, [{ name: 'nightly-20261204t020000z', scheduledTime: '2026-12-04T02:00:00.000Z' }]);
  });

  it('a run being deleted (a Replace waiting on its table) is neither active nor history', () => {
    const s = schedule({}, { lastScheduleTime: '2026-12-03T02:00:00Z' });
    const deleting = { ...run('nightly-20261203t020000z', '2026-12-03T02:00:00Z', 'Restoring') };
    deleting.metadata = { ...deleting.metadata, deletionTimestamp: '2026-12-04T00:00:00Z' as unknown as Date };
    const plan = planSchedule(world(s, '2026-12-04T02:00:05Z', [deleting]), OPTIONS);
    assert.equal(plan.create?.name, 'nightly-20261204t020000z');
    assert.deepEqual(plan.delete, []);
  });

  it('does nothing for a schedule being deleted (its runs go with it by owner reference)', () => {
    const s = schedule({}, { lastScheduleTime: '2026-12-03T02:00:00Z' });
    s.metadata.deletionTimestamp = '2026-12-04T00:00:00Z' as unknown as Date;
    const plan = planSchedule(world(s, '2026-12-04T02:00:05Z'), OPTIONS);
    assert.deepEqual({ create: plan.create, delete: plan.delete, status: plan.status }, { create: undefined, delete: [], status: { lastScheduleTime: '2026-12-03T02:00:00Z' } });
  });
});

describe('schedule plan: time zones and daylight saving', () => {
  it('runs at 09:00 New York time on a weekday: 14:00 UTC in December', () => {
    const s = schedule({ schedule: '0 9 * * 1-5', timeZone: 'America/New_York' }, { lastScheduleTime: '2026-12-04T14:00:00Z' });
    // Friday 4 Dec → the next weekday is Monday 7 Dec.
    assert.equal(planSchedule(world(s, '2026-12-05T14:00:10Z'), OPTIONS).create, undefined);
    assert.equal(planSchedule(world(s, '2026-12-07T14:00:10Z'), OPTIONS).create?.name, 'nightly-20261207t140000z');
  });

  it('spring forward in Berlin: 02:30 does not exist on 29 March 2026, so the run is at 03:00 CEST (01:00 UTC)', () => {
    const s = schedule({ schedule: '30 2 * * *', timeZone: 'Europe/Berlin' }, { lastScheduleTime: '2026-03-28T01:30:00Z' });
    assert.equal(planSchedule(world(s, '2026-03-29T00:59:00Z'), OPTIONS).create, undefined);
    assert.equal(planSchedule(world(s, '2026-03-29T01:00:30Z'), OPTIONS).create?.name, 'nightly-20260329t010000z');
  });

  it('fall back in Berlin: 02:30 happens twice on 25 October 2026 and runs once, at the first (00:30 UTC)', () => {
    const s = schedule({ schedule: '30 2 * * *', timeZone: 'Europe/Berlin' }, { lastScheduleTime: '2026-10-24T00:30:00Z' });
    const first = planSchedule(world(s, '2026-10-25T00:30:10Z'), OPTIONS);
    assert.equal(first.create?.name, 'nightly-20261025t003000z');
    const after = schedule({ schedule: '30 2 * * *', timeZone: 'Europe/Berlin' }, first.status);
    assert.equal(planSchedule(world(after, '2026-10-25T01:30:10Z', [run('nightly-20261025t003000z', '2026-10-25T00:30:00Z', 'Completed')]), OPTIONS).create, undefined);
    assert.equal(first.status.nextScheduleTime, '2026-10-26T01:30:00.000Z');
  });

  it('fall back in Berlin, every 30 minutes of 02:xx: the repeated hour runs on both passes, each run named apart by its UTC time', () => {
    const s = schedule({ schedule: '*/30 2 * * *', timeZone: 'Europe/Berlin' }, { lastScheduleTime: '2026-10-25T00:30:00Z' }, 1);
    const second = planSchedule(world(s, '2026-10-25T01:00:05Z', [run('nightly-20261025t003000z', '2026-10-25T00:30:00Z', 'Completed')]), { minIntervalMs: 1_800_000 });
    assert.equal(second.create?.name, 'nightly-20261025t010000z');
    assert.equal(second.create?.spec.targetTableName, 'team-a.orders-20261025t010000z');
  });
});

describe('schedule plan: history limits', () => {
  const completed = (day: number) => run(`nightly-202612${String(day).padStart(2, '0')}t020000z`, `2026-12-${String(day).padStart(2, '0')}T02:00:00Z`, 'Completed', {
    completionTime: `2026-12-${String(day).padStart(2, '0')}T03:00:00Z`,
    tableArn: `arn:aws:dynamodb:us-east-1:123456789012:table/team-a.orders-day${day}`,
  });
  const failed = (day: number) => run(`nightly-202612${String(day).padStart(2, '0')}t020000z`, `2026-12-${String(day).padStart(2, '0')}T02:00:00Z`, 'Failed', {
    conditions: [{ type: 'Ready', status: 'False', reason: 'BackupNotFound', message: 'No backup of team-a.orders.', lastTransitionTime: '2026-12-01T00:00:00Z' }],
  });
  const s = schedule({}, { lastScheduleTime: '2026-12-20T02:00:00Z' });

  it('keeps the 3 newest Completed runs (default) and deletes the older ones, oldest last', () => {
    const plan = planSchedule(world(s, '2026-12-20T10:00:00Z', [completed(11), completed(15), completed(12), completed(14), completed(13)]), OPTIONS);
    assert.deepEqual(plan.delete, ['nightly-20261212t020000z', 'nightly-20261211t020000z']);
    assert.deepEqual(plan.status.newestCompleted, {
      name: 'nightly-20261215t020000z',
      tableName: 'table-of-nightly-20261215t020000z',
      tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/team-a.orders-day15',
    });
    assert.equal(plan.status.lastSuccessfulTime, '2026-12-15T03:00:00Z');
  });

  it('keeps 1 Failed run (default) and 0 when told, and says Ready False LastRunFailed with the run\'s sentence', () => {
    const runs = [completed(10), failed(11), failed(12)];
    const plan = planSchedule(world(s, '2026-12-20T10:00:00Z', runs), OPTIONS);
    assert.deepEqual(plan.delete, ['nightly-20261211t020000z']);
    assert.deepEqual({ status: ready(plan)?.status, reason: ready(plan)?.reason, message: ready(plan)?.message }, {
      status: 'False',
      reason: 'LastRunFailed',
      message: 'The newest finished run, nightly-20261212t020000z, failed: No backup of team-a.orders.',
    });
    const none = schedule({ failedRestoresHistoryLimit: 0 }, { lastScheduleTime: '2026-12-20T02:00:00Z' });
    assert.deepEqual(planSchedule(world(none, '2026-12-20T10:00:00Z', runs), OPTIONS).delete, ['nightly-20261212t020000z', 'nightly-20261211t020000z']);
  });

  it('Ready is True again once a newer run completed after a failure', () => {
    const plan = planSchedule(world(s, '2026-12-20T10:00:00Z', [failed(11), completed(12)]), OPTIONS);
    assert.equal(ready(plan)?.status, 'True');
  });
});

describe('schedule plan: publishing the newest table', () => {
  const done = run('nightly-20261204t020000z', '2026-12-04T02:00:00Z', 'Completed', { tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/team-a.orders-20261204t020000z' });
  const older = run('nightly-20261203t020000z', '2026-12-03T02:00:00Z', 'Completed');
  const s = (limit = 3) => schedule({ publish: { configMapName: 'orders-table' }, successfulRestoresHistoryLimit: limit }, { lastScheduleTime: '2026-12-04T02:00:00Z' });

  it('creates the ConfigMap with the newest Completed table\'s name and ARN under the default keys', () => {
    const plan = planSchedule(world(s(), '2026-12-04T05:00:00Z', [older, done], { configMap: { state: 'absent' } }), OPTIONS);
    assert.deepEqual(plan.publish, {
      create: true,
      data: { tableName: 'table-of-nightly-20261204t020000z', tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/team-a.orders-20261204t020000z' },
    });
  });

  it('publishes nothing while no run has completed (a run still restoring is never published)', () => {
    const restoring = run('nightly-20261204t020000z', '2026-12-04T02:00:00Z', 'Restoring');
    assert.equal(planSchedule(world(s(), '2026-12-04T05:00:00Z', [restoring], { configMap: { state: 'absent' } }), OPTIONS).publish, undefined);
  });

  it('writes nothing when its ConfigMap already names that table, and updates it when it names an older one', () => {
    const same = { tableName: 'table-of-nightly-20261204t020000z', tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/team-a.orders-20261204t020000z', other: 'kept' };
    assert.equal(planSchedule(world(s(), '2026-12-04T05:00:00Z', [done], { configMap: { state: 'owned', data: same } }), OPTIONS).publish, undefined);
    const stale = { tableName: 'table-of-nightly-20261203t020000z' };
    assert.equal(planSchedule(world(s(), '2026-12-04T05:00:00Z', [done], { configMap: { state: 'owned', data: stale } }), OPTIONS).publish?.create, false);
  });

  it('never touches a ConfigMap it does not own: Ready False ConfigMapNotOwned', () => {
    const plan = planSchedule(world(s(), '2026-12-04T05:00:00Z', [done], { configMap: { state: 'foreign' } }), OPTIONS);
    assert.equal(plan.publish, undefined);
    assert.equal(ready(plan)?.reason, 'ConfigMapNotOwned');
    assert.equal(ready(plan)?.message, 'ConfigMap orders-table exists and this schedule does not own it, so it is left alone: delete it, or publish to another name.');
  });

  it('with a history limit of 1, publishes the new table in the same plan that deletes the old run (the adapter publishes first)', () => {
    const plan = planSchedule(world(s(1), '2026-12-04T05:00:00Z', [older, done], { configMap: { state: 'owned', data: { tableName: 'table-of-nightly-20261203t020000z' } } }), OPTIONS);
    assert.equal(plan.publish?.data.tableName, 'table-of-nightly-20261204t020000z');
    assert.deepEqual(plan.delete, ['nightly-20261203t020000z']);
  });
});

describe('schedule plan: a run the API server refused', () => {
  it('stays Ready False RestoreRefused until the spec changes or a run is made', () => {
    const first = planSchedule(world(schedule(), '2026-12-04T02:00:05Z'), OPTIONS);
    const refused = refusedStatus(first, 1, 'denied by policy team-a', new Date('2026-12-04T02:00:05Z'));
    assert.deepEqual(refused.active, []);
    const readyRefused = refused.conditions?.find((c) => c.type === 'Ready');
    assert.equal(readyRefused?.message, "The run's DynamoDBRestore was refused: denied by policy team-a");
    const later = planSchedule(world(schedule({}, refused), '2026-12-04T03:00:00Z'), OPTIONS);
    assert.equal(ready(later)?.reason, 'RestoreRefused');
    const edited = planSchedule(world(schedule({}, refused, 2), '2026-12-04T03:00:00Z'), OPTIONS);
    assert.equal(ready(edited)?.reason, 'Scheduled');
  });
});
