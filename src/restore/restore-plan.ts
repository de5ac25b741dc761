// The restore's decision core, free of I/O: from the resource and what AWS just reported, the next action and the
// status to write before taking it. The reconciler runs it in a loop, feeding back each action's outcome.
//
// It reads top-down: planRestore routes the observation to the stage it belongs to (validating, restoring,
// configuring; an error to the error map; stale news is read as nothing), and each stage's handler is one switch
// over its own observations, each case one named step.
import type { DynamoDBRestore, DynamoDBRestoreSpec, DynamoDBRestoreStatus } from '../api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy } from '../api/dynamodb-restore-policy.ts';
import type { RecoveryPointState, RestoreJobState } from '../aws/backup-port.ts';
import { AwsError, type BackupState, type PointInTimeRecovery, type TableState } from '../aws/dynamodb-port.ts';
import { splitKey } from '../runtime/keys.ts';
import { classifyError, classifyFinding, type FindingCode } from './restore-errors.ts';
import { adoptable, fromOurSource, ownerTags } from './restore-ownership.ts';
import { checkPolicies, governs } from './restore-policy.ts';
import { pointInTimeRequest, restoreJobRequest, restoreRequest } from './restore-request.ts';
import { describeSource, fail, formatDuration, isFinal, observedAt, pointInTimeSource, ready, sourceSummary } from './restore-status.ts';
import { judgeSetting, requestedSettings, settingReads, type ObservedSettings } from './table-settings.ts';
import {
  BACKUP_NOT_READY_DELAY_MS,
  QUEUED_RECHECK_MS,
  Reason,
  SETTLING_DELAY_MS,
  type Action,
  type Observation,
  type PlanOptions,
  type Step,
} from './restore-vocabulary.ts';

/** Before the restore is asked for: the claim, the policies, the source, a slot. */
type ValidatingObservation = Extract<
  Observation,
  { kind: 'nothing' | 'claimGranted' | 'claimHeld' | 'backupsListed' | 'backupDescribed' | 'continuousBackupsDescribed' | 'recoveryPointDescribed' | 'slotGranted' | 'slotQueued' }
>;
/** The restore asked for: its answer, the table it made, the tags that mark it ours. */
type RestoringObservation = Extract<Observation, { kind: 'nothing' | 'restoreStarted' | 'restoreJobStarted' | 'restoreJobDescribed' | 'described' | 'tagged' }>;
/** The table ACTIVE and ours: spec.tableSettings applied one at a time. */
type ConfiguringObservation = Extract<Observation, { kind: 'nothing' | 'settingsDescribed' | 'settingChanged' }>;

type Routed =
  | { stage: 'validating'; observation: ValidatingObservation }
  | { stage: 'restoring'; observation: RestoringObservation }
  | { stage: 'configuring'; observation: ConfiguringObservation }
  | { stage: 'failed'; error: AwsError };

/** What every step of one plan knows. */
interface Planning {
  restore: DynamoDBRestore;
  spec: DynamoDBRestoreSpec;
  now: Date;
  options: PlanOptions;
  policies: readonly DynamoDBRestorePolicy[];
  /** The status as read. */
  current: DynamoDBRestoreStatus;
  /** What each step builds on: this generation, the backup once known, the last error only while it lasts. */
  base: DynamoDBRestoreStatus;
}

const NOTHING = { kind: 'nothing' } as const;

/** policies: every DynamoDBRestorePolicy in the cluster; the ones governing the restore's namespace apply. */
export function planRestore(restore: DynamoDBRestore, observation: Observation, now: Date, options: PlanOptions, policies: readonly DynamoDBRestorePolicy[] = []): Step {
  const current = restore.status ?? {};
  // A final resource costs no AWS call; a spec edit since (deletionPolicy) is only acknowledged, so that
  // `kubectl wait` on its conditions sees the generation it waits for.
  if (isFinal(restore)) return { status: observedAt(current, restore.metadata.generation), action: { kind: 'done' } };
  const routed = route(current, observation);
  const seen = routed.stage === 'failed' ? observation : routed.observation;
  const p: Planning = { restore, spec: restore.spec, now, options, policies, current, base: baseStatus(restore, current, seen) };
  switch (routed.stage) {
    case 'validating':
      return planValidating(p, routed.observation);
    case 'restoring':
      return planRestoring(p, routed.observation);
    case 'configuring':
      return planConfiguring(p, routed.observation);
    case 'failed':
      return planFailure(p, routed.error);
  }
}

