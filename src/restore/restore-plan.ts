// The restore's decision core, free of I/O: from the resource and what AWS just reported, the next action and
// the status to write before taking it. The reconciler runs it in a loop, feeding back each action's outcome.
import type { DynamoDBRestore, DynamoDBRestoreStatus, Phase } from '../api/dynamodb-restore.ts';
import {
  AwsError,
  type BackupState,
  type PointInTimeRecovery,
  type RestoreFromBackupRequest,
  type RestoreSummary,
  type RestoreToPointInTimeRequest,
  type SettingChange,
  type TableState,
} from '../aws/dynamodb-port.ts';
import type { SettingName } from '../api/dynamodb-restore.ts';
import { judgeSetting, requestedSettings, settingReads, type ObservedSettings, type SettingRead } from './table-settings.ts';
import { setCondition } from '../runtime/conditions.ts';
import { truncate } from '../runtime/error-message.ts';
import { classifyError, type ClassifiedError } from './restore-errors.ts';
import { checkPolicies, governs } from './restore-policy.ts';
import { pointInTimeRequest, restoreRequest } from './restore-request.ts';
import type { DynamoDBRestorePolicy } from '../api/dynamodb-restore-policy.ts';
import { splitKey } from '../runtime/keys.ts';

/** What the previous action found out; 'nothing' at the start of a reconcile. */
export type Observation =
  | { kind: 'nothing' }
  | { kind: 'backupDescribed'; backup: BackupState }
  | { kind: 'backupsListed'; backups: BackupState[] }
  | { kind: 'continuousBackupsDescribed'; pitr: PointInTimeRecovery }
  | { kind: 'restoreStarted'; table: TableState }
  | { kind: 'tagged' }
  /** tags: the table's, when they were asked for (a found table's owner-uid tag decides whether it may be adopted). */
  | { kind: 'described'; table: TableState | undefined; tags?: Record<string, string> }
  /** The table and the reads its settings need; undefined when the table does not exist. */
  | { kind: 'settingsDescribed'; settings: ObservedSettings | undefined }
  | { kind: 'settingChanged'; setting: SettingName }
  | { kind: 'tableDeleted' }
  /** The target table's name in its account and Region is this resource's to restore into. */
  | { kind: 'claimGranted' }
  /** Another live DynamoDBRestore (key: namespace/name) claims the same account, Region and table name. */
  | { kind: 'claimHeld'; holder: string }
  /** A restore slot of the account and Region is this resource's. */
  | { kind: 'slotGranted' }
  /** Every slot is taken, or others are ahead: position is the place in the fair queue. */
  | { kind: 'slotQueued'; position: number; inUse: number; capacity: number }
  | { kind: 'failed'; error: AwsError };

export type Action =
  /** DescribeBackup, in the backup's own Region. */
  | { kind: 'describeBackup'; backupArn: string; region: string }
  /** ListBackups of the table, in the target Region (region undefined: the operator default). */
  | { kind: 'listBackups'; tableName: string; region: string | undefined }
  /** Claim the target table's name in its account and Region (no AWS call: the operator keeps the claims). */
  | { kind: 'claimTable' }
  /** Ask for one of the account and Region's restore slots (no AWS call: the operator keeps count). */
  | { kind: 'acquireSlot' }
  | { kind: 'restoreFromBackup'; request: RestoreFromBackupRequest }
  /** DescribeContinuousBackups of a point-in-time restore's source table (by name or ARN). */
  | { kind: 'describeContinuousBackups'; table: string; region: string | undefined }
  | { kind: 'restoreToPointInTime'; request: RestoreToPointInTimeRequest }
  /** DescribeTable, and ListTagsOfResource of the table found when withTags. */
  | { kind: 'describeTable'; tableName: string; withTags?: boolean }
  | { kind: 'tagTable'; tableArn: string; tags: Record<string, string> }
  /** DescribeTable, then (when the table exists) the reads named. */
  | { kind: 'describeSettings'; tableName: string; read: SettingRead[] }
  | { kind: 'changeSetting'; tableName: string; tableArn: string; change: SettingChange }
  | { kind: 'deleteTable'; tableName: string }
  /** Remove this operator's finalizer: the resource may go. */
  | { kind: 'releaseFinalizer' }
  /** End this reconcile and look again after the delay. */
  | { kind: 'requeue'; afterMs: number }
  /** End this reconcile as failed: retry with the controller's per-key backoff. */
  | { kind: 'backoff' }
  /** Nothing more to do, ever (a final phase). */
  | { kind: 'done' };

