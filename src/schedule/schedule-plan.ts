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
  const { spec } = schedule;
  const generation = schedule.metadata.generation;
  const previous = schedule.status ?? {};
  const events: ScheduleEvent[] = [];
  const status: DynamoDBRestoreScheduleStatus = { ...previous, observedGeneration: generation };
  const ready = (state: 'True' | 'False', reason: string, message: string) => {
    status.conditions = setCondition(previous.conditions ?? [], { type: 'Ready', status: state, reason, message, observedGeneration: generation }, now);
  };
  const plan: SchedulePlan = { delete: [], status, events };
  if (schedule.metadata.deletionTimestamp) return { delete: [], status: previous, events };

  const parsed = parseSchedule(spec, now, options);
  const live = world.runs.filter((r) => !r.metadata.deletionTimestamp);
  const byNewest = [...live].sort((a, b) => scheduledTimeOf(b) - scheduledTimeOf(a));
  let active = byNewest.filter((r) => !finished(r));

  if (!parsed.ok) {
    delete status.nextScheduleTime;
    status.active = active.map(ref);
    ready('False', 'InvalidSchedule', `${parsed.message}. Edit spec.schedule or spec.timeZone.`);
    if (findCondition(previous.conditions, 'Ready')?.reason !== 'InvalidSchedule') events.push({ type: 'Warning', reason: 'InvalidSchedule', message: parsed.message });
    return plan;
  }
  const { cron } = parsed;

  // The run due now, if none was made for it yet.
  const since = new Date(Date.parse(previous.lastScheduleTime ?? '') || Date.parse(String(schedule.metadata.creationTimestamp ?? '')) || now.getTime());
  const due = dueTime(cron, since, now);
  let created = false;
  if (due && !spec.suspend) {
    const name = runName(schedule.metadata.name, due);
    const late = (now.getTime() - due.getTime()) / 1000;
    if (world.runs.some((r) => r.metadata.name === name)) {
      status.lastScheduleTime = due.toISOString(); // made before a status write was lost
    } else if (spec.startingDeadlineSeconds !== undefined && late > spec.startingDeadlineSeconds) {
      events.push({
        type: 'Warning',
        reason: 'MissedSchedule',
        message: `Missed the run scheduled at ${due.toISOString()}: ${Math.round(late)} s late, past startingDeadlineSeconds (${spec.startingDeadlineSeconds}).`,
      });
    } else if (active.length > 0 && (spec.concurrencyPolicy ?? 'Forbid') === 'Forbid') {
      // Waits: the active run's completion wakes the schedule, and the run starts then if still in its deadline.
    } else {
      for (const run of active) {
        plan.delete.push(run.metadata.name);
        events.push({ type: 'Normal', reason: 'RunReplaced', message: `Deleted ${run.metadata.name}, still restoring: the run scheduled at ${due.toISOString()} replaces it (concurrencyPolicy Replace).` });
      }
      active = [];
      plan.create = draft(schedule, due);
      status.lastScheduleTime = due.toISOString();
      created = true;
      events.push({
        type: 'Normal',
        reason: 'RunCreated',
        message: `Created ${plan.create.name} for the run scheduled at ${due.toISOString()}: table ${plan.create.spec.targetTableName}.`,
      });
    }
  }
  status.active = [...(plan.create ? [{ name: plan.create.name, scheduledTime: plan.create.scheduledTime.toISOString() }] : []), ...active.map(ref)];

  // History: the newest runs of each outcome are kept; the newest Completed one always (it is the one published).
  const completed = byNewest.filter((r) => r.status?.phase === 'Completed');
  const failed = byNewest.filter((r) => r.status?.phase === 'Failed');
  const pastLimit = [...completed.slice(Math.max(1, spec.successfulRestoresHistoryLimit ?? 3)), ...failed.slice(spec.failedRestoresHistoryLimit ?? 1)];
  for (const run of pastLimit) {
    plan.delete.push(run.metadata.name);
    events.push({ type: 'Normal', reason: 'RunDeleted', message: `Deleted ${run.metadata.name}: past the history limit (its deletionPolicy ${run.spec.deletionPolicy ?? 'Retain'} decides its table).` });
  }

  const newest = completed[0];
  if (newest) {
    status.newestCompleted = { name: newest.metadata.name, tableName: newest.spec.targetTableName, ...(newest.status?.tableArn && { tableArn: newest.status.tableArn }) };
    if (newest.status?.completionTime) status.lastSuccessfulTime = newest.status.completionTime;
  }
  const next = cron.nextRun(now);
  if (next) status.nextScheduleTime = next.toISOString();
  else delete status.nextScheduleTime;
  plan.requeueAfterMs = next ? Math.max(0, next.getTime() - now.getTime()) : undefined;

  // Ready: what a person needs to know first.
  const newestFinished = byNewest.find(finished);
  const foreign = spec.publish && world.publish?.configMap.state === 'foreign';
  const refusedBefore = findCondition(previous.conditions, 'Ready');
  if (foreign) {
    ready('False', 'ConfigMapNotOwned', `ConfigMap ${spec.publish?.configMapName} exists and this schedule does not own it, so it is left alone: delete it, or publish to another name.`);
  } else if (!created && refusedBefore?.reason === 'RestoreRefused' && refusedBefore.observedGeneration === generation) {
    status.conditions = previous.conditions;
  } else if (newestFinished?.status?.phase === 'Failed') {
    ready('False', 'LastRunFailed', `The newest finished run, ${newestFinished.metadata.name}, failed: ${findCondition(newestFinished.status?.conditions, 'Ready')?.message ?? 'see its status'}`);
  } else {
    ready('True', 'Scheduled', next ? `Next run at ${next.toISOString()}.` : 'No run is due any more.');
  }

  // Publish the newest Completed table, before any deletion (the adapter publishes first).
  if (spec.publish && newest && world.publish && world.publish.configMap.state !== 'foreign') {
    const data: Record<string, string> = { [spec.publish.tableNameKey ?? 'tableName']: newest.spec.targetTableName };
    if (newest.status?.tableArn) data[spec.publish.tableArnKey ?? 'tableArn'] = newest.status.tableArn;
    const { configMap } = world.publish;
    const current = configMap.state === 'owned' ? configMap.data : {};
    if (configMap.state === 'absent' || Object.entries(data).some(([k, v]) => current[k] !== v)) {
      plan.publish = { create: configMap.state === 'absent', data };
      events.push({ type: 'Normal', reason: 'Published', message: `ConfigMap ${spec.publish.configMapName} names table ${newest.spec.targetTableName} (${newest.metadata.name}).` });
    }
  }
  return plan;
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