/**
 * The stage an observation belongs to. 'nothing' goes to the resource's own stage; an answer that belongs to a stage
 * the resource has left (a slot or claim once the restore is asked for, a setting outside Configuring, the deletion
 * plan's) is no basis for a decision and is read as nothing.
 */
function route(current: DynamoDBRestoreStatus, observation: Observation): Routed {
  const own = current.phase === 'Configuring' ? 'configuring' : current.restoreRequestedAt ? 'restoring' : 'validating';
  const asNothing = (): Routed => ({ stage: own, observation: NOTHING });
  switch (observation.kind) {
    case 'nothing':
    case 'tableDeleted':
      return asNothing();
    case 'failed':
      return { stage: 'failed', error: observation.error };
    case 'claimGranted':
    case 'claimHeld':
    case 'slotGranted':
    case 'slotQueued':
      return current.restoreRequestedAt ? asNothing() : { stage: 'validating', observation };
    case 'backupsListed':
    case 'backupDescribed':
    case 'continuousBackupsDescribed':
      return { stage: 'validating', observation };
    // A recovery point is checked once, before its restore job is asked for: a late answer is no news.
    case 'recoveryPointDescribed':
      return current.restoreRequestedAt ? asNothing() : { stage: 'validating', observation };
    case 'restoreStarted':
    case 'described':
    case 'tagged':
      return { stage: 'restoring', observation };
    // A restore job's news counts only between asking for the restore and its table's configuring.
    case 'restoreJobStarted':
    case 'restoreJobDescribed':
      return own === 'restoring' ? { stage: 'restoring', observation } : asNothing();
    case 'settingsDescribed':
    case 'settingChanged':
      return own === 'configuring' ? { stage: 'configuring', observation } : asNothing();
  }
}

function baseStatus(restore: DynamoDBRestore, current: DynamoDBRestoreStatus, observation: Observation): DynamoDBRestoreStatus {
  // An answer from AWS other than an error means the last error is over: it leaves the status. (A claim answer is
  // the operator's own, not AWS's.)
  const { lastError, ...rest } = current;
  const errorPersists = observation.kind === 'nothing' || observation.kind === 'failed' || observation.kind === 'claimGranted';
  const base: DynamoDBRestoreStatus = {
    ...(errorPersists && lastError ? { ...rest, lastError } : rest),
    observedGeneration: restore.metadata.generation,
    // The backup: named by the spec, or found by a lookup and kept (a lookup runs once).
    backupArn: restore.spec.source.backupArn ?? current.backupArn,
  };
  const source = sourceSummary(restore.spec, base.backupArn);
  return source ? { ...base, source } : base;
}

// ---------------------------------------------------------------------------------------------------------------
// The stages

function planValidating(p: Planning, observation: ValidatingObservation): Step {
  switch (observation.kind) {
    case 'nothing':
      // Guardrails before any AWS call; once the restore is requested, a later policy change does not abort it. The
      // claim comes after them, so a refused resource never holds a name another may need. Asking for it writes
      // nothing: the status moves on with the claim's answer.
      return deny(p, p.base.backupArn ?? pointInTimeSource(p.spec) ?? p.spec.source.recoveryPoint?.recoveryPointArn) ?? { status: p.current, action: { kind: 'claimTable' } };
    case 'claimHeld':
      return tableClaimed(p, observation.holder);
    case 'claimGranted':
      return checkSource(p);
    case 'backupsListed':
      return pickBackup(p, observation.backups);
    case 'backupDescribed':
      return acceptBackup(p, p.base, observation.backup);
    case 'continuousBackupsDescribed':
      return acceptRecoveryWindow(p, observation.pitr);
    case 'recoveryPointDescribed':
      return acceptRecoveryPoint(p, observation.recoveryPoint);
    case 'slotGranted':
      return requestRestore(p, p.base);
    case 'slotQueued':
      return queue(p, observation);
  }
}

function planRestoring(p: Planning, observation: RestoringObservation): Step {
  if (p.spec.source.recoveryPoint) {
    // Not asked for yet: nothing but the validating steps may lead to StartRestoreJob.
    return p.base.restoreRequestedAt ? planRecoveryPointRestoring(p, observation) : planValidating(p, NOTHING);
  }
  switch (observation.kind) {
    case 'nothing':
    case 'restoreJobStarted':
    case 'restoreJobDescribed':
      return { status: p.base, action: describeTarget(p) };
    case 'restoreStarted':
      return track(p, { ...p.base, startTime: p.now.toISOString() }, observation.table, true);
    case 'described':
      return judgeFoundTable(p, observation.table, observation.tags);
    case 'tagged':
      return taggedAsOurs(p);
  }
}