export interface Step {
  status: DynamoDBRestoreStatus;
  action: Action;
}

export interface PlanOptions {
  /** DescribeTable polling while CREATING: a tenth of the time elapsed, within these bounds. */
  pollMinMs: number;
  pollMaxMs: number;
  /** Clock difference tolerated between this operator and AWS when judging a found table's CreationDateTime. */
  adoptionSkewMs: number;
  /** The Region of resources without spec.region, when the operator knows it (else the SDK's chain decides). */
  defaultRegion?: string;
  /** Restore in namespaces no DynamoDBRestorePolicy governs (single-team installs); false: they get no restore. */
  allowUngovernedNamespaces: boolean;
}

/**
 * A found table is adopted only after a crash between the restore call and the status write; its CreationDateTime
 * then follows restoreRequestedAt, so the allowance is clock skew between this operator and AWS, nothing more.
 */
export const DEFAULT_PLAN_OPTIONS: PlanOptions = { pollMinMs: 2_000, pollMaxMs: 120_000, adoptionSkewMs: 5_000, allowUngovernedNamespaces: false };

/** A queued resource is woken when a slot frees; this is the safety net if a wake-up is missed. */
export const QUEUED_RECHECK_MS = 60_000;

/** A backup still being created is looked at again after this long. */
export const BACKUP_NOT_READY_DELAY_MS = 30_000;

/** Tags that mark a restored table as this resource's: the uid is the proof, the name is for people. */
export const OWNER_TAG = 'dynamodb.restore.dev/owner';
export const OWNER_UID_TAG = 'dynamodb.restore.dev/owner-uid';

export function ownerTags(restore: DynamoDBRestore): Record<string, string> {
  return { [OWNER_TAG]: `${restore.metadata.namespace}/${restore.metadata.name}`.slice(0, 256), [OWNER_UID_TAG]: restore.metadata.uid };
}

/** The owner-uid tag among a table's tags, if there is one (an own property only: tags are anyone's to write). */
export function ownerUid(tags: Record<string, string> | undefined): string | undefined {
  return tags && Object.hasOwn(tags, OWNER_UID_TAG) ? tags[OWNER_UID_TAG] : undefined;
}

/** The Region in a DynamoDB ARN (arn:partition:dynamodb:REGION:account:...). */
export function arnRegion(arn: string): string {
  return arn.split(':')[3] ?? '';
}

export const Reason = {
  Validating: 'Validating',
  BackupNotReady: 'BackupNotReady',
  PolicyDenied: 'PolicyDenied',
  PolicyRequired: 'PolicyRequired',
  TableClaimed: 'TableClaimed',
  PointInTimeRecoveryUnavailable: 'PointInTimeRecoveryUnavailable',
  InvalidRestoreTime: 'InvalidRestoreTime',
  BackupNotFound: 'BackupNotFound',
  CrossRegionNeedsSSE: 'CrossRegionNeedsSSE',
  RestoreRequested: 'RestoreRequested',
  Restoring: 'Restoring',
  Completed: 'RestoreCompleted',
  TableAlreadyExists: 'TableAlreadyExists',
  TableLost: 'TableLost',
  KMSKeyUnavailable: 'KMSKeyUnavailable',
  Queued: 'Queued',
  Configuring: 'Configuring',
  SettingConflict: 'SettingConflict',
  DeletingTable: 'DeletingTable',
  DeletionWaiting: 'DeletionWaiting',
  DeletionRefused: 'DeletionRefused',
  TableNotOwned: 'TableNotOwned',
  DeletionFailed: 'DeletionFailed',
} as const;

/** Status messages are sentences, not dumps: a long AWS answer or policy is cut (a status write must stay small). */
export const MAX_STATUS_MESSAGE = 4096;

/** Reasons that need a person's attention even though the resource has not failed: Warning events. */
export const WARNING_REASONS: ReadonlySet<string> = new Set([Reason.DeletionRefused, Reason.DeletionFailed, Reason.TableNotOwned]);

/** Tables busy with an operation of their own (a restore, an update) take no other until ACTIVE again. */
export const SETTLING_DELAY_MS = 5_000;

const FINAL: ReadonlySet<Phase | undefined> = new Set<Phase | undefined>(['Completed', 'Failed']);

export function isFinal(restore: DynamoDBRestore): boolean {
  return FINAL.has(restore.status?.phase);
}

