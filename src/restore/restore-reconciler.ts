// Reconciles one DynamoDBRestore: runs the pure plan, writes the status it asks for (before acting, under
// optimistic locking), performs its action through the ports, and feeds the outcome back into the plan.
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'winston';
import type { DynamoDBRestore, DynamoDBRestoreStatus } from '../api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy } from '../api/dynamodb-restore-policy.ts';
import type { BackupPort } from '../aws/backup-port.ts';
import { AwsError, type AssumedRole, type DynamoDBPort } from '../aws/dynamodb-port.ts';
import { findCondition } from '../runtime/conditions.ts';
import type { Reconcile, ReconcileResult } from '../runtime/controller.ts';
import { ConflictError } from '../runtime/custom-objects.ts';
import type { EventSink } from '../runtime/event-recorder.ts';
import type { RestoreMetricsSink } from './restore-metrics.ts';
import { FINALIZER, planDeletion, wantsFinalizer } from './restore-deletion.ts';
import { planRestore } from './restore-plan.ts';
import { WARNING_REASONS, type Action, type Observation, type PlanOptions } from './restore-vocabulary.ts';
import type { ObservedSettings, SettingRead } from './table-settings.ts';
import type { SlotAnswer } from '../runtime/fair-slots.ts';
import { objectKey } from '../runtime/keys.ts';

export interface RestoreStore {
  /** The object as the informer cache has it. */
  cached(key: string): DynamoDBRestore | undefined;
  /** The object as the apiserver has it now. */
  fresh(key: string): Promise<DynamoDBRestore | undefined>;
  /** Writes status as of restore's resourceVersion; throws ConflictError when someone else wrote first. */
  writeStatus(restore: DynamoDBRestore, status: DynamoDBRestoreStatus): Promise<DynamoDBRestore>;
  /**
   * Adds or removes one finalizer, leaving others' alone; throws ConflictError when the object changed since it
   * was read. undefined: the object is gone.
   */
  setFinalizer(restore: DynamoDBRestore, finalizer: string, present: boolean): Promise<DynamoDBRestore | undefined>;
}

export interface RestoreReconcilerDeps {
  store: RestoreStore;
  /** The DynamoDB port for a Region, as the resource's role (spec.credentials, assumed for it) or the operator. */
  dynamodb: (region: string | undefined, role?: AssumedRole) => DynamoDBPort;
  /** AWS Backup in a Region, as the same identity (spec.source.recoveryPoint). */
  backup: (region: string | undefined, role?: AssumedRole) => BackupPort;
  events: EventSink;
  now: () => Date;
  options: PlanOptions;
  metrics?: Pick<RestoreMetricsSink, 'restoreFinished'>;
  /** Every DynamoDBRestorePolicy, from the cache. */
  policies?: () => readonly DynamoDBRestorePolicy[];
  /** AWS's restore slots per account and Region, and the claims on table names; omitted: unlimited, every claim granted. */
  reservations?: Reservations;
  /**
   * The shortest DescribeTable poll interval for this resource now, so that polling every restore in progress of
   * its account and Region leaves room in the control-plane rate for starting new ones; omitted: options.pollMinMs.
   */
  pollFloorMs?: (restore: DynamoDBRestore) => number;
}

export interface Reservations {
  acquireSlot(restore: DynamoDBRestore): SlotAnswer;
  /** The key of the resource that holds the claim on the restore's target table after this call (its own, if free). */
  claim(restore: DynamoDBRestore): string;
  /** Gives back what the resource (undefined: gone) no longer needs: called after every look at it. */
  settle(key: string, restore: DynamoDBRestore | undefined): void;
}

/** More steps than any path through a plan takes; a guard against a plan that never settles. */
const MAX_STEPS = 24;
const MAX_CONFLICTS = 5;

type Planner = typeof planRestore;

