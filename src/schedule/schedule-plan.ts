// The schedule's decision core, pure: the schedule, its runs (the DynamoDBRestores it owns), the ConfigMap it
// publishes to and the time → the run to create, the runs to delete, what to publish, the status and the events.
// CronJob's controller is the model (k8s.io/kubernetes pkg/controller/cronjob): the most recent missed time only (at
// most one catch-up run), startingDeadlineSeconds, Forbid/Replace, history limits. A run's name is derived from its
// scheduled time, so creating it twice (a restart, a lost status write) is an AlreadyExists, never a second restore.
import { Cron } from 'croner';
import type { Condition, DynamoDBRestore } from '../api/dynamodb-restore.ts';
import {
  SCHEDULE_TIME,
  type DynamoDBRestoreSchedule,
  type DynamoDBRestoreScheduleStatus,
  type RestoreTemplateSpec,
  type RunReference,
} from '../api/dynamodb-restore-schedule.ts';
import { findCondition, setCondition } from '../runtime/conditions.ts';

export const SCHEDULE_LABEL = 'dynamodb.restore.dev/schedule';
export const SCHEDULED_AT_ANNOTATION = 'dynamodb.restore.dev/scheduled-at';

export interface ScheduleOptions {
  /** A schedule whose runs come closer together than this is refused (InvalidSchedule). */
  minIntervalMs: number;
}

export interface PublishTarget {
  /** The ConfigMap as found: absent, or present and owned (controller reference) by this schedule or not. */
  configMap: { state: 'absent' } | { state: 'owned'; data: Record<string, string> } | { state: 'foreign' };
}

export interface ScheduleWorld {
  schedule: DynamoDBRestoreSchedule;
  /** The DynamoDBRestores this schedule owns (its label and its controller reference). */
  runs: DynamoDBRestore[];
  /** Only with spec.publish. */
  publish?: PublishTarget;
  now: Date;
}

export interface RunDraft {
  name: string;
  scheduledTime: Date;
  spec: RestoreTemplateSpec & { targetTableName: string };
}

export interface ScheduleEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface SchedulePlan {
  create?: RunDraft;
  /** Runs to delete: active ones a Replace supersedes, then finished ones past the history limits. */
  delete: string[];
  /** Data to write into the ConfigMap (created if absent), before any run is deleted. */
  publish?: { create: boolean; data: Record<string, string> };
  status: DynamoDBRestoreScheduleStatus;
  events: ScheduleEvent[];
  requeueAfterMs?: number;
}

/** A time as it appears in names: UTC to the second, lower case, e.g. 20261204t020000z (a valid table name part). */
export function scheduleStamp(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'z').replaceAll(/[-:]/g, '').toLowerCase();
}

export function runName(scheduleName: string, scheduledTime: Date): string {
  return `${scheduleName}-${scheduleStamp(scheduledTime)}`;
}

type Parsed = { ok: true; cron: Cron } | { ok: false; message: string };

/** The schedule's cron in its time zone, or why it cannot be used. */
export function parseSchedule(spec: DynamoDBRestoreSchedule['spec'], now: Date, options: ScheduleOptions): Parsed {
  let cron: Cron;
  let upcoming: Date[];
  try {
    cron = new Cron(spec.schedule, { timezone: spec.timeZone ?? 'UTC', paused: true, mode: '5-or-6-parts' });
    // The time zone is only checked when a time is computed.
    upcoming = cron.nextRuns(10, now);
  } catch (err) {
    return { ok: false, message: `schedule "${spec.schedule}"${spec.timeZone ? ` in ${spec.timeZone}` : ''} cannot be used: ${(err as Error).message}` };
  }
  if (upcoming.length === 0) return { ok: false, message: `schedule "${spec.schedule}" never runs again` };
  const gaps = upcoming.slice(1).map((time, i) => time.getTime() - (upcoming[i] ?? time).getTime());
  for (const gapMs of gaps) {
    if (gapMs < options.minIntervalMs) {
      return {
        ok: false,
        message:
          `schedule "${spec.schedule}" runs ${gapMs / 1000} s apart; each run is a DynamoDB restore, and this operator ` +
          `allows at most one every ${options.minIntervalMs / 1000} s (SCHEDULE_MIN_INTERVAL_SECONDS)`,
      };
    }
  }
  return { ok: true, cron };
}

export function scheduledTimeOf(run: DynamoDBRestore): number {
  return Date.parse(run.metadata.annotations?.[SCHEDULED_AT_ANNOTATION] ?? '') || Date.parse(String(run.metadata.creationTimestamp ?? '')) || 0;
}

const finished = (run: DynamoDBRestore) => run.status?.phase === 'Completed' || run.status?.phase === 'Failed';

