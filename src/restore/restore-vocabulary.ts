// The words the restore's decision core speaks: what an action found out (observations), what to do next (actions),
// a plan's step, its options and waits, and the one set of reasons every status, event and error uses.
import type { DynamoDBRestoreStatus, SettingName } from '../api/dynamodb-restore.ts';
import type {
  AwsError,
  BackupState,
  PointInTimeRecovery,
  RestoreFromBackupRequest,
  RestoreToPointInTimeRequest,
  SettingChange,
  TableState,
} from '../aws/dynamodb-port.ts';
import type { RecoveryPointState, RestoreJobRequest, RestoreJobState } from '../aws/backup-port.ts';
import type { ObservedSettings, SettingRead } from './table-settings.ts';

/** What the previous action found out; 'nothing' at the start of a reconcile. */
export type Observation =
  | { kind: 'nothing' }
  | { kind: 'backupDescribed'; backup: BackupState }
  | { kind: 'backupsListed'; backups: BackupState[] }
  | { kind: 'continuousBackupsDescribed'; pitr: PointInTimeRecovery }
  /** DescribeRecoveryPoint of source.recoveryPoint in its named vault. */
  | { kind: 'recoveryPointDescribed'; recoveryPoint: RecoveryPointState }
  | { kind: 'restoreStarted'; table: TableState }
  /** AWS Backup accepted StartRestoreJob (source.recoveryPoint): the job's id. */
  | { kind: 'restoreJobStarted'; restoreJobId: string }
  | { kind: 'restoreJobDescribed'; job: RestoreJobState }
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
  /** AWS Backup DescribeRecoveryPoint in the named vault, in the target Region (the recovery point's). */
  | { kind: 'describeRecoveryPoint'; backupVaultName: string; recoveryPointArn: string }
  /** AWS Backup StartRestoreJob of a recovery point, in the target Region. */
  | { kind: 'startRestoreJob'; request: RestoreJobRequest }
  | { kind: 'describeRestoreJob'; restoreJobId: string }
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
  /** End this reconcile and retry with the controller's per-key backoff (a retryable error is in the status). */
  | { kind: 'backoff' }
  /** Nothing more to do, ever (a final phase). */
  | { kind: 'done' };

/** One step of a plan: the status to write, then the action to take. */
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

/** Tables busy with an operation of their own (a restore, an update) take no other until ACTIVE again. */
export const SETTLING_DELAY_MS = 5_000;

/**
 * Every reason a Ready or Failed condition and an event can carry: the plan's own steps and findings, and what the
 * error map (restore-errors.ts) makes of AWS's errors. One list, so a reason means the same wherever it appears.
 */
export const Reason = {
  // The restore's own steps.
  Validating: 'Validating',
  BackupNotReady: 'BackupNotReady',
  Queued: 'Queued',
  RestoreRequested: 'RestoreRequested',
  Restoring: 'Restoring',
  Configuring: 'Configuring',
  Completed: 'RestoreCompleted',
  // Deleting the resource (restore-deletion.ts).
  DeletingTable: 'DeletingTable',
  DeletionWaiting: 'DeletionWaiting',
  DeletionRefused: 'DeletionRefused',
  TableNotOwned: 'TableNotOwned',
  DeletionFailed: 'DeletionFailed',
  // Failures the plan finds itself, and AWS errors of the same meaning.
  PolicyDenied: 'PolicyDenied',
  PolicyRequired: 'PolicyRequired',
  TableClaimed: 'TableClaimed',
  BackupNotFound: 'BackupNotFound',
  CrossRegionNeedsSSE: 'CrossRegionNeedsSSE',
  PointInTimeRecoveryUnavailable: 'PointInTimeRecoveryUnavailable',
  InvalidRestoreTime: 'InvalidRestoreTime',
  TableAlreadyExists: 'TableAlreadyExists',
  RecoveryPointNotFound: 'RecoveryPointNotFound',
  RecoveryPointNotRestorable: 'RecoveryPointNotRestorable',
  RestoreJobFailed: 'RestoreJobFailed',
  TableLost: 'TableLost',
  KMSKeyUnavailable: 'KMSKeyUnavailable',
  SettingConflict: 'SettingConflict',
  // The rest of the error map's.
  BackupInUse: 'BackupInUse',
  TableInUse: 'TableInUse',
  ResourceInUse: 'ResourceInUse',
  LimitExceeded: 'LimitExceeded',
  ContinuousBackupsUnavailable: 'ContinuousBackupsUnavailable',
  SourceTableNotFound: 'SourceTableNotFound',
  NotFound: 'NotFound',
  InvalidRequest: 'InvalidRequest',
  AccessDenied: 'AccessDenied',
  AssumeRoleDenied: 'AssumeRoleDenied',
  ClusterNameRequired: 'ClusterNameRequired',
  RegionNotEnabled: 'RegionNotEnabled',
  InvalidCredentials: 'InvalidCredentials',
  ClockSkew: 'ClockSkew',
  Throttled: 'Throttled',
  AWSInternalError: 'AWSInternalError',
  NetworkError: 'NetworkError',
  Timeout: 'Timeout',
  UnexpectedError: 'UnexpectedError',
} as const;

export type Reason = (typeof Reason)[keyof typeof Reason];

/** Reasons that need a person's attention even though the resource has not failed: Warning events. */
export const WARNING_REASONS: ReadonlySet<string> = new Set<Reason>([Reason.DeletionRefused, Reason.DeletionFailed, Reason.TableNotOwned]);