/**
 * A recovery point's restore: AWS Backup's restore job first, followed until it completes, then the table it reports
 * having created, by the same path as any restore's. The table is this resource's only as the job's
 * CreatedResourceArn: a table of the name that the job did not create (the job then fails) is never looked at.
 */
function planRecoveryPointRestoring(p: Planning, observation: RestoringObservation): Step {
  const { base } = p;
  switch (observation.kind) {
    case 'nothing':
    case 'restoreStarted':
      return { status: base, action: followRestoreJob(p) };
    case 'restoreJobStarted':
      return {
        status: { ...base, restoreJobId: observation.restoreJobId, startTime: base.startTime ?? p.now.toISOString() },
        action: { kind: 'describeRestoreJob', restoreJobId: observation.restoreJobId },
      };
    case 'restoreJobDescribed':
      return judgeRestoreJob(p, observation.job);
    case 'described': {
      const name = p.spec.targetTableName;
      // Only the table the completed job names is looked at; before that, a table of the name is no news.
      if (base.restoreJobStatus !== 'COMPLETED') return { status: base, action: followRestoreJob(p) };
      if (!observation.table || observation.table.arn !== base.tableArn) {
        return failWith(
          p,
          base,
          'TableNotFound',
          `Table ${name}, which AWS Backup restore job ${base.restoreJobId ?? ''} reported creating (${base.tableArn ?? 'no ARN'}), does not exist any more; ` +
            'nothing else of that name is adopted. Create a new DynamoDBRestore to try again.',
        );
      }
      // The first look at the job's table records its identity; from then on another TableId is not ours.
      return track(p, base, observation.table, base.tableId === undefined);
    }
    case 'tagged':
      return taggedAsOurs(p);
  }
}

/** Where a recovery point's restore stands: no job recorded (ask again: the token returns the same job), the job, its table. */
function followRestoreJob(p: Planning): Action {
  const { base, spec } = p;
  if (base.restoreJobId === undefined) return { kind: 'startRestoreJob', request: restoreJobRequest(spec, p.restore.metadata.uid) };
  if (base.restoreJobStatus !== 'COMPLETED') return { kind: 'describeRestoreJob', restoreJobId: base.restoreJobId };
  return { kind: 'describeTable', tableName: spec.targetTableName };
}

/** DescribeRestoreJob's answer: still at work, failed (AWS Backup's StatusMessage says why), or done with our table. */
function judgeRestoreJob(p: Planning, job: RestoreJobState): Step {
  const { spec } = p;
  const name = spec.targetTableName;
  const observed: DynamoDBRestoreStatus = { ...p.base, restoreJobStatus: job.status };
  const recoveryPoint = spec.source.recoveryPoint?.recoveryPointArn ?? '';
  switch (job.status) {
    case 'COMPLETED': {
      const created = job.createdResourceArn;
      const parts = created?.split(':') ?? [];
      if (parts[2] !== 'dynamodb' || parts[3] !== targetRegion(p) || parts[5] !== `table/${name}`) {
        return failWith(
          p,
          observed,
          'RestoreJobCreatedOtherResource',
          `AWS Backup restore job ${job.id} completed but reports creating ${created ?? 'nothing'}, not table ${name} in ${targetRegion(p)}; no table is adopted.`,
        );
      }
      return {
        status: progress(p, { ...observed, tableArn: created }, 'Restoring', Reason.Restoring, `AWS Backup restore job ${job.id} completed; checking table ${name}.`),
        action: { kind: 'describeTable', tableName: name },
      };
    }
    case 'FAILED':
    case 'ABORTED':
      return failWith(
        p,
        observed,
        job.status === 'FAILED' ? 'RestoreJobFailed' : 'RestoreJobAborted',
        `AWS Backup restore job ${job.id} of recovery point ${recoveryPoint} ended ${job.status}: ${job.statusMessage ?? 'AWS Backup gave no status message'}. ` +
          `Fix what it names, then create a new DynamoDBRestore; a table ${name} that this job did not create is left untouched.`,
      );
    default: {
      const elapsedMs = p.now.getTime() - Date.parse(observed.startTime ?? p.now.toISOString());
      return {
        status: progress(p, observed, 'Restoring', Reason.Restoring, `AWS Backup restore job ${job.id} is ${job.status} (${formatDuration(elapsedMs)}).`),
        action: { kind: 'requeue', afterMs: pollDelay(elapsedMs, p.options) },
      };
    }
  }
}