export function restoreReconciler(deps: RestoreReconcilerDeps): Reconcile {
  return async (key: string, log: Logger) => {
    let restore = deps.store.cached(key);
    for (let conflicts = 0; ; conflicts++) {
      deps.reservations?.settle(key, restore);
      if (!restore) return {};
      try {
        return await reconcile(deps, restore, log);
      } catch (err) {
        if (!(err instanceof ConflictError) || conflicts >= MAX_CONFLICTS) throw err;
        // Someone wrote in between (our own earlier write not yet in the cache, or another replica): plan again
        // from what the apiserver has now, with nothing assumed.
        log.debug('Conflict; re-reading', { conflicts: conflicts + 1 });
        restore = await deps.store.fresh(key);
      }
    }
  };
}

async function reconcile(deps: RestoreReconcilerDeps, restore: DynamoDBRestore, log: Logger): Promise<ReconcileResult> {
  const holds = restore.metadata.finalizers?.includes(FINALIZER) ?? false;
  // Deleted: no restore starts any more; one in progress keeps its slot until the table stops CREATING.
  if (restore.metadata.deletionTimestamp) {
    return holds ? (await drive(deps, restore, planDeletion, log)).result : {};
  }
  // The finalizer goes on before any AWS call, so no table is ever made for a resource that could vanish unseen.
  const updated = await syncFinalizer(deps, restore);
  if (!updated) return {};
  // A final resource costs no AWS call, and no write unless its spec changed since (the plan acknowledges it).
  const { result, restore: after } = await drive(deps, updated, planRestore, log);
  // Past its restore: a Retain resource needs the finalizer no more.
  await syncFinalizer(deps, after);
  return result;
}

/** Adds or removes the finalizer as wantsFinalizer says; undefined when the resource is gone. */
async function syncFinalizer(deps: RestoreReconcilerDeps, restore: DynamoDBRestore): Promise<DynamoDBRestore | undefined> {
  const holds = restore.metadata.finalizers?.includes(FINALIZER) ?? false;
  if (wantsFinalizer(restore) === holds) return restore;
  return deps.store.setFinalizer(restore, FINALIZER, !holds);
}

/** Runs a plan: write the status it asks for, take its action, feed the outcome back, until it ends the reconcile. */
async function drive(
  deps: RestoreReconcilerDeps,
  restore: DynamoDBRestore,
  plan: Planner,
  log: Logger,
): Promise<{ result: ReconcileResult; restore: DynamoDBRestore }> {
  const { region, credentials } = restore.spec;
  const role = credentials && { roleArn: credentials.roleArn, namespace: restore.metadata.namespace, name: restore.metadata.name };
  const dynamodb: PortFor = (r) => deps.dynamodb(r ?? region, role);
  const backup = (): BackupPort => deps.backup(region, role);
  const floor = deps.pollFloorMs?.(restore) ?? 0;
  const options = floor > deps.options.pollMinMs ? { ...deps.options, pollMinMs: Math.min(floor, deps.options.pollMaxMs) } : deps.options;
  let observation: Observation = { kind: 'nothing' };
  for (let step = 0; step < MAX_STEPS; step++) {
    const { status, action } = plan(restore, observation, deps.now(), options, deps.policies?.() ?? []);
    restore = await writeStatus(deps, restore, status, log);
    deps.reservations?.settle(objectKey(restore), restore);
    if (action.kind === 'releaseFinalizer') {
      await deps.store.setFinalizer(restore, FINALIZER, false);
      return { result: {}, restore };
    }
    if (action.kind === 'claimTable') {
      const holder = deps.reservations?.claim(restore) ?? objectKey(restore);
      observation = holder === objectKey(restore) ? { kind: 'claimGranted' } : { kind: 'claimHeld', holder };
      continue;
    }
    if (action.kind === 'acquireSlot') {
      const answer = deps.reservations?.acquireSlot(restore) ?? { granted: true };
      observation = answer.granted ? { kind: 'slotGranted' } : { kind: 'slotQueued', position: answer.position, inUse: answer.inUse, capacity: answer.capacity };
      continue;
    }
    const outcome = await perform(action, dynamodb, backup, log);
    if ('result' in outcome) return { result: outcome.result, restore };
    observation = outcome.observation;
  }
  throw new Error(`The plan did not settle within ${MAX_STEPS} steps`);
}

