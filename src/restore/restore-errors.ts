// The one error map: every error code the restore's AWS calls document (DescribeBackup, ListBackups,
// RestoreTableFromBackup, RestoreTableToPointInTime, DescribeContinuousBackups, DescribeTable, TagResource,
// ListTagsOfResource, DescribeTimeToLive, UpdateTimeToLive, UpdateTable, UpdateContinuousBackups, DeleteTable, AWS
// Backup's DescribeRecoveryPoint, StartRestoreJob and DescribeRestoreJob for spec.source.recoveryPoint, and STS AssumeRole for
// spec.credentials) and the common errors of every AWS API, classified once as terminal, retry
// after a named wait, or retry with backoff, with the reason and the sentence the status and events show; and the
// failures the plan finds itself, under the operator's own codes, with their reasons.
import type { AwsError } from '../aws/dynamodb-port.ts';
import { truncate } from '../runtime/error-message.ts';
import { Reason } from './restore-vocabulary.ts';

export type Retry =
  | { kind: 'terminal' }
  /** A known condition that clears with time: look again after this long. */
  | { kind: 'after'; delayMs: number }
  /** A fault of unknown duration: per-key exponential backoff. */
  | { kind: 'backoff' };

export interface ClassifiedError {
  code: string;
  reason: Reason;
  message: string;
  retry: Retry;
}

/** The IAM action each call needs; AccessDenied names it so an admin knows what to grant. */
const IAM_ACTION: Record<string, string> = {
  RestoreTableFromBackup:
    'dynamodb:RestoreTableFromBackup (and the table writes a restore performs: dynamodb:PutItem, UpdateItem, ' +
    'DeleteItem, GetItem, Query, Scan, BatchWriteItem on the target table)',
  DescribeTable: 'dynamodb:DescribeTable',
  DescribeBackup: 'dynamodb:DescribeBackup',
  ListBackups: 'dynamodb:ListBackups',
  DescribeContinuousBackups: 'dynamodb:DescribeContinuousBackups',
  RestoreTableToPointInTime:
    'dynamodb:RestoreTableToPointInTime on the source table (and the table writes a restore performs on the target: ' +
    'dynamodb:PutItem, UpdateItem, DeleteItem, GetItem, Query, Scan, BatchWriteItem)',
  TagResource: 'dynamodb:TagResource',
  ListTagsOfResource: 'dynamodb:ListTagsOfResource',
  DescribeTimeToLive: 'dynamodb:DescribeTimeToLive',
  UpdateTimeToLive: 'dynamodb:UpdateTimeToLive',
  UpdateTable: 'dynamodb:UpdateTable',
  UpdateContinuousBackups: 'dynamodb:UpdateContinuousBackups',
  DeleteTable: 'dynamodb:DeleteTable (on tables tagged dynamodb.restore.dev/owner-uid)',
  DescribeRecoveryPoint: 'backup:DescribeRecoveryPoint',
  StartRestoreJob: 'backup:StartRestoreJob, and iam:PassRole on the role in spec.source.recoveryPoint.iamRoleArn',
  DescribeRestoreJob: 'backup:DescribeRestoreJob',
};

const SECOND = 1_000;

interface Rule {
  reason: Reason;
  retry: Retry;
  sentence: (e: AwsError, ctx: ErrorContext) => string;
}

export interface ErrorContext {
  tableName: string;
  backupArn?: string;
}

/** AWS's own words, cut so that one long answer cannot swell a status. */
const MAX_AWS_MESSAGE = 1024;
const aws = (e: AwsError) => (e.message ? ` AWS said: ${truncate(e.message, MAX_AWS_MESSAGE)}` : '');

const throttled: Rule = {
  reason: Reason.Throttled,
  retry: { kind: 'after', delayMs: 5 * SECOND },
  sentence: (e) => `AWS throttled ${e.operation}; the operator slows down and retries.`,
};

const internal: Rule = {
  reason: Reason.AWSInternalError,
  retry: { kind: 'backoff' },
  sentence: (e) => `AWS had an internal error on ${e.operation}; the operator retries with backoff.${aws(e)}`,
};

const accessDenied: Rule = {
  reason: Reason.AccessDenied,
  retry: { kind: 'terminal' },
  sentence: (e) =>
    `The operator's AWS identity may not call ${e.operation}: grant ${IAM_ACTION[e.operation] ?? `dynamodb:${e.operation}`}, ` +
    `keep the policy unchanged until the restore completes, then create a new DynamoDBRestore.${aws(e)}`,
};

const validation: Rule = {
  reason: Reason.InvalidRequest,
  retry: { kind: 'terminal' },
  sentence: (e) => `AWS rejected the ${e.operation} request; fix the spec in a new DynamoDBRestore.${aws(e)}`,
};