/** policies: every DynamoDBRestorePolicy in the cluster; the ones governing the restore's namespace apply. */
export function planRestore(
  restore: DynamoDBRestore,
  observation: Observation,
  now: Date,
  options: PlanOptions,
  policies: readonly DynamoDBRestorePolicy[] = [],
): Step {
  const current = restore.status ?? {};
  // A final resource costs no AWS call; a spec edit since (deletionPolicy) is only acknowledged, so that
  // `kubectl wait` on its conditions sees the generation it waits for.
  if (isFinal(restore)) return { status: observedAt(current, restore.metadata.generation), action: { kind: 'done' } };
  // An answer that belongs to another phase (or to the deletion plan) is no basis for a decision: start afresh.
  const configuring = current.phase === 'Configuring';
  const kind = observation.kind;
  const slotOrClaimAnswer = kind === 'slotGranted' || kind === 'slotQueued' || kind === 'claimGranted' || kind === 'claimHeld';
  if (((kind === 'settingsDescribed' || kind === 'settingChanged') && !configuring) || (slotOrClaimAnswer && current.restoreRequestedAt)) {
    return planRestore(restore, { kind: 'nothing' }, now, options, policies);
  }

  const { spec } = restore;
  // An answer from AWS other than an error means the last error is over: it leaves the status.
  const { lastError, ...rest } = current;
  // (A claim answer is the operator's own, not AWS's.)
  const errorPersists = observation.kind === 'nothing' || observation.kind === 'failed' || observation.kind === 'claimGranted';
  const base: DynamoDBRestoreStatus = {
    ...(errorPersists && lastError ? { ...rest, lastError } : rest),
    observedGeneration: restore.metadata.generation,
    // The backup: named by the spec, or found by a lookup and kept (a lookup runs once).
    backupArn: spec.source.backupArn ?? current.backupArn,
  };
  const source = sourceSummary(spec, base.backupArn);
  if (source) base.source = source;
  const ctx = { tableName: spec.targetTableName, backupArn: base.backupArn };
  // Before AWS has answered the restore call, a table found under the name may only be adopted: its tags decide.
  const describe: Action = { kind: 'describeTable', tableName: spec.targetTableName, ...(!base.startTime && { withTags: true }) };
  const deny = (backupArn: string | undefined): Step | undefined => {
    const { namespace } = restore.metadata;
    if (!options.allowUngovernedNamespaces && !policies.some((p) => governs(p, namespace))) {
      const message =
        `No DynamoDBRestorePolicy governs namespace ${namespace}, and this operator restores only in governed namespaces. ` +
        'A cluster administrator (the platform team) can create one that lists it in spec.namespaces; a team cannot.';
      return fail(restore, base, { code: 'PolicyRequired', reason: Reason.PolicyRequired, message, retry: { kind: 'terminal' } }, now);
    }
    const denial = checkPolicies(restore, policies, options.defaultRegion, backupArn);
    return denial && fail(restore, base, { code: 'PolicyDenied', reason: Reason.PolicyDenied, message: denial.message, retry: { kind: 'terminal' } }, now);
  };

  switch (observation.kind) {
    case 'nothing': {
      if (configuring) return configure(restore, base);
      if (base.restoreRequestedAt) return { status: base, action: describe };
      // Guardrails before any AWS call; once the restore is requested, a later policy change does not abort it.
      // The claim comes after them, so a refused resource never holds a name another may need. Asking for it writes
      // nothing: the status moves on with the claim's answer.
      return deny(base.backupArn ?? pointInTimeSource(spec)) ?? { status: current, action: { kind: 'claimTable' } };
    }

    case 'claimHeld': {
      const holder = splitKey(observation.holder);
      const who = holder.namespace === restore.metadata.namespace ? `DynamoDBRestore ${holder.name} in this namespace` : 'a DynamoDBRestore in another namespace';
      const where = `${spec.region ?? options.defaultRegion ?? "the operator's Region"}`;
      const message =
        `Table ${spec.targetTableName} in ${where} is already claimed by ${who}: one resource per table, so this one makes no AWS call. ` +
        'Choose another targetTableName in a new DynamoDBRestore, or delete the other resource first.';
      return fail(restore, base, { code: 'TableClaimed', reason: Reason.TableClaimed, message, retry: { kind: 'terminal' } }, now);
    }

    case 'claimGranted': {
      // Validated already: only the slot is missing. Waiting costs no AWS call.
      if (base.phase === 'Queued') return { status: base, action: { kind: 'acquireSlot' } };
      const pit = spec.source.pointInTime;
      if (pit) {
        const table = pit.sourceTableArn ?? pit.sourceTableName ?? '';
        return {
          status: ready({ ...base, phase: 'Validating' }, restore, 'False', Reason.Validating, `Checking point-in-time recovery of table ${table}.`, now),
          action: { kind: 'describeContinuousBackups', table, region: pit.sourceTableArn ? arnRegion(pit.sourceTableArn) : spec.region },
        };
      }
      const lookup = spec.source.backup;
      const checking = base.backupArn
        ? `Checking backup ${base.backupArn}.`
        : `Looking for the newest AVAILABLE backup ${lookup?.backupName ? `named ${lookup.backupName} ` : ''}of table ${lookup?.tableName ?? ''}.`;
      return {
        // A backup being waited for keeps its BackupNotReady reason between looks (no event each look).
        status: base.phase === 'Validating' ? base : ready({ ...base, phase: 'Validating' }, restore, 'False', Reason.Validating, checking, now),
        action: base.backupArn
          ? { kind: 'describeBackup', backupArn: base.backupArn, region: arnRegion(base.backupArn) }
          : { kind: 'listBackups', tableName: lookup?.tableName ?? '', region: spec.region },
      };
    }

    case 'backupsListed': {
      const lookup = spec.source.backup;
      const found = observation.backups
        .filter((b) => b.status === 'AVAILABLE' && b.sourceTableName === lookup?.tableName && (lookup?.latest || b.name === lookup?.backupName))
        .sort((a, b) => Date.parse(b.createdAt ?? '') - Date.parse(a.createdAt ?? ''))[0];
      if (!found) {
        const what = lookup?.backupName ? `named ${lookup.backupName} ` : '';
        const where = spec.region ?? options.defaultRegion ?? "the operator's Region";
        const message = `No AVAILABLE backup ${what}of table ${lookup?.tableName ?? ''} in ${where}; check \`aws dynamodb list-backups --table-name ${lookup?.tableName ?? ''}\`.`;
        return fail(restore, base, { code: 'BackupNotFoundException', reason: Reason.BackupNotFound, message, retry: { kind: 'terminal' } }, now);
      }
      return deny(found.arn) ?? acceptBackup(restore, { ...base, backupArn: found.arn }, found, now, options);
    }

    case 'backupDescribed':
      return acceptBackup(restore, base, observation.backup, now, options);

    case 'continuousBackupsDescribed': {
      const { pitr } = observation;
      const source = pointInTimeSource(spec) ?? '';
      if (pitr.status !== 'ENABLED') {
        const message = `Point-in-time recovery is ${pitr.status} on table ${source}: enable it (it then covers the time from that moment on) or restore from a backup in a new DynamoDBRestore.`;
        return fail(restore, base, { code: 'PointInTimeRecoveryUnavailableException', reason: Reason.PointInTimeRecoveryUnavailable, message, retry: { kind: 'terminal' } }, now);
      }
      const at = spec.source.pointInTime?.restoreDateTime;
      if (at && ((pitr.earliest && Date.parse(at) < Date.parse(pitr.earliest)) || (pitr.latest && Date.parse(at) > Date.parse(pitr.latest)))) {
        const message = `Table ${source} can be restored to a moment between ${pitr.earliest ?? '?'} and ${pitr.latest ?? '?'}, not ${at}; choose one in that window in a new DynamoDBRestore.`;
        return fail(restore, base, { code: 'InvalidRestoreTimeException', reason: Reason.InvalidRestoreTime, message, retry: { kind: 'terminal' } }, now);
      }
      return awaitSlot(restore, base, now);
    }

    case 'slotGranted':
      return requestRestore(restore, base, now);

    case 'slotQueued': {
      const { position, inUse, capacity } = observation;
      const region = spec.region ?? options.defaultRegion ?? "the operator's Region";
      const message =
        `Waiting for a restore slot in ${region}: ${inUse} of ${capacity} restores are in progress; this one is number ${position} in the queue ` +
        '(served in turn across namespaces).';
      // The Ready reason stays Queued as the position moves: one event for entering the queue, not one per move.
      return {
        status: ready({ ...base, phase: 'Queued', queuePosition: position }, restore, 'False', Reason.Queued, message, now),
        action: { kind: 'requeue', afterMs: QUEUED_RECHECK_MS },
      };
    }

    case 'restoreStarted':
      return track(restore, { ...base, startTime: now.toISOString() }, observation.table, now, options, true);

    case 'described': {
      const { table } = observation;
      if (!table) {
        if (base.startTime) {
          return fail(
            restore,
            base,
            { code: 'TableNotFound', reason: Reason.TableLost, message: `Table ${spec.targetTableName} disappeared while it was being restored; AWS deletes a table whose restore fails (for example when the KMS key was disabled). Create a new DynamoDBRestore to try again.`, retry: { kind: 'terminal' } },
            now,
          );
        }
        // The restore call never took effect (or its answer was lost before it did): make it (again).
        return requestRestore(restore, base, now);
      }
      if (base.startTime) return track(restore, base, table, now, options);
      // Our call's answer was lost (a crash before the status write): the table stands in for that answer.
      if (adoptable(restore, base, table, observation.tags, options)) {
        return track(restore, { ...base, startTime: table.createdAt ?? now.toISOString() }, table, now, options, true);
      }
      return fail(restore, base, classifyError(new AwsError('TableAlreadyExistsException', '', 'RestoreTableFromBackup'), ctx), now);
    }

    case 'tagged':
      if (requestedSettings(spec).length === 0) return complete(restore, base, now);
      return configure(
        restore,
        ready({ ...base, phase: 'Configuring' }, restore, 'False', Reason.Configuring, `Table ${spec.targetTableName} is ACTIVE; applying tableSettings.`, now),
      );

    case 'settingsDescribed': {
      const observed = observation.settings;
      if (!observed) {
        const message = `Table ${spec.targetTableName} disappeared while its tableSettings were applied; it is not restored again. Create a new DynamoDBRestore to try again.`;
        return fail(restore, base, { code: 'TableNotFound', reason: Reason.TableLost, message, retry: { kind: 'terminal' } }, now);
      }
      const requested = requestedSettings(spec);
      const verdicts = requested.map((name) => ({ name, verdict: judgeSetting(name, spec, observed) }));
      const applied = verdicts.filter((v) => v.verdict.kind === 'applied').map((v) => v.name);
      const withApplied: DynamoDBRestoreStatus = { ...base, appliedSettings: applied, tableStatus: observed.table.status };
      const pending = verdicts.find((v) => v.verdict.kind !== 'applied');
      // All in place, but the last change may still be settling (a stream: UPDATING): done once ACTIVE again.
      if (!pending && observed.table.status === 'ACTIVE') return complete(restore, withApplied, now);
      if (!pending) {
        return {
          status: ready({ ...withApplied, phase: 'Configuring' }, restore, 'False', Reason.Configuring, `Every tableSetting is in place; waiting for table ${spec.targetTableName} to be ACTIVE again (it is ${observed.table.status}).`, now),
          action: { kind: 'requeue', afterMs: SETTLING_DELAY_MS },
        };
      }
      const { name, verdict } = pending;
      const progress = `${applied.length} of ${requested.length} tableSettings in place`;
      if (verdict.kind === 'conflict') {
        const message = `Table ${spec.targetTableName} is restored and ACTIVE, but tableSettings.${name} cannot be applied: ${verdict.why}. Change it on the table by hand (${progress}); the resource stays Failed.`;
        return fail(restore, withApplied, { code: 'SettingConflict', reason: Reason.SettingConflict, message, retry: { kind: 'terminal' } }, now);
      }
      // UpdateTable and friends are refused while the table is busy with an earlier change.
      if (verdict.kind !== 'change' || observed.table.status !== 'ACTIVE') {
        const why = verdict.kind === 'wait' ? verdict.why : `the table is ${observed.table.status}`;
        return {
          status: ready({ ...withApplied, phase: 'Configuring' }, restore, 'False', Reason.Configuring, `Waiting to apply tableSettings.${name}: ${why} (${progress}).`, now),
          action: { kind: 'requeue', afterMs: SETTLING_DELAY_MS },
        };
      }
      return {
        status: ready({ ...withApplied, phase: 'Configuring' }, restore, 'False', Reason.Configuring, `Applying tableSettings.${name} (${progress}).`, now),
        action: { kind: 'changeSetting', tableName: spec.targetTableName, tableArn: base.tableArn ?? observed.table.arn ?? '', change: verdict.change },
      };
    }

    case 'settingChanged':
      // Read back rather than assume: the next judgement sees what AWS made of the change.
      return configure(restore, base);

    case 'tableDeleted':
      return planRestore(restore, { kind: 'nothing' }, now, options, policies);

    case 'failed': {
      const { error } = observation;
      // The target name is taken: by our own earlier call (adopt it) or by someone else's table (fail). Look first.
      if (error.code === 'TableAlreadyExistsException') return { status: base, action: describe };
      const classified = classifyError(error, ctx);
      if (classified.retry.kind === 'terminal') return fail(restore, base, classified, now);
      const status = ready(
        { ...base, phase: base.phase ?? 'Validating', lastError: { code: classified.code, message: classified.message, retryable: true } },
        restore,
        'False',
        classified.reason,
        classified.message,
        now,
      );
      const action: Action = classified.retry.kind === 'after' ? { kind: 'requeue', afterMs: classified.retry.delayMs } : { kind: 'backoff' };
      return { status, action };
    }
  }
}