type Outcome = { result: ReconcileResult } | { observation: Observation };

/** The port for a Region: the resource's own unless the action names one (a backup lives in its own Region). */
type PortFor = (region?: string) => DynamoDBPort;

async function perform(
  action: Exclude<Action, { kind: 'releaseFinalizer' | 'acquireSlot' | 'claimTable' }>,
  dynamodb: PortFor,
  backup: () => BackupPort,
  log: Logger,
): Promise<Outcome> {
  switch (action.kind) {
    case 'done':
      return { result: {} };
    case 'requeue':
      return { result: { requeueAfterMs: action.afterMs } };
    case 'backoff':
      return { result: { backoff: true } };
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
    case 'describeRecoveryPoint':
      return observe(async () => ({ kind: 'recoveryPointDescribed', recoveryPoint: await backup().describeRecoveryPoint(action.backupVaultName, action.recoveryPointArn) }));
    case 'startRestoreJob':
      log.info('Calling AWS Backup StartRestoreJob', { table: action.request.Metadata.targetTableName, recoveryPointArn: action.request.RecoveryPointArn });
      return observe(async () => ({ kind: 'restoreJobStarted', restoreJobId: await backup().startRestoreJob(action.request) }));
    case 'describeRestoreJob':
      return observe(async () => ({ kind: 'restoreJobDescribed', job: await backup().describeRestoreJob(action.restoreJobId) }));
    case 'describeTable':
      return observe(async () => {
        const table = await dynamodb().describeTable(action.tableName);
        const tags = action.withTags && table?.arn ? await dynamodb().listTags(table.arn) : undefined;
        return { kind: 'described', table, tags };
      });
    case 'tagTable':
      return observe(async () => {
        await dynamodb().tagResource(action.tableArn, action.tags);
        return { kind: 'tagged' };
      });
    case 'describeSettings':
      return observe(async () => ({ kind: 'settingsDescribed', settings: await describeSettings(dynamodb(), action.tableName, action.read) }));
    case 'changeSetting':
      log.info('Applying a table setting', { table: action.tableName, setting: action.change.setting });
      return observe(async () => {
        await dynamodb().changeSetting(action.tableName, action.tableArn, action.change);
        return { kind: 'settingChanged', setting: action.change.setting };
      });
    case 'deleteTable':
      log.info('Calling DeleteTable', { table: action.tableName });
      return observe(async () => {
        await dynamodb().deleteTable(action.tableName);
        return { kind: 'tableDeleted' };
      });
  }
}

/** DescribeTable, then the reads the settings need, side by side. */
async function describeSettings(port: DynamoDBPort, tableName: string, read: readonly SettingRead[]): Promise<ObservedSettings | undefined> {
  const table = await port.describeTable(tableName);
  if (!table) return undefined;
  const [tags, timeToLive, pointInTimeRecovery] = await Promise.all([
    read.includes('tags') && table.arn ? port.listTags(table.arn) : undefined,
    read.includes('timeToLive') ? port.describeTimeToLive(tableName) : undefined,
    read.includes('pointInTimeRecovery') ? port.describeContinuousBackups(tableName) : undefined,
  ]);
  return { table, tags, timeToLive, pointInTimeRecovery };
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
    const warning = status.phase === 'Failed' || status.lastError !== undefined || WARNING_REASONS.has(now.reason);
    log.info('Restore moved on', { phase: status.phase, reason: now.reason, detail: now.message });
    await deps.events.emit(written, warning ? 'Warning' : 'Normal', now.reason, now.message);
  }
  if ((status.phase === 'Completed' || status.phase === 'Failed') && status.phase !== before.phase) {
    const from = Date.parse(status.restoreRequestedAt ?? status.completionTime ?? '');
    const to = Date.parse(status.completionTime ?? '');
    deps.metrics?.restoreFinished(restore.metadata.namespace ?? '', status.phase, Number.isFinite(to - from) ? (to - from) / 1000 : 0);
  }
  return written;
}