const invalidCredentials: Rule = {
  reason: Reason.InvalidCredentials,
  retry: { kind: 'backoff' },
  sentence: (e) => `AWS did not accept the operator's credentials; check its IAM role (IRSA or Pod Identity) or keys.${aws(e)}`,
};

const sourceTableNotFound: Rule = {
  reason: Reason.SourceTableNotFound,
  retry: { kind: 'terminal' },
  sentence: (e) => `The point-in-time restore's source table does not exist in this account and Region; check spec.source.pointInTime.${aws(e)}`,
};

/**
 * AWS Backup's errors of DescribeRecoveryPoint, StartRestoreJob and DescribeRestoreJob (AWS Backup API Reference,
 * "DescribeRecoveryPoint", "StartRestoreJob" and "DescribeRestoreJob", Errors), for the codes whose meaning there differs from DynamoDB's or STS's; the rest
 * (AccessDeniedException, ServiceUnavailableException, throttling) mean the same and share the rules below.
 */
const BACKUP_RULES: Record<string, Rule> = {
  // Asked of the named vault: the vault does not exist, or does not hold this recovery point.
  'DescribeRecoveryPoint/ResourceNotFoundException': {
    reason: Reason.RecoveryPointNotFound,
    retry: { kind: 'terminal' },
    sentence: (e) =>
      'The backup vault in spec.source.recoveryPoint.backupVaultName does not hold that recovery point in this account and Region ' +
      '(or the vault does not exist); check it with `aws backup list-recovery-points-by-backup-vault --backup-vault-name <vault>`, ' +
      `then create a new DynamoDBRestore.${aws(e)}`,
  },
  'StartRestoreJob/ResourceNotFoundException': {
    reason: Reason.RecoveryPointNotFound,
    retry: { kind: 'terminal' },
    sentence: (e) =>
      'The recovery point in spec.source.recoveryPoint does not exist in this account and Region (or its vault is gone); ' +
      `check it with \`aws backup list-recovery-points-by-backup-vault\`, then create a new DynamoDBRestore.${aws(e)}`,
  },
  'DescribeRestoreJob/ResourceNotFoundException': {
    reason: Reason.NotFound,
    retry: { kind: 'terminal' },
    sentence: (e) => `AWS Backup no longer knows the restore job recorded in status.restoreJobId; create a new DynamoDBRestore to restore again.${aws(e)}`,
  },
};

/** A parameter AWS Backup refuses: the spec's recovery point, role or table name is wrong for this restore. */
const backupParameter: Rule = {
  reason: Reason.InvalidRequest,
  retry: { kind: 'terminal' },
  sentence: (e) => `AWS Backup rejected the ${e.operation} request (its recovery point, IAM role or table name); fix spec.source.recoveryPoint in a new DynamoDBRestore.${aws(e)}`,
};