/** The latest scheduled time in (since, now], if any: after downtime, only the most recent missed run is made. */
function dueTime(cron: Cron, since: Date, now: Date): Date | undefined {
  // previousRuns is strictly before its reference; a second later includes a run due exactly now.
  const [latest] = cron.previousRuns(1, new Date(now.getTime() + 1_000));
  return latest && latest.getTime() > since.getTime() && latest.getTime() <= now.getTime() ? latest : undefined;
}

function draft(schedule: DynamoDBRestoreSchedule, scheduledTime: Date): RunDraft {
  const template = schedule.spec.restoreTemplate.spec;
  return {
    name: runName(schedule.metadata.name, scheduledTime),
    scheduledTime,
    spec: {
      ...template,
      targetTableName: schedule.spec.targetTableName.replace(SCHEDULE_TIME, scheduleStamp(scheduledTime)),
      deletionPolicy: template.deletionPolicy ?? 'Delete',
    },
  };
}

const ref = (run: DynamoDBRestore): RunReference => ({ name: run.metadata.name, scheduledTime: new Date(scheduledTimeOf(run)).toISOString() });

export function planSchedule(world: ScheduleWorld, options: ScheduleOptions): SchedulePlan {
  const { schedule, now } = world;
  const previous = schedule.status ?? {};
  if (schedule.metadata.deletionTimestamp) return { delete: [], status: previous, events: [] };
  const plan: SchedulePlan = { delete: [], status: { ...previous, observedGeneration: schedule.metadata.generation }, events: [] };

  const live = world.runs.filter((r) => !r.metadata.deletionTimestamp);
  const byNewest = [...live].sort((a, b) => scheduledTimeOf(b) - scheduledTimeOf(a));
  const active = byNewest.filter((r) => !finished(r));
  const parsed = parseSchedule(schedule.spec, now, options);
  if (!parsed.ok) return invalid(plan, world, active, parsed.message);

  const stillActive = startDueRun(plan, world, parsed.cron, active);
  plan.status.active = [...(plan.create ? [{ name: plan.create.name, scheduledTime: plan.create.scheduledTime.toISOString() }] : []), ...stillActive.map(ref)];
  const completed = byNewest.filter((r) => r.status?.phase === 'Completed');
  pruneHistory(plan, schedule, completed, byNewest.filter((r) => r.status?.phase === 'Failed'));
  recordNewest(plan, completed[0]);
  const next = parsed.cron.nextRun(now);
  if (next) plan.status.nextScheduleTime = next.toISOString();
  else delete plan.status.nextScheduleTime;
  plan.requeueAfterMs = next ? Math.max(0, next.getTime() - now.getTime()) : undefined;
  setReady(plan, world, byNewest.find(finished), next);
  publishNewest(plan, world, completed[0]);
  return plan;
}

function setReadyCondition(plan: SchedulePlan, world: ScheduleWorld, state: 'True' | 'False', reason: string, message: string) {
  const { schedule, now } = world;
  plan.status.conditions = setCondition(
    schedule.status?.conditions ?? [],
    { type: 'Ready', status: state, reason, message, observedGeneration: schedule.metadata.generation },
    now,
  );
}

/** A schedule that cannot be used: no next time, Ready False, one Warning when it becomes so. */
function invalid(plan: SchedulePlan, world: ScheduleWorld, active: DynamoDBRestore[], message: string): SchedulePlan {
  delete plan.status.nextScheduleTime;
  plan.status.active = active.map(ref);
  setReadyCondition(plan, world, 'False', 'InvalidSchedule', `${message}. Edit spec.schedule or spec.timeZone.`);
  if (findCondition(world.schedule.status?.conditions, 'Ready')?.reason !== 'InvalidSchedule') plan.events.push({ type: 'Warning', reason: 'InvalidSchedule', message });
  return plan;
}

/** Creates the run due now unless made already, suspended, missed or forbidden; returns the runs still active. */
function startDueRun(plan: SchedulePlan, world: ScheduleWorld, schedule: Cron, active: DynamoDBRestore[]): DynamoDBRestore[] {
  const { spec, metadata, status: previous } = world.schedule;
  const { now } = world;
  const since = new Date(Date.parse(previous?.lastScheduleTime ?? '') || Date.parse(String(metadata.creationTimestamp ?? '')) || now.getTime());
  const due = dueTime(schedule, since, now);
  if (!due || spec.suspend) return active;
  const late = (now.getTime() - due.getTime()) / 1000;
  if (world.runs.some((r) => r.metadata.name === runName(metadata.name, due))) {
    plan.status.lastScheduleTime = due.toISOString(); // made before a status write was lost
    return active;
  }
  if (spec.startingDeadlineSeconds !== undefined && late > spec.startingDeadlineSeconds) {
    plan.events.push({
      type: 'Warning',
      reason: 'MissedSchedule',
      message: `Missed the run scheduled at ${due.toISOString()}: ${Math.round(late)} s late, past startingDeadlineSeconds (${spec.startingDeadlineSeconds}).`,
    });
    return active;
  }
  // Forbid waits: the active run's completion wakes the schedule, and the run starts then if still in its deadline.
  if (active.length > 0 && (spec.concurrencyPolicy ?? 'Forbid') === 'Forbid') return active;
  for (const run of active) {
    plan.delete.push(run.metadata.name);
    plan.events.push({ type: 'Normal', reason: 'RunReplaced', message: `Deleted ${run.metadata.name}, still restoring: the run scheduled at ${due.toISOString()} replaces it (concurrencyPolicy Replace).` });
  }
  plan.create = draft(world.schedule, due);
  plan.status.lastScheduleTime = due.toISOString();
  plan.events.push({
    type: 'Normal',
    reason: 'RunCreated',
    message: `Created ${plan.create.name} for the run scheduled at ${due.toISOString()}: table ${plan.create.spec.targetTableName}.`,
  });
  return [];
}

