// Reconciles one DynamoDBRestoreSchedule: runs the pure plan over the schedule, its runs and its ConfigMap, then
// acts in the order that keeps readers safe — publish the newest table, then delete old runs, then make the new run —
// and writes the status.
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'winston';
import { API_VERSION, KIND, type DynamoDBRestore, type OwnerReference } from '../api/dynamodb-restore.ts';
import { SCHEDULE_API_VERSION, SCHEDULE_KIND, type DynamoDBRestoreSchedule, type DynamoDBRestoreScheduleStatus } from '../api/dynamodb-restore-schedule.ts';
import type { Reconcile } from '../runtime/controller.ts';
import { errorMessage } from '../runtime/error-message.ts';
import type { EventSink } from '../runtime/event-recorder.ts';
import {
  planSchedule,
  refusedStatus,
  SCHEDULE_LABEL,
  SCHEDULED_AT_ANNOTATION,
  type PublishTarget,
  type RunDraft,
  type ScheduleOptions,
} from './schedule-plan.ts';

/** Whose an object is: its controller reference's uid (a name or a label alone can be written by anyone). */
export const controlledBy = (obj: { metadata?: { ownerReferences?: OwnerReference[] } }, uid: string): boolean =>
  obj.metadata?.ownerReferences?.some((r) => r.uid === uid && r.controller === true) ?? false;

/** A run as created: the API server fills in uid, generation and resourceVersion. */
export interface NewRun {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: Required<Pick<DynamoDBRestore['metadata'], 'name' | 'namespace' | 'labels' | 'annotations' | 'ownerReferences'>>;
  spec: DynamoDBRestore['spec'];
}

export interface ScheduleStore {
  cached(key: string): DynamoDBRestoreSchedule | undefined;
  /** The DynamoDBRestores in the schedule's namespace carrying its label, from the cache. */
  labelledRuns(namespace: string, scheduleName: string): readonly DynamoDBRestore[];
  createRun(run: NewRun): Promise<'created' | 'exists'>;
  deleteRun(namespace: string, name: string, uid: string): Promise<void>;
  writeStatus(schedule: DynamoDBRestoreSchedule, status: DynamoDBRestoreScheduleStatus): Promise<unknown>;
}

export interface ConfigMapPort {
  /** The ConfigMap's data and owner references, or undefined when there is none. */
  read(namespace: string, name: string): Promise<{ data: Record<string, string>; metadata: { ownerReferences?: OwnerReference[] } } | undefined>;
  /** Creates it, owned by the schedule. */
  create(namespace: string, name: string, owner: DynamoDBRestoreSchedule, data: Record<string, string>): Promise<void>;
  /** Sets these keys, leaving the others. */
  merge(namespace: string, name: string, data: Record<string, string>): Promise<void>;
}

export interface ScheduleReconcilerDeps {
  store: ScheduleStore;
  configMaps: ConfigMapPort;
  events: EventSink;
  now: () => Date;
  options: ScheduleOptions;
}

const ownerReference = (schedule: DynamoDBRestoreSchedule): OwnerReference => ({
  apiVersion: SCHEDULE_API_VERSION,
  kind: SCHEDULE_KIND,
  name: schedule.metadata.name,
  uid: schedule.metadata.uid,
  controller: true,
  blockOwnerDeletion: true,
});

function runObject(schedule: DynamoDBRestoreSchedule, draft: RunDraft): NewRun {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {
      name: draft.name,
      namespace: schedule.metadata.namespace,
      labels: { [SCHEDULE_LABEL]: schedule.metadata.name },
      annotations: { [SCHEDULED_AT_ANNOTATION]: draft.scheduledTime.toISOString() },
      ownerReferences: [ownerReference(schedule)],
    },
    spec: draft.spec,
  };
}

/** The API server's refusal, in its own words (admission policies and quotas say why). */
function refusal(err: unknown): string | undefined {
  const code = (err as { code?: number }).code;
  if (code !== 403 && code !== 422) return undefined;
  const body = (err as { body?: unknown }).body;
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: string };
    if (parsed.message) return parsed.message;
  } catch {
    // not JSON: the error's own text below
  }
  return errorMessage(err);
}

export function scheduleReconciler(deps: ScheduleReconcilerDeps): Reconcile {
  const { store, configMaps, events, options } = deps;
  return async (key: string, log: Logger) => {
    const schedule = store.cached(key);
    if (!schedule) return {};
    const { namespace, name, uid, generation } = schedule.metadata;
    const runs = store.labelledRuns(namespace, name).filter((r) => controlledBy(r, uid));

    let publish: PublishTarget | undefined;
    const target = schedule.spec.publish;
    if (target) {
      const found = await configMaps.read(namespace, target.configMapName);
      publish = { configMap: !found ? { state: 'absent' } : controlledBy(found, uid) ? { state: 'owned', data: found.data } : { state: 'foreign' } };
    }

    const now = deps.now();
    const plan = planSchedule({ schedule, runs, now, ...(publish && { publish }) }, options);
    // Publish before deleting: the table a reader may have just read stays until after the ConfigMap moved on.
    if (plan.publish && target) {
      if (plan.publish.create) await configMaps.create(namespace, target.configMapName, schedule, plan.publish.data);
      else await configMaps.merge(namespace, target.configMapName, plan.publish.data);
    }
    for (const runName of plan.delete) {
      const run = runs.find((r) => r.metadata.name === runName);
      if (run) await store.deleteRun(namespace, runName, run.metadata.uid);
    }
    let status = plan.status;
    if (plan.create) {
      try {
        const created = await store.createRun(runObject(schedule, plan.create));
        if (created === 'exists') log.info('The run exists already', { run: plan.create.name });
      } catch (err) {
        const message = refusal(err);
        if (message === undefined) throw err;
        status = refusedStatus(plan, generation, message, now);
        plan.events.splice(plan.events.findIndex((e) => e.reason === 'RunCreated'), 1, {
          type: 'Warning',
          reason: 'RestoreRefused',
          message: `The run ${plan.create.name} was refused: ${message}`,
        });
      }
    }
    if (!isDeepStrictEqual(status, schedule.status ?? {})) await store.writeStatus(schedule, status);
    for (const event of plan.events) await events.emit(schedule, event.type, event.reason, event.message);
    return plan.requeueAfterMs === undefined ? {} : { requeueAfterMs: plan.requeueAfterMs };
  };
}