const RULES: Record<string, Rule> = {
  BackupNotFoundException: {
    reason: Reason.BackupNotFound,
    retry: { kind: 'terminal' },
    sentence: (_e, c) => `Backup ${c.backupArn ?? ''} does not exist in this account and Region; check the ARN with \`aws dynamodb list-backups\`.`,
  },
  BackupInUseException: {
    reason: Reason.BackupInUse,
    retry: { kind: 'after', delayMs: 30 * SECOND },
    sentence: () => 'The backup is being created, deleted or restored right now; the operator waits and tries again.',
  },
  TableAlreadyExistsException: {
    reason: Reason.TableAlreadyExists,
    retry: { kind: 'terminal' },
    sentence: (_e, c) =>
      `Table ${c.tableName} already exists and was not restored by this resource; it is left untouched. ` +
      'Delete it or choose another targetTableName in a new DynamoDBRestore.',
  },
  TableInUseException: {
    reason: Reason.TableInUse,
    retry: { kind: 'after', delayMs: 15 * SECOND },
    sentence: (_e, c) => `Table ${c.tableName} is being created, updated or deleted; the operator waits and tries again.`,
  },
  LimitExceededException: {
    reason: Reason.LimitExceeded,
    retry: { kind: 'after', delayMs: 60 * SECOND },
    sentence: () =>
      'The account has too many table operations in progress (DynamoDB allows 50 restores at once per account and ' +
      'Region, and 500 table operations in all); the ' +
      'operator waits for a slot and tries again.',
  },
  // RestoreTableToPointInTime and DescribeContinuousBackups.
  TableNotFoundException: sourceTableNotFound,
  SourceTableNotFoundException: sourceTableNotFound,
  PointInTimeRecoveryUnavailableException: {
    reason: Reason.PointInTimeRecoveryUnavailable,
    retry: { kind: 'terminal' },
    sentence: (e) => `Point-in-time recovery is not enabled on the source table; enable it or restore from a backup in a new DynamoDBRestore.${aws(e)}`,
  },
  InvalidRestoreTimeException: {
    reason: Reason.InvalidRestoreTime,
    retry: { kind: 'terminal' },
    sentence: (e) => `The restore time is outside the source table's restorable window; choose one inside it in a new DynamoDBRestore.${aws(e)}`,
  },
  // UpdateContinuousBackups on a table whose backups are still being switched on (a fresh restore).
  ContinuousBackupsUnavailableException: {
    reason: Reason.ContinuousBackupsUnavailable,
    retry: { kind: 'after', delayMs: 30 * SECOND },
    sentence: (_e, c) => `Backups of table ${c.tableName} are still being enabled; the operator turns on point-in-time recovery once they are.`,
  },
  ResourceInUseException: {
    reason: Reason.ResourceInUse,
    retry: { kind: 'after', delayMs: 15 * SECOND },
    sentence: (e, c) => `Table ${c.tableName} is busy with another operation (${e.operation}); the operator waits and tries again.`,
  },
  ValidationException: validation,
  ValidationError: validation,
  AccessDeniedException: accessDenied,
  NotAuthorized: accessDenied,
  // Credentials that are wrong now may be right after a rotation or a fixed IRSA annotation: keep trying, slowly.
  UnrecognizedClientException: invalidCredentials,
  InvalidClientTokenId: invalidCredentials,
  MissingAuthenticationToken: invalidCredentials,
  IncompleteSignature: invalidCredentials,
  ExpiredTokenException: invalidCredentials,
  RequestExpired: {
    reason: Reason.ClockSkew,
    retry: { kind: 'backoff' },
    sentence: (e) => `AWS found the ${e.operation} request expired; check the node's clock.${aws(e)}`,
  },
  OptInRequired: {
    reason: Reason.RegionNotEnabled,
    retry: { kind: 'terminal' },
    sentence: (e) => `The account is not subscribed to DynamoDB in this Region (OptInRequired); enable the Region, then create a new DynamoDBRestore.${aws(e)}`,
  },
  InvalidEndpointException: internal,
  CredentialsProviderError: invalidCredentials,
  // STS AssumeRole, for spec.credentials (its codes have no "Exception" suffix).
  AccessDenied: {
    reason: Reason.AssumeRoleDenied,
    retry: { kind: 'terminal' },
    sentence: (e) =>
      "The operator could not assume the role in spec.credentials: its trust policy must allow the operator's " +
      'identity sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity for this namespace (the ExternalId ' +
      `<cluster name>/<namespace>, the session tag dynamodb-restore-namespace); then create a new DynamoDBRestore.${aws(e)}`,
  },
  // Ours, raised before any call: spec.credentials on an operator without a cluster name to derive the ExternalId from.
  ClusterNameUnset: {
    reason: Reason.ClusterNameRequired,
    retry: { kind: 'terminal' },
    sentence: () =>
      'A restore with spec.credentials needs the operator to have a cluster name (CLUSTER_NAME, --cluster-name or ' +
      "the chart value clusterName), from which it derives the role session's ExternalId; the platform team sets " +
      'it, then create a new DynamoDBRestore.',
  },
  ExpiredToken: invalidCredentials,
  RegionDisabledException: {
    reason: Reason.RegionNotEnabled,
    retry: { kind: 'terminal' },
    sentence: (e) => `STS is not activated in this Region for the account; activate it in IAM, then create a new DynamoDBRestore.${aws(e)}`,
  },
  MalformedPolicyDocument: validation,
  PackedPolicyTooLarge: validation,
  ResourceNotFoundException: {
    reason: Reason.NotFound,
    retry: { kind: 'terminal' },
    sentence: (e) => `AWS reports a resource of ${e.operation} as not found.${aws(e)}`,
  },
  // AWS Backup (DescribeRecoveryPoint, StartRestoreJob, DescribeRestoreJob).
  InvalidParameterValueException: backupParameter,
  MissingParameterValueException: backupParameter,
  InvalidRequestException: backupParameter,
  DependencyFailureException: internal,
  InternalServerError: internal,
  InternalFailure: internal,
  ServiceUnavailable: internal,
  ServiceUnavailableException: internal,
  ThrottlingException: throttled,
  RequestLimitExceeded: throttled,
  ProvisionedThroughputExceededException: throttled,
  NetworkError: {
    reason: Reason.NetworkError,
    retry: { kind: 'backoff' },
    sentence: (e) => `The operator could not reach DynamoDB for ${e.operation}; it retries with backoff.${aws(e)}`,
  },
  TimeoutError: {
    reason: Reason.Timeout,
    retry: { kind: 'backoff' },
    sentence: (e) => `DynamoDB did not answer ${e.operation} in time; the operator retries with backoff.`,
  },
};

