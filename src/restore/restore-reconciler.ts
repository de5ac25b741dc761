// Reconciles one DynamoDBRestore: runs the pure plan, writes the status it asks for (before acting, under
// optimistic locking), performs its action through the ports, and feeds the outcome back into the plan.
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'winston';
import type { DynamoDBRestore, DynamoDBRestoreStatus } from '../api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy } from '../api/dynamodb-restore-policy.ts';
import { AwsError, type DynamoDBPort, type RoleCredentials } from '../aws/dynamodb-port.ts';
import { findCondition } from '../runtime/conditions.ts';
import type { Reconcile } from '../runtime/controller.ts';
import { ConflictError } from '../runtime/custom-objects.ts';
import type { EventSink } from '../runtime/event-recorder.ts';
import type { RestoreMetricsSink } from './restore-metrics.ts';
import { isFinal, planRestore, type Action, type Observation, type PlanOptions } from './restore-plan.ts';

export interface RestoreStore {
  /** The object as the informer cache has it. */
  cached(key: string): DynamoDBRestore | undefined;
  /** The object as the apiserver has it now. */
  fresh(key: string): Promise<DynamoDBRestore | undefined>;
  /** Writes status as of restore's resourceVersion; throws ConflictError when someone else wrote first. */
  writeStatus(restore: DynamoDBRestore, status: DynamoDBRestoreStatus): Promise<DynamoDBRestore>;
}

export interface RestoreReconcilerDeps {
  store: RestoreStore;
  /** The DynamoDB port for a Region, as the resource's own identity (spec.credentials) or the operator's. */
  dynamodb: (region: string | undefined, role?: RoleCredentials) => DynamoDBPort;
  events: EventSink;
  now: () => Date;
  options: PlanOptions;
  metrics?: Pick<RestoreMetricsSink, 'restoreFinished'>;
  /** Every DynamoDBRestorePolicy, from the cache. */
  policies?: () => readonly DynamoDBRestorePolicy[];
}

/** More steps than any path through the plan takes; a guard against a plan that never settles. */
const MAX_STEPS = 10;
const MAX_CONFLICTS = 5;

export class RetryWithBackoff extends Error {
  override readonly name = 'RetryWithBackoff';
}

export function restoreReconciler(deps: RestoreReconcilerDeps): Reconcile {
  return async (key: string, log: Logger) => {
    let restore = deps.store.cached(key);
    // A final resource costs nothing: no AWS call, no write.
    if (!restore || isFinal(restore)) return {};
    const { region, credentials } = restore.spec;
    let observation: Observation = { kind: 'nothing' };
    let conflicts = 0;

    for (let step = 0; step < MAX_STEPS; step++) {
      const { status, action } = planRestore(restore, observation, deps.now(), deps.options, deps.policies?.() ?? []);
      try {
        restore = await writeStatus(deps, restore, status, log);
      } catch (err) {
        if (!(err instanceof ConflictError) || ++conflicts > MAX_CONFLICTS) throw err;
        // Someone wrote in between (our own earlier write not yet in the cache, or another replica): plan again
        // from what the apiserver has now, with nothing assumed.
        log.debug('Status conflict; re-reading', { conflicts });
        restore = await deps.store.fresh(key);
        if (!restore || isFinal(restore)) return {};
        observation = { kind: 'nothing' };
        continue;
      }
      const outcome = await perform(action, (r) => deps.dynamodb(r ?? region, credentials), log);
      if ('result' in outcome) return outcome.result;
      observation = outcome.observation;
    }
    throw new Error(`The restore plan did not settle within ${MAX_STEPS} steps`);
  };
}

type Outcome = { result: { requeueAfterMs?: number } } | { observation: Observation };

/** The port for a Region: the resource's own unless the action names one (a backup lives in its own Region). */
type PortFor = (region?: string) => DynamoDBPort;

async function perform(action: Action, dynamodb: PortFor, log: Logger): Promise<Outcome> {
  switch (action.kind) {
    case 'done':
      return { result: {} };
    case 'requeue':
      return { result: { requeueAfterMs: action.afterMs } };
    case 'backoff':
      throw new RetryWithBackoff('A retryable AWS error; see status.lastError');
    case 'listBackups':
      return observe(async () => ({ kind: 'backupsListed', backups: await dynamodb(action.region).listBackups(action.tableName) }));
    case 'describeBackup':
      return observe(async () => ({ kind: 'backupDescribed', backup: await dynamodb(action.region).describeBackup(action.backupArn) }));
    case 'restoreFromBackup':
      log.info('Calling RestoreTableFromBackup', { table: action.request.TargetTableName, backupArn: action.request.BackupArn });
      return observe(async () => ({ kind: 'restoreStarted', table: await dynamodb().restoreTableFromBackup(action.request) }));
    case 'describeContinuousBackups':
      return observe(async () => ({ kind: 'continuousBackupsDescribed', pitr: await dynamodb(action.region).describeContinuousBackups(action.table) }));
    case 'restoreToPointInTime':
      log.info('Calling RestoreTableToPointInTime', { table: action.request.TargetTableName, source: action.request.SourceTableArn ?? action.request.SourceTableName });
      return observe(async () => ({ kind: 'restoreStarted', table: await dynamodb().restoreTableToPointInTime(action.request) }));
    case 'describeTable':
      return observe(async () => ({ kind: 'described', table: await dynamodb().describeTable(action.tableName) }));
    case 'tagTable':
      return observe(async () => {
        await dynamodb().tagResource(action.tableArn, action.tags);
        return { kind: 'tagged' };
      });
  }
}

async function observe(call: () => Promise<Observation>): Promise<Outcome> {
  try {
    return { observation: await call() };
  } catch (err) {
    if (err instanceof AwsError) return { observation: { kind: 'failed', error: err } };
    throw err;
  }
}

async function writeStatus(deps: RestoreReconcilerDeps, restore: DynamoDBRestore, status: DynamoDBRestoreStatus, log: Logger): Promise<DynamoDBRestore> {
  const before = restore.status ?? {};
  if (isDeepStrictEqual(before, status)) return restore;
  const written = await deps.store.writeStatus(restore, status);
  const was = findCondition(before.conditions, 'Ready');
  const now = findCondition(status.conditions, 'Ready');
  if (now && (now.reason !== was?.reason || status.phase !== before.phase)) {
    const warning = status.phase === 'Failed' || status.lastError !== undefined;
    log.info('Restore moved on', { phase: status.phase, reason: now.reason, detail: now.message });
    await deps.events.emit(written, warning ? 'Warning' : 'Normal', now.reason, now.message);
  }
  if ((status.phase === 'Completed' || status.phase === 'Failed') && status.phase !== before.phase) {
    const from = Date.parse(status.restoreRequestedAt ?? status.completionTime ?? '');
    const to = Date.parse(status.completionTime ?? '');
    deps.metrics?.restoreFinished(status.phase, Number.isFinite(to - from) ? (to - from) / 1000 : 0);
  }
  return written;
}