/** Read the table and what its requested settings need, to judge them. */
function configure(restore: DynamoDBRestore, base: DynamoDBRestoreStatus): Step {
  return { status: base, action: { kind: 'describeSettings', tableName: restore.spec.targetTableName, read: settingReads(requestedSettings(restore.spec)) } };
}

function complete(restore: DynamoDBRestore, base: DynamoDBRestoreStatus, now: Date): Step {
  const { spec } = restore;
  const settings = base.appliedSettings?.length ? `; tableSettings applied: ${base.appliedSettings.join(', ')}` : '';
  return {
    status: ready(
      { ...base, phase: 'Completed', completionTime: now.toISOString() },
      restore,
      'True',
      Reason.Completed,
      `Table ${spec.targetTableName} is ACTIVE, restored from ${describeSource(spec, base)}${settings}.`,
      now,
    ),
    action: { kind: 'done' },
  };
}

/** A backup found (described, or picked from a list): it must be AVAILABLE, and a cross-Region one needs sse. */
function acceptBackup(restore: DynamoDBRestore, base: DynamoDBRestoreStatus, backup: BackupState, now: Date, options: PlanOptions): Step {
  const { spec } = restore;
  if (backup.status === 'CREATING') {
    const message = `Backup ${backup.name ?? backup.arn} is still being created; the operator looks again in ${BACKUP_NOT_READY_DELAY_MS / 1000}s.`;
    return {
      status: ready({ ...base, phase: 'Validating' }, restore, 'False', Reason.BackupNotReady, message, now),
      action: { kind: 'requeue', afterMs: BACKUP_NOT_READY_DELAY_MS },
    };
  }
  if (backup.status !== 'AVAILABLE') {
    const message = `Backup ${backup.name ?? backup.arn} is ${backup.status}, not AVAILABLE; choose another backup in a new DynamoDBRestore.`;
    return fail(restore, base, { code: `Backup${backup.status}`, reason: Reason.BackupNotFound, message, retry: { kind: 'terminal' } }, now);
  }
  const targetRegion = spec.region ?? options.defaultRegion;
  const backupRegion = arnRegion(backup.arn);
  if (targetRegion && backupRegion !== targetRegion && !spec.overrides?.sse) {
    const message = `Backup ${backup.arn} is in ${backupRegion} and the table would be restored in ${targetRegion}: a cross-Region restore needs overrides.sse; set it in a new DynamoDBRestore.`;
    return fail(restore, base, { code: 'CrossRegionRestoreWithoutSSE', reason: Reason.CrossRegionNeedsSSE, message, retry: { kind: 'terminal' } }, now);
  }
  return awaitSlot(restore, base, now);
}