/** KMS trouble arrives as a ValidationException or AccessDenied whose message names KMS (the tutorial's caveat). */
const kmsUnavailable: Rule = {
  reason: Reason.KMSKeyUnavailable,
  retry: { kind: 'terminal' },
  sentence: (e) =>
    'The KMS key of the backup or of overrides.sse is disabled, deleted or not usable by the operator; enable it ' +
    `(and keep it enabled until the restore completes), then create a new DynamoDBRestore.${aws(e)}`,
};

const unknown: Rule = {
  reason: Reason.UnexpectedError,
  retry: { kind: 'backoff' },
  sentence: (e) => `${e.operation} failed with ${e.code}; the operator retries with backoff.${aws(e)}`,
};

export function classifyError(error: AwsError, ctx: ErrorContext): ClassifiedError {
  const isKms = /\bKMS\b/i.test(error.message) && (error.code === 'ValidationException' || error.code === 'AccessDeniedException');
  // Own properties only: a code such as "constructor" or "__proto__" is just an unknown code.
  const byOperation = `${error.operation}/${error.code}`;
  const rule = isKms
    ? kmsUnavailable
    : Object.hasOwn(BACKUP_RULES, byOperation)
      ? (BACKUP_RULES[byOperation] as Rule)
      : Object.hasOwn(RULES, error.code)
        ? (RULES[error.code] as Rule)
        : unknown;
  return { code: error.code, reason: rule.reason, message: rule.sentence(error, ctx), retry: rule.retry };
}

/**
 * Failures the plan finds itself, with no AWS call failing, under the operator's own codes: each terminal, with the
 * reason the status shows. The sentence is the plan's: it knows what was looked at.
 */
const FINDINGS = {
  PolicyRequired: Reason.PolicyRequired,
  PolicyDenied: Reason.PolicyDenied,
  TableClaimed: Reason.TableClaimed,
  // DescribeBackup found a backup that is not AVAILABLE (DELETED); not one in another Region without overrides.sse.
  BackupNotAvailable: Reason.BackupNotFound,
  CrossRegionRestoreWithoutSSE: Reason.CrossRegionNeedsSSE,
  // The table vanished, was replaced, or reached a status from which no restore completes.
  TableNotFound: Reason.TableLost,
  TableReplaced: Reason.TableLost,
  DELETING: Reason.TableLost,
  ARCHIVING: Reason.TableLost,
  ARCHIVED: Reason.TableLost,
  INACCESSIBLE_ENCRYPTION_CREDENTIALS: Reason.KMSKeyUnavailable,
  SettingConflict: Reason.SettingConflict,
  // An AWS Backup restore job that ended without our table: its StatusMessage is in the sentence.
  // A recovery point its vault reports as not restorable (DescribeRecoveryPoint): no restore job is started.
  RecoveryPointNotAvailable: Reason.RecoveryPointNotRestorable,
  RecoveryPointNotDynamoDB: Reason.RecoveryPointNotRestorable,
  RestoreJobFailed: Reason.RestoreJobFailed,
  RestoreJobAborted: Reason.RestoreJobFailed,
  RestoreJobCreatedOtherResource: Reason.RestoreJobFailed,
} as const satisfies Record<string, Reason>;

/**
 * AWS's codes for what the plan can find before AWS would say it (no backup fits a lookup; recovery off, or the
 * moment outside its window): their rule above applies.
 */
const AWS_FINDINGS = ['BackupNotFoundException', 'PointInTimeRecoveryUnavailableException', 'InvalidRestoreTimeException'] as const;

export type FindingCode = keyof typeof FINDINGS | (typeof AWS_FINDINGS)[number];

/** A failure the plan found: its reason and retry from the map, its sentence the plan's. */
export function classifyFinding(code: FindingCode, message: string): ClassifiedError {
  const { reason, retry } = Object.hasOwn(FINDINGS, code) ? { reason: FINDINGS[code as keyof typeof FINDINGS], retry: { kind: 'terminal' } as const } : (RULES[code] as Rule);
  return { code, reason, message, retry };
}

/** Every code the map knows, for tests that walk it: AWS's, and the plan's own findings. */
export const CLASSIFIED_CODES = Object.keys(RULES);
/** Codes whose rule depends on the operation, as operation/code. */
export const OPERATION_CODES = Object.keys(BACKUP_RULES);
export const FINDING_CODES: readonly FindingCode[] = [...(Object.keys(FINDINGS) as FindingCode[]), ...AWS_FINDINGS];