/** The newest runs of each outcome are kept; the newest Completed one always (it is the one published). */
function pruneHistory(plan: SchedulePlan, schedule: DynamoDBRestoreSchedule, completed: DynamoDBRestore[], failed: DynamoDBRestore[]) {
  const { spec } = schedule;
  const pastLimit = [...completed.slice(Math.max(1, spec.successfulRestoresHistoryLimit ?? 3)), ...failed.slice(spec.failedRestoresHistoryLimit ?? 1)];
  for (const run of pastLimit) {
    plan.delete.push(run.metadata.name);
    plan.events.push({ type: 'Normal', reason: 'RunDeleted', message: `Deleted ${run.metadata.name}: past the history limit (its deletionPolicy ${run.spec.deletionPolicy ?? 'Retain'} decides its table).` });
  }
}

function recordNewest(plan: SchedulePlan, newest: DynamoDBRestore | undefined) {
  if (!newest) return;
  plan.status.newestCompleted = { name: newest.metadata.name, tableName: newest.spec.targetTableName, ...(newest.status?.tableArn && { tableArn: newest.status.tableArn }) };
  if (newest.status?.completionTime) plan.status.lastSuccessfulTime = newest.status.completionTime;
}

/** Ready says what a person needs to know first. */
function setReady(plan: SchedulePlan, world: ScheduleWorld, newestFinished: DynamoDBRestore | undefined, next: Date | null) {
  const { spec, status: previous, metadata } = world.schedule;
  const refusedBefore = findCondition(previous?.conditions, 'Ready');
  if (spec.publish && world.publish?.configMap.state === 'foreign') {
    setReadyCondition(plan, world, 'False', 'ConfigMapNotOwned', `ConfigMap ${spec.publish.configMapName} exists and this schedule does not own it, so it is left alone: delete it, or publish to another name.`);
  } else if (!plan.create && refusedBefore?.reason === 'RestoreRefused' && refusedBefore.observedGeneration === metadata.generation) {
    plan.status.conditions = previous?.conditions;
  } else if (newestFinished?.status?.phase === 'Failed') {
    setReadyCondition(plan, world, 'False', 'LastRunFailed', `The newest finished run, ${newestFinished.metadata.name}, failed: ${findCondition(newestFinished.status?.conditions, 'Ready')?.message ?? 'see its status'}`);
  } else {
    setReadyCondition(plan, world, 'True', 'Scheduled', next ? `Next run at ${next.toISOString()}.` : 'No run is due any more.');
  }
}

/** Publishes the newest Completed table, before any deletion (the adapter publishes first). */
function publishNewest(plan: SchedulePlan, world: ScheduleWorld, newest: DynamoDBRestore | undefined) {
  const { publish } = world.schedule.spec;
  if (!publish || !newest || !world.publish || world.publish.configMap.state === 'foreign') return;
  const data: Record<string, string> = { [publish.tableNameKey ?? 'tableName']: newest.spec.targetTableName };
  if (newest.status?.tableArn) data[publish.tableArnKey ?? 'tableArn'] = newest.status.tableArn;
  const { configMap } = world.publish;
  const current = configMap.state === 'owned' ? configMap.data : {};
  if (configMap.state === 'absent' || Object.entries(data).some(([k, v]) => current[k] !== v)) {
    plan.publish = { create: configMap.state === 'absent', data };
    plan.events.push({ type: 'Normal', reason: 'Published', message: `ConfigMap ${publish.configMapName} names table ${newest.spec.targetTableName} (${newest.metadata.name}).` });
  }
}

/** The status after the API server refused a run (an admission policy, a quota): Ready False until the next run. */
export function refusedStatus(plan: SchedulePlan, generation: number, message: string, now: Date): DynamoDBRestoreScheduleStatus {
  const conditions: Condition[] = setCondition(
    plan.status.conditions ?? [],
    { type: 'Ready', status: 'False', reason: 'RestoreRefused', message: `The run's DynamoDBRestore was refused: ${message}`, observedGeneration: generation },
    now,
  );
  return { ...plan.status, active: (plan.status.active ?? []).filter((r) => r.name !== plan.create?.name), conditions };
}