/** Validated: a slot next, unless the restore was asked for already (it holds one). */
function awaitSlot(restore: DynamoDBRestore, base: DynamoDBRestoreStatus, now: Date): Step {
  return base.restoreRequestedAt ? requestRestore(restore, base, now) : { status: base, action: { kind: 'acquireSlot' } };
}

/** Restoring, with the moment of asking recorded first: a table found after a crash is ours only if made after it. */
function requestRestore(restore: DynamoDBRestore, current: DynamoDBRestoreStatus, now: Date): Step {
  const { spec } = restore;
  const { queuePosition: _left, ...base } = current;
  return {
    status: ready(
      { ...base, phase: 'Restoring', restoreRequestedAt: base.restoreRequestedAt ?? now.toISOString() },
      restore,
      'False',
      Reason.RestoreRequested,
      `Restoring table ${spec.targetTableName} from ${describeSource(spec, base)}.`,
      now,
    ),
    action: spec.source.pointInTime
      ? { kind: 'restoreToPointInTime', request: pointInTimeRequest(spec) }
      : { kind: 'restoreFromBackup', request: restoreRequest(spec, base.backupArn ?? '') },
  };
}

/** A point-in-time restore's source table, by ARN or name; undefined for a restore from a backup. */
function pointInTimeSource(spec: DynamoDBRestore['spec']): string | undefined {
  const pit = spec.source.pointInTime;
  return pit && (pit.sourceTableArn ?? pit.sourceTableName);
}