/** Tagged as ours: the settings next, or done. */
function taggedAsOurs(p: Planning): Step {
  if (requestedSettings(p.spec).length === 0) return complete(p, p.base);
  return configure(p, progress(p, p.base, 'Configuring', Reason.Configuring, `Table ${p.spec.targetTableName} is ACTIVE; applying tableSettings.`));
}

function planConfiguring(p: Planning, observation: ConfiguringObservation): Step {
  switch (observation.kind) {
    case 'nothing':
    case 'settingChanged':
      // Read back rather than assume: the next judgement sees what AWS made of the change.
      return configure(p, p.base);
    case 'settingsDescribed':
      return judgeSettings(p, observation.settings);
  }
}

/** An AWS call failed: the error map decides, except for a name already taken, which is looked at first. */
function planFailure(p: Planning, error: AwsError): Step {
  // The target name is taken: by our own earlier call (adopt it) or by someone else's table (fail). Look first.
  if (error.code === 'TableAlreadyExistsException') return { status: p.base, action: describeTarget(p) };
  const classified = classifyError(error, { tableName: p.spec.targetTableName, backupArn: p.base.backupArn });
  if (classified.retry.kind === 'terminal') return fail(p.restore, p.base, classified, p.now);
  const lastError = { code: classified.code, message: classified.message, retryable: true };
  return {
    status: progress(p, { ...p.base, lastError }, p.base.phase ?? 'Validating', classified.reason, classified.message),
    action: classified.retry.kind === 'after' ? { kind: 'requeue', afterMs: classified.retry.delayMs } : { kind: 'backoff' },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Validating: policies, the claim on the name, the source, a slot

function deny(p: Planning, backupArn: string | undefined): Step | undefined {
  const { namespace } = p.restore.metadata;
  if (!p.options.allowUngovernedNamespaces && !p.policies.some((policy) => governs(policy, namespace))) {
    return failWith(
      p,
      p.base,
      'PolicyRequired',
      `No DynamoDBRestorePolicy governs namespace ${namespace}, and this operator restores only in governed namespaces. ` +
        'A cluster administrator (the platform team) can create one that lists it in spec.namespaces; a team cannot.',
    );
  }
  const denial = checkPolicies(p.restore, p.policies, p.options.defaultRegion, backupArn);
  return denial && failWith(p, p.base, 'PolicyDenied', denial.message);
}

function tableClaimed(p: Planning, holderKey: string): Step {
  const holder = splitKey(holderKey);
  const who = holder.namespace === p.restore.metadata.namespace ? `DynamoDBRestore ${holder.name} in this namespace` : 'a DynamoDBRestore in another namespace';
  return failWith(
    p,
    p.base,
    'TableClaimed',
    `Table ${p.spec.targetTableName} in ${targetRegion(p)} is already claimed by ${who}: one resource per table, so this one makes no AWS call. ` +
      'Choose another targetTableName in a new DynamoDBRestore, or delete the other resource first.',
  );
}

/** The name is ours: check the source (its recovery window, or the backup), unless that was done before queueing. */
function checkSource(p: Planning): Step {
  const { spec, base } = p;
  // Validated already: only the slot is missing. Waiting costs no AWS call.
  if (base.phase === 'Queued') return { status: base, action: { kind: 'acquireSlot' } };
  const recoveryPoint = spec.source.recoveryPoint;
  if (recoveryPoint) {
    const { backupVaultName, recoveryPointArn } = recoveryPoint;
    return {
      // A recovery point being waited for keeps its BackupNotReady reason between looks (no event each look).
      status: base.phase === 'Validating' ? base : progress(p, base, 'Validating', Reason.Validating, `Checking recovery point ${recoveryPointArn} in backup vault ${backupVaultName}.`),
      action: { kind: 'describeRecoveryPoint', backupVaultName, recoveryPointArn },
    };
  }
  const pit = spec.source.pointInTime;
  if (pit) {
    const table = pit.sourceTableArn ?? pit.sourceTableName ?? '';
    return {
      status: progress(p, base, 'Validating', Reason.Validating, `Checking point-in-time recovery of table ${table}.`),
      action: { kind: 'describeContinuousBackups', table, region: pit.sourceTableArn ? arnRegion(pit.sourceTableArn) : spec.region },
    };
  }
  const lookup = spec.source.backup;
  const checking = base.backupArn
    ? `Checking backup ${base.backupArn}.`
    : `Looking for the newest AVAILABLE backup ${lookup?.backupName ? `named ${lookup.backupName} ` : ''}of table ${lookup?.tableName ?? ''}.`;
  return {
    // A backup being waited for keeps its BackupNotReady reason between looks (no event each look).
    status: base.phase === 'Validating' ? base : progress(p, base, 'Validating', Reason.Validating, checking),
    action: base.backupArn
      ? { kind: 'describeBackup', backupArn: base.backupArn, region: arnRegion(base.backupArn) }
      : { kind: 'listBackups', tableName: lookup?.tableName ?? '', region: spec.region },
  };
}

/** The newest AVAILABLE backup of the table (and of the name, unless the latest is asked for). */
function pickBackup(p: Planning, backups: readonly BackupState[]): Step {
  const lookup = p.spec.source.backup;
  const found = backups
    .filter((b) => b.status === 'AVAILABLE' && b.sourceTableName === lookup?.tableName && (lookup?.latest || b.name === lookup?.backupName))
    .sort((a, b) => Date.parse(b.createdAt ?? '') - Date.parse(a.createdAt ?? ''))[0];
  if (!found) {
    const what = lookup?.backupName ? `named ${lookup.backupName} ` : '';
    const table = lookup?.tableName ?? '';
    return failWith(p, p.base, 'BackupNotFoundException', `No AVAILABLE backup ${what}of table ${table} in ${targetRegion(p)}; check \`aws dynamodb list-backups --table-name ${table}\`.`);
  }
  return deny(p, found.arn) ?? acceptBackup(p, { ...p.base, backupArn: found.arn }, found);
}

/** A backup found (described, or picked from a list): it must be AVAILABLE, and a cross-Region one needs sse. */
function acceptBackup(p: Planning, base: DynamoDBRestoreStatus, backup: BackupState): Step {
  const name = backup.name ?? backup.arn;
  if (backup.status === 'CREATING') {
    return {
      status: progress(p, base, 'Validating', Reason.BackupNotReady, `Backup ${name} is still being created; the operator looks again in ${BACKUP_NOT_READY_DELAY_MS / 1000}s.`),
      action: { kind: 'requeue', afterMs: BACKUP_NOT_READY_DELAY_MS },
    };
  }
  if (backup.status !== 'AVAILABLE') return failWith(p, base, 'BackupNotAvailable', `Backup ${name} is ${backup.status}, not AVAILABLE; choose another backup in a new DynamoDBRestore.`);
  const target = p.spec.region ?? p.options.defaultRegion;
  const backupRegion = arnRegion(backup.arn);
  if (target && backupRegion !== target && !p.spec.overrides?.sse) {
    return failWith(
      p,
      base,
      'CrossRegionRestoreWithoutSSE',
      `Backup ${backup.arn} is in ${backupRegion} and the table would be restored in ${target}: a cross-Region restore needs overrides.sse; set it in a new DynamoDBRestore.`,
    );
  }
  return awaitSlot(p, base);
}

/**
 * The recovery point as its vault reports it (AWS Backup answered, so the vault the policy allowed holds it): of a
 * DynamoDB table, and done being made. AWS Backup API Reference, DescribeRecoveryPoint, Status: CREATING (the backup is
 * being made), AVAILABLE ("successfully created ... ready for use") or COMPLETED; PARTIAL, EXPIRED, STOPPED and
 * DELETING are not restorable.
 */
function acceptRecoveryPoint(p: Planning, point: RecoveryPointState): Step {
  const where = `Recovery point ${point.arn} in backup vault ${point.backupVaultName}`;
  if (point.resourceType !== 'DynamoDB') {
    return failWith(
      p,
      p.base,
      'RecoveryPointNotDynamoDB',
      `${where} is a backup of resource type ${point.resourceType ?? '(none stated)'}, not of a DynamoDB table; choose a DynamoDB recovery point in a new DynamoDBRestore.`,
    );
  }
  if (point.status === 'CREATING') {
    return {
      status: progress(p, p.base, 'Validating', Reason.BackupNotReady, `${where} is still being created; the operator looks again in ${BACKUP_NOT_READY_DELAY_MS / 1000}s.`),
      action: { kind: 'requeue', afterMs: BACKUP_NOT_READY_DELAY_MS },
    };
  }
  if (point.status !== 'COMPLETED' && point.status !== 'AVAILABLE') {
    const why = point.statusMessage ? ` (${point.statusMessage})` : '';
    return failWith(p, p.base, 'RecoveryPointNotAvailable', `${where} is ${point.status}${why}, not COMPLETED or AVAILABLE; choose another recovery point in a new DynamoDBRestore.`);
  }
  return awaitSlot(p, p.base);
}

/** A point-in-time source: recovery on, and the moment asked for inside its window. */
function acceptRecoveryWindow(p: Planning, pitr: PointInTimeRecovery): Step {
  const source = pointInTimeSource(p.spec) ?? '';
  if (pitr.status !== 'ENABLED') {
    return failWith(
      p,
      p.base,
      'PointInTimeRecoveryUnavailableException',
      `Point-in-time recovery is ${pitr.status} on table ${source}: enable it (it then covers the time from that moment on) or restore from a backup in a new DynamoDBRestore.`,
    );
  }
  const at = p.spec.source.pointInTime?.restoreDateTime;
  if (at && ((pitr.earliest && Date.parse(at) < Date.parse(pitr.earliest)) || (pitr.latest && Date.parse(at) > Date.parse(pitr.latest)))) {
    return failWith(
      p,
      p.base,
      'InvalidRestoreTimeException',
      `Table ${source} can be restored to a moment between ${pitr.earliest ?? '?'} and ${pitr.latest ?? '?'}, not ${at}; choose one in that window in a new DynamoDBRestore.`,
    );
  }
  return awaitSlot(p, p.base);
}

/** Validated: a slot next, unless the restore was asked for already (it holds one). */
function awaitSlot(p: Planning, base: DynamoDBRestoreStatus): Step {
  return base.restoreRequestedAt ? requestRestore(p, base) : { status: base, action: { kind: 'acquireSlot' } };
}

function queue(p: Planning, { position, inUse, capacity }: { position: number; inUse: number; capacity: number }): Step {
  const message =
    `Waiting for a restore slot in ${targetRegion(p)}: ${inUse} of ${capacity} restores are in progress; this one is number ${position} in the queue ` +
    '(served in turn across namespaces).';
  // The Ready reason stays Queued as the position moves: one event for entering the queue, not one per move.
  return { status: progress(p, { ...p.base, queuePosition: position }, 'Queued', Reason.Queued, message), action: { kind: 'requeue', afterMs: QUEUED_RECHECK_MS } };
}

/** Restoring, with the moment of asking recorded first: a table found after a crash is ours only if made after it. */
function requestRestore(p: Planning, current: DynamoDBRestoreStatus): Step {
  const { spec } = p;
  const { queuePosition: _left, ...base } = current;
  return {
    status: progress(p, { ...base, restoreRequestedAt: base.restoreRequestedAt ?? p.now.toISOString() }, 'Restoring', Reason.RestoreRequested, `Restoring table ${spec.targetTableName} from ${describeSource(spec, base)}.`),
    action: spec.source.recoveryPoint
      ? { kind: 'startRestoreJob', request: restoreJobRequest(spec, p.restore.metadata.uid) }
      : spec.source.pointInTime
        ? { kind: 'restoreToPointInTime', request: pointInTimeRequest(spec) }
        : { kind: 'restoreFromBackup', request: restoreRequest(spec, base.backupArn ?? '') },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Restoring: the table AWS makes

/** Before AWS has answered the restore call, a table found under the name may only be adopted: its tags decide. */
function describeTarget(p: Planning): Action {
  return { kind: 'describeTable', tableName: p.spec.targetTableName, ...(!p.base.startTime && { withTags: true }) };
}

/** DescribeTable's answer: the table we are restoring, the lost answer to our own call, or someone else's. */
function judgeFoundTable(p: Planning, table: TableState | undefined, tags: Record<string, string> | undefined): Step {
  const { base } = p;
  if (!table) {
    // The restore call never took effect (or its answer was lost before it did): make it (again).
    if (!base.startTime) return requestRestore(p, base);
    return failWith(
      p,
      base,
      'TableNotFound',
      `Table ${p.spec.targetTableName} disappeared while it was being restored; AWS deletes a table whose restore fails (for example when the KMS key was disabled). Create a new DynamoDBRestore to try again.`,
    );
  }
  if (base.startTime) return track(p, base, table);
  // Our call's answer was lost (a crash before the status write): the table stands in for that answer.
  if (adoptable(p.restore, base, table, tags, p.options)) return track(p, { ...base, startTime: table.createdAt ?? p.now.toISOString() }, table, true);
  const taken = new AwsError('TableAlreadyExistsException', '', 'RestoreTableFromBackup');
  return fail(p.restore, base, classifyError(taken, { tableName: p.spec.targetTableName, backupArn: base.backupArn }), p.now);
}

/**
 * The table as DynamoDB reports it. ownCall: it is the answer to our own restore call (or its adoption), so it is
 * ours: its identity (TableId, CreationDateTime) is recorded. From then on a table under the name with another
 * TableId is not ours.
 */
function track(p: Planning, base: DynamoDBRestoreStatus, table: TableState, ownCall = false): Step {
  const name = p.spec.targetTableName;
  if (base.tableId !== undefined && table.id !== base.tableId) {
    return failWith(p, base, 'TableReplaced', `Table ${name} is not the table this resource restored (TableId ${table.id ?? 'unknown'}, not ${base.tableId}): it was deleted and replaced; it is left untouched.`);
  }
  const observed: DynamoDBRestoreStatus = {
    ...base,
    tableArn: table.arn ?? base.tableArn,
    ...(ownCall && table.id !== undefined && { tableId: table.id }),
    ...(ownCall && table.createdAt !== undefined && { tableCreatedAt: table.createdAt }),
    tableStatus: table.status,
    restoreSummary: table.restoreSummary ?? base.restoreSummary,
  };
  switch (table.status) {
    case 'ACTIVE':
      return tagAsOurs(p, observed, table);
    case 'INACCESSIBLE_ENCRYPTION_CREDENTIALS':
      return failWith(p, observed, table.status, `Table ${name} cannot reach its KMS key (INACCESSIBLE_ENCRYPTION_CREDENTIALS); enable the key or grant the operator access to it.`);
    case 'DELETING':
    case 'ARCHIVING':
    case 'ARCHIVED':
      return failWith(p, observed, table.status, `Table ${name} is ${table.status} while it was being restored; the restore cannot complete.`);
    default: {
      const elapsedMs = p.now.getTime() - Date.parse(observed.startTime ?? p.now.toISOString());
      return {
        status: progress(p, observed, 'Restoring', Reason.Restoring, `Table ${name} is ${table.status} (${formatDuration(elapsedMs)}).`),
        action: { kind: 'requeue', afterMs: pollDelay(elapsedMs, p.options) },
      };
    }
  }
}

/** ACTIVE: mark the table ours before calling it done, since only a tagged table may ever be deleted or adopted by us. */
function tagAsOurs(p: Planning, observed: DynamoDBRestoreStatus, table: TableState): Step {
  const name = p.spec.targetTableName;
  // Without a recorded identity (a status from before it was kept), tag only what DynamoDB says came from our
  // source: if our restore failed and someone else made a table of that name meanwhile, it is not ours to mark.
  if (observed.tableId === undefined && !fromOurSource(p.restore, observed, table.restoreSummary, p.options.defaultRegion)) {
    return failWith(p, observed, 'TableReplaced', `Table ${name} is ACTIVE but was not restored from ${describeSource(p.spec, observed)} (its RestoreSummary says otherwise); it is left untouched.`);
  }
  return {
    status: progress(p, observed, 'Restoring', Reason.Restoring, `Table ${name} is ACTIVE; tagging it as restored by this resource.`),
    action: { kind: 'tagTable', tableArn: observed.tableArn ?? '', tags: ownerTags(p.restore) },
  };
}

/** Restores take minutes to hours: poll often at first, then at a tenth of the time spent so far. */
export function pollDelay(elapsedMs: number, options: PlanOptions): number {
  return Math.min(options.pollMaxMs, Math.max(options.pollMinMs, Math.round(elapsedMs / 10)));
}

// ---------------------------------------------------------------------------------------------------------------
// Configuring: spec.tableSettings, one at a time, then Completed

/** Read the table and what its requested settings need, to judge them. */
function configure(p: Planning, status: DynamoDBRestoreStatus): Step {
  return { status, action: { kind: 'describeSettings', tableName: p.spec.targetTableName, read: settingReads(requestedSettings(p.spec)) } };
}

/** Each requested setting judged against the table: the first not in place is changed, waited for, or a conflict. */
function judgeSettings(p: Planning, observed: ObservedSettings | undefined): Step {
  const { spec } = p;
  if (!observed) {
    return failWith(p, p.base, 'TableNotFound', `Table ${spec.targetTableName} disappeared while its tableSettings were applied; it is not restored again. Create a new DynamoDBRestore to try again.`);
  }
  const requested = requestedSettings(spec);
  const verdicts = requested.map((name) => ({ name, verdict: judgeSetting(name, spec, observed) }));
  const applied = verdicts.filter((v) => v.verdict.kind === 'applied').map((v) => v.name);
  const status: DynamoDBRestoreStatus = { ...p.base, appliedSettings: applied, tableStatus: observed.table.status };
  const configuring = (message: string): DynamoDBRestoreStatus => progress(p, status, 'Configuring', Reason.Configuring, message);
  const tableStatus = observed.table.status;
  const pending = verdicts.find((v) => v.verdict.kind !== 'applied');
  if (!pending) {
    // All in place, but the last change may still be settling (a stream: UPDATING): done once ACTIVE again.
    if (tableStatus === 'ACTIVE') return complete(p, status);
    return {
      status: configuring(`Every tableSetting is in place; waiting for table ${spec.targetTableName} to be ACTIVE again (it is ${tableStatus}).`),
      action: { kind: 'requeue', afterMs: SETTLING_DELAY_MS },
    };
  }
  const { name, verdict } = pending;
  const inPlace = `${applied.length} of ${requested.length} tableSettings in place`;
  if (verdict.kind === 'conflict') {
    return failWith(
      p,
      status,
      'SettingConflict',
      `Table ${spec.targetTableName} is restored and ACTIVE, but tableSettings.${name} cannot be applied: ${verdict.why}. Change it on the table by hand (${inPlace}); the resource stays Failed.`,
    );
  }
  // UpdateTable and friends are refused while the table is busy with an earlier change.
  if (verdict.kind !== 'change' || tableStatus !== 'ACTIVE') {
    const why = verdict.kind === 'wait' ? verdict.why : `the table is ${tableStatus}`;
    return { status: configuring(`Waiting to apply tableSettings.${name}: ${why} (${inPlace}).`), action: { kind: 'requeue', afterMs: SETTLING_DELAY_MS } };
  }
  return {
    status: configuring(`Applying tableSettings.${name} (${inPlace}).`),
    action: { kind: 'changeSetting', tableName: spec.targetTableName, tableArn: p.base.tableArn ?? observed.table.arn ?? '', change: verdict.change },
  };
}

function complete(p: Planning, base: DynamoDBRestoreStatus): Step {
  const settings = base.appliedSettings?.length ? `; tableSettings applied: ${base.appliedSettings.join(', ')}` : '';
  return {
    status: ready(
      { ...base, phase: 'Completed', completionTime: p.now.toISOString() },
      p.restore,
      'True',
      Reason.Completed,
      `Table ${p.spec.targetTableName} is ACTIVE, restored from ${describeSource(p.spec, base)}${settings}.`,
      p.now,
    ),
    action: { kind: 'done' },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared

/** A step on the way: the phase, and Ready False with the reason and message. */
function progress(p: Planning, status: DynamoDBRestoreStatus, phase: NonNullable<DynamoDBRestoreStatus['phase']>, reason: Reason, message: string): DynamoDBRestoreStatus {
  return ready({ ...status, phase }, p.restore, 'False', reason, message, p.now);
}

/** A failure the plan found itself, classified through the error map. */
function failWith(p: Planning, status: DynamoDBRestoreStatus, code: FindingCode, message: string): Step {
  return fail(p.restore, status, classifyFinding(code, message), p.now);
}

function targetRegion(p: Planning): string {
  return p.spec.region ?? p.options.defaultRegion ?? "the operator's Region";
}

/** The Region in a DynamoDB ARN (arn:partition:dynamodb:REGION:account:...). */
export function arnRegion(arn: string): string {
  return arn.split(':')[3] ?? '';
}