/** status.source: the backup's ARN, or the source table and moment (what `kubectl get` shows). */
function sourceSummary(spec: DynamoDBRestore['spec'], backupArn: string | undefined): string | undefined {
  const pit = spec.source.pointInTime;
  if (!pit) return backupArn;
  return `${pointInTimeSource(spec) ?? ''}@${pit.restoreDateTime ?? 'latest'}`;
}

/** What the table is restored from, for people: the backup, or the table and the moment. */
function describeSource(spec: DynamoDBRestore['spec'], base: DynamoDBRestoreStatus): string {
  const pit = spec.source.pointInTime;
  if (!pit) return `backup ${base.backupArn ?? ''}`;
  return `table ${pointInTimeSource(spec) ?? ''} as of ${pit.restoreDateTime ?? 'the latest restorable time'}`;
}

/**
 * Whether a RestoreSummary names exactly this resource's source: its backup, or its point-in-time source table (the
 * ARN itself, or by name the table of that name in the target Region: never a name that merely ends the same way).
 */
function fromOurSource(
  restore: DynamoDBRestore,
  base: DynamoDBRestoreStatus,
  defaultRegion?: string,
): (summary: RestoreSummary | undefined) => boolean {
  const pit = restore.spec.source.pointInTime;
  if (pit) {
    const region = restore.spec.region ?? defaultRegion;
    return (summary) => {
      const arn = summary?.sourceTableArn;
      if (arn === undefined) return false;
      if (pit.sourceTableArn !== undefined) return arn === pit.sourceTableArn;
      const parts = arn.split(':');
      return parts[5] === `table/${pit.sourceTableName ?? ''}` && (region === undefined || parts[3] === region);
    };
  }
  return (summary) => base.backupArn !== undefined && summary?.sourceBackupArn === base.backupArn;
}

/**
 * Whether a table found under the target name is the answer to this resource's own restore call, lost in a crash
 * before the status recorded it. Only then: the call was made (restoreRequestedAt) and never answered (no
 * startTime); the table carries no other resource's owner-uid tag; DynamoDB says it was restored from exactly this
 * source; and it was created after the call was asked for (within clock skew). The claim on the name (one live
 * resource per account, Region and table) rules out another resource of this operator.
 */
export function adoptable(
  restore: DynamoDBRestore,
  status: DynamoDBRestoreStatus,
  table: TableState,
  tags: Record<string, string> | undefined,
  options: Pick<PlanOptions, 'adoptionSkewMs' | 'defaultRegion'>,
): boolean {
  if (!status.restoreRequestedAt || status.startTime || !table.createdAt || tags === undefined) return false;
  const owner = ownerUid(tags);
  if (owner !== undefined && owner !== restore.metadata.uid) return false;
  if (!fromOurSource(restore, status, options.defaultRegion)(table.restoreSummary)) return false;
  return Date.parse(table.createdAt) >= Date.parse(status.restoreRequestedAt) - options.adoptionSkewMs;
}

/**
 * ownCall: the table is the answer to our own restore call (or its adoption), so it is ours: its identity (TableId,
 * CreationDateTime) is recorded. From then on a table under the name with another TableId is not ours.
 */
function track(restore: DynamoDBRestore, base: DynamoDBRestoreStatus, table: TableState, now: Date, options: PlanOptions, ownCall = false): Step {
  const name = restore.spec.targetTableName;
  if (base.tableId !== undefined && table.id !== base.tableId) {
    const message = `Table ${name} is not the table this resource restored (TableId ${table.id ?? 'unknown'}, not ${base.tableId}): it was deleted and replaced; it is left untouched.`;
    return fail(restore, base, { code: 'TableReplaced', reason: Reason.TableLost, message, retry: { kind: 'terminal' } }, now);
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
      // Without a recorded identity (a status from before it was kept), tag only what DynamoDB says came from our
      // source: if our restore failed and someone else made a table of that name meanwhile, it is not ours to mark.
      if (observed.tableId === undefined && !fromOurSource(restore, observed, options.defaultRegion)(table.restoreSummary)) {
        return fail(
          restore,
          observed,
          { code: 'TableReplaced', reason: Reason.TableLost, message: `Table ${name} is ACTIVE but was not restored from ${describeSource(restore.spec, observed)} (its RestoreSummary says otherwise); it is left untouched.`, retry: { kind: 'terminal' } },
          now,
        );
      }
      // Mark the table ours before calling it done: only a tagged table may ever be deleted or adopted by us.
      return {
        status: ready({ ...observed, phase: 'Restoring' }, restore, 'False', Reason.Restoring, `Table ${name} is ACTIVE; tagging it as restored by this resource.`, now),
        action: { kind: 'tagTable', tableArn: observed.tableArn ?? '', tags: ownerTags(restore) },
      };
    case 'INACCESSIBLE_ENCRYPTION_CREDENTIALS':
      return fail(
        restore,
        observed,
        { code: table.status, reason: Reason.KMSKeyUnavailable, message: `Table ${name} cannot reach its KMS key (INACCESSIBLE_ENCRYPTION_CREDENTIALS); enable the key or grant the operator access to it.`, retry: { kind: 'terminal' } },
        now,
      );
    case 'DELETING':
    case 'ARCHIVING':
    case 'ARCHIVED':
      return fail(
        restore,
        observed,
        { code: table.status, reason: Reason.TableLost, message: `Table ${name} is ${table.status} while it was being restored; the restore cannot complete.`, retry: { kind: 'terminal' } },
        now,
      );
    default: {
      const elapsedMs = now.getTime() - Date.parse(observed.startTime ?? now.toISOString());
      return {
        status: ready(
          { ...observed, phase: 'Restoring' },
          restore,
          'False',
          Reason.Restoring,
          `Table ${name} is ${table.status} (${formatDuration(elapsedMs)}).`,
          now,
        ),
        action: { kind: 'requeue', afterMs: pollDelay(elapsedMs, options) },
      };
    }
  }
}

/** Restores take minutes to hours: poll often at first, then at a tenth of the time spent so far. */
export function pollDelay(elapsedMs: number, options: PlanOptions): number {
  return Math.min(options.pollMaxMs, Math.max(options.pollMinMs, Math.round(elapsedMs / 10)));
}

/**
 * Failed for good: Ready False, and a Failed condition True with the same reason (Job's and kstatus's convention),
 * so `kubectl wait --for=condition=Failed` ends as soon as the restore has failed.
 */
export function fail(restore: DynamoDBRestore, base: DynamoDBRestoreStatus, error: ClassifiedError, now: Date): Step {
  const status = ready(
    { ...base, phase: 'Failed', completionTime: now.toISOString(), lastError: { code: truncate(error.code, 256), message: truncate(error.message, MAX_STATUS_MESSAGE), retryable: false } },
    restore,
    'False',
    error.reason,
    error.message,
    now,
  );
  const failed = { type: 'Failed', status: 'True' as const, reason: error.reason, message: truncate(error.message, MAX_STATUS_MESSAGE), observedGeneration: restore.metadata.generation };
  return { status: { ...status, conditions: setCondition(status.conditions, failed, now) }, action: { kind: 'done' } };
}

/** The status as describing this generation: observedGeneration, its own and every condition's. */
function observedAt(status: DynamoDBRestoreStatus, generation: number): DynamoDBRestoreStatus {
  if (status.observedGeneration === generation && (status.conditions ?? []).every((c) => c.observedGeneration === generation)) return status;
  return { ...status, observedGeneration: generation, ...(status.conditions && { conditions: status.conditions.map((c) => ({ ...c, observedGeneration: generation })) }) };
}

export function ready(
  status: DynamoDBRestoreStatus,
  restore: DynamoDBRestore,
  value: 'True' | 'False',
  reason: string,
  message: string,
  now: Date,
): DynamoDBRestoreStatus {
  const lastError = status.lastError && { ...status.lastError, code: truncate(status.lastError.code, 256), message: truncate(status.lastError.message, MAX_STATUS_MESSAGE) };
  return {
    ...status,
    ...(lastError && { lastError }),
    conditions: setCondition(
      status.conditions,
      { type: 'Ready', status: value, reason, message: truncate(message, MAX_STATUS_MESSAGE), observedGeneration: restore.metadata.generation },
      now,
    ),
  };
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h}h${m}m` : m > 0 ? `${m}m${rest}s` : `${rest}s`;
}
