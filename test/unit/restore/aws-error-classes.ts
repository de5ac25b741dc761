// What each error code must become, written down for a person to review against AWS's documents: the class
// (terminal, retry after a wait, retry with backoff), the wait, the reason, and where AWS says what the code means.
// Tests judge classifyError and planRestore against this table; nothing here is computed by the code under test.
//
// The documents: the DynamoDB API Reference, each action's "Errors" section (RestoreTableFromBackup,
// RestoreTableToPointInTime, DescribeBackup, DescribeTable, TagResource, UpdateContinuousBackups, ...) and its
// "Common Errors" page; the DynamoDB Developer Guide, "Error handling with DynamoDB"; the STS API Reference,
// AssumeRole's "Errors". The rule of thumb: what a person must fix is terminal, a named condition that clears by
// itself is waited out, a fault of unknown length is retried with backoff.

export interface ExpectedClass {
  retry: 'terminal' | 'after' | 'backoff';
  /** For 'after': the wait before the next try. */
  afterMs?: number;
  reason: string;
  /** Where AWS (or the SDK, or the operator) says what the code means. */
  source: string;
}

const API = 'DynamoDB API Reference';
const GUIDE = 'DynamoDB Developer Guide, "Error handling with DynamoDB"';
const COMMON = 'DynamoDB API Reference, "Common Errors"';
const BACKUP = 'AWS Backup API Reference';

/** Codes whose class depends on the operation (AWS Backup's ResourceNotFoundException names a recovery point or a job). */
export const OPERATION_ERROR_CLASSES: Record<string, ExpectedClass> = {
  'DescribeRecoveryPoint/ResourceNotFoundException': {
    retry: 'terminal',
    reason: 'RecoveryPointNotFound',
    source: `${BACKUP}, DescribeRecoveryPoint: "A resource that is required for the action doesn't exist." (the recovery point in the named vault)`,
  },
  'StartRestoreJob/ResourceNotFoundException': {
    retry: 'terminal',
    reason: 'RecoveryPointNotFound',
    source: `${BACKUP}, StartRestoreJob: "A resource that is required for the action doesn't exist." (the recovery point)`,
  },
  'DescribeRestoreJob/ResourceNotFoundException': {
    retry: 'terminal',
    reason: 'NotFound',
    source: `${BACKUP}, DescribeRestoreJob: "A resource that is required for the action doesn't exist." (the job)`,
  },
};

export const AWS_ERROR_CLASSES: Record<string, ExpectedClass> = {
  BackupNotFoundException: { retry: 'terminal', reason: 'BackupNotFound', source: `${API}, RestoreTableFromBackup: "Backup not found for the given BackupARN."` },
  BackupInUseException: {
    retry: 'after',
    afterMs: 30_000,
    reason: 'BackupInUse',
    source: `${API}, RestoreTableFromBackup: "another ongoing conflicting backup control plane operation on the table"`,
  },
  TableAlreadyExistsException: { retry: 'terminal', reason: 'TableAlreadyExists', source: `${API}, RestoreTableFromBackup: "A target table with the specified name already exists."` },
  TableInUseException: { retry: 'after', afterMs: 15_000, reason: 'TableInUse', source: `${API}, RestoreTableFromBackup: "being created or deleted"` },
  LimitExceededException: {
    retry: 'after',
    afterMs: 60_000,
    reason: 'LimitExceeded',
    source: `${API}, RestoreTableFromBackup: up to 500 simultaneous table operations per account (50 restores, Service quotas)`,
  },
  TableNotFoundException: { retry: 'terminal', reason: 'SourceTableNotFound', source: `${API}, RestoreTableToPointInTime: "A source table with the name TableName does not currently exist"` },
  SourceTableNotFoundException: { retry: 'terminal', reason: 'SourceTableNotFound', source: `${API}, RestoreTableToPointInTime` },
  PointInTimeRecoveryUnavailableException: {
    retry: 'terminal',
    reason: 'PointInTimeRecoveryUnavailable',
    source: `${API}, RestoreTableToPointInTime: "Point in time recovery has not yet been enabled for this source table."`,
  },
  InvalidRestoreTimeException: {
    retry: 'terminal',
    reason: 'InvalidRestoreTime',
    source: `${API}, RestoreTableToPointInTime: RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime`,
  },
  ContinuousBackupsUnavailableException: {
    retry: 'after',
    afterMs: 30_000,
    reason: 'ContinuousBackupsUnavailable',
    source: `${API}, UpdateContinuousBackups: "Backups have not yet been enabled for this table."`,
  },
  ResourceInUseException: {
    retry: 'after',
    afterMs: 15_000,
    reason: 'ResourceInUse',
    source: `${API}, TagResource, UpdateTable, UpdateTimeToLive, DeleteTable: "The operation conflicts with the resource's availability"`,
  },
  ResourceNotFoundException: { retry: 'terminal', reason: 'NotFound', source: `${API}, DescribeTable: "The operation tried to access a nonexistent table or index."` },
  ValidationException: { retry: 'terminal', reason: 'InvalidRequest', source: `${GUIDE}: the request is malformed; fix it before retrying` },
  ValidationError: { retry: 'terminal', reason: 'InvalidRequest', source: `${COMMON}: "The input fails to satisfy the constraints"` },
  AccessDeniedException: { retry: 'terminal', reason: 'AccessDenied', source: `${COMMON}: "You do not have sufficient access to perform this action."` },
  NotAuthorized: { retry: 'terminal', reason: 'AccessDenied', source: `${COMMON}: "You do not have permission to perform this action."` },
  OptInRequired: { retry: 'terminal', reason: 'RegionNotEnabled', source: `${COMMON}: "The AWS access key ID needs a subscription for the service."` },
  // Credentials that are wrong now may be right after a rotation or a fixed IRSA annotation.
  UnrecognizedClientException: { retry: 'backoff', reason: 'InvalidCredentials', source: `${GUIDE}: "The Access Key ID or security token is invalid."` },
  InvalidClientTokenId: { retry: 'backoff', reason: 'InvalidCredentials', source: `${COMMON}: the access key ID "does not exist in our records"` },
  MissingAuthenticationToken: { retry: 'backoff', reason: 'InvalidCredentials', source: `${GUIDE}: the request must contain a valid (registered) AWS access key ID` },
  IncompleteSignature: { retry: 'backoff', reason: 'InvalidCredentials', source: `${COMMON}: "The request signature does not conform to AWS standards."` },
  ExpiredTokenException: { retry: 'backoff', reason: 'InvalidCredentials', source: `${GUIDE}: the security token has expired; credentials refresh` },
  RequestExpired: { retry: 'backoff', reason: 'ClockSkew', source: `${COMMON}: the request reached the service more than 15 minutes after its date stamp` },
  InvalidParameterValueException: {
    retry: 'terminal',
    reason: 'InvalidRequest',
    source: `${BACKUP}, StartRestoreJob: "Indicates that something is wrong with a parameter's value. For example, the value is out of range."`,
  },
  MissingParameterValueException: { retry: 'terminal', reason: 'InvalidRequest', source: `${BACKUP}, StartRestoreJob: "Indicates that a required parameter is missing."` },
  InvalidRequestException: {
    retry: 'terminal',
    reason: 'InvalidRequest',
    source: `${BACKUP}, StartRestoreJob: "Indicates that something is wrong with the input to the request. For example, a parameter is of the wrong type."`,
  },
  DependencyFailureException: {
    retry: 'backoff',
    reason: 'AWSInternalError',
    source: `${BACKUP}, DescribeRestoreJob: "A dependent Amazon Web Services service or resource returned an error to the Backup service, and the action cannot be completed."`,
  },
  InternalServerError: { retry: 'backoff', reason: 'AWSInternalError', source: `${API}, every action: "An error occurred on the server side."` },
  InternalFailure: { retry: 'backoff', reason: 'AWSInternalError', source: `${COMMON}: "an unknown error, exception or failure"` },
  ServiceUnavailable: { retry: 'backoff', reason: 'AWSInternalError', source: `${COMMON}: "a temporary failure of the server"` },
  ServiceUnavailableException: { retry: 'backoff', reason: 'AWSInternalError', source: `${GUIDE}: the service is temporarily unavailable` },
  InvalidEndpointException: { retry: 'backoff', reason: 'AWSInternalError', source: `${API}, DescribeTable and RestoreTableFromBackup: listed with HTTP 421` },
  ThrottlingException: { retry: 'after', afterMs: 5_000, reason: 'Throttled', source: `${COMMON}: "The request was denied due to request throttling."` },
  RequestLimitExceeded: { retry: 'after', afterMs: 5_000, reason: 'Throttled', source: `${GUIDE}: throughput exceeds the current throughput limit for the account` },
  ProvisionedThroughputExceededException: { retry: 'after', afterMs: 5_000, reason: 'Throttled', source: `${GUIDE}: requests too frequent; retry with exponential backoff` },
  // STS AssumeRole, for spec.credentials.
  AccessDenied: { retry: 'terminal', reason: 'AssumeRoleDenied', source: 'STS API Reference, AssumeRole: the trust policy does not allow the caller' },
  ExpiredToken: { retry: 'backoff', reason: 'InvalidCredentials', source: 'STS API Reference, AssumeRole: "The web identity token that was passed is expired"' },
  RegionDisabledException: { retry: 'terminal', reason: 'RegionNotEnabled', source: 'STS API Reference, AssumeRole: STS is not activated in the requested Region' },
  MalformedPolicyDocument: { retry: 'terminal', reason: 'InvalidRequest', source: 'STS API Reference, AssumeRole: "The request was rejected because the policy document was malformed."' },
  PackedPolicyTooLarge: { retry: 'terminal', reason: 'InvalidRequest', source: 'STS API Reference, AssumeRole: the session policies and tags exceed the packed size' },
  // Not AWS's: the SDK's and the operator's own.
  CredentialsProviderError: { retry: 'backoff', reason: 'InvalidCredentials', source: 'AWS SDK for JavaScript v3: no credentials in the default chain (yet)' },
  NetworkError: { retry: 'backoff', reason: 'NetworkError', source: 'ours (src/aws/dynamodb-client.ts toAwsError): the connection failed' },
  TimeoutError: { retry: 'backoff', reason: 'Timeout', source: 'ours (src/aws/dynamodb-client.ts REQUEST_TIMEOUTS): no answer in time' },
  ClusterNameUnset: { retry: 'terminal', reason: 'ClusterNameRequired', source: 'ours: spec.credentials without CLUSTER_NAME (only the platform team can set it)' },
};

/** A code nobody documents: retried with backoff, as UnexpectedError. */
export const UNKNOWN_CODE = 'SomethingNewException';
export const UNKNOWN_CLASS: ExpectedClass = { retry: 'backoff', reason: 'UnexpectedError', source: 'none: a code no document lists' };

/** The failures the plan finds itself (no AWS error): each terminal, with its reason. */
export const FINDING_REASONS: Record<string, string> = {
  PolicyRequired: 'PolicyRequired',
  PolicyDenied: 'PolicyDenied',
  TableClaimed: 'TableClaimed',
  BackupNotFoundException: 'BackupNotFound',
  BackupNotAvailable: 'BackupNotFound',
  CrossRegionRestoreWithoutSSE: 'CrossRegionNeedsSSE',
  PointInTimeRecoveryUnavailableException: 'PointInTimeRecoveryUnavailable',
  InvalidRestoreTimeException: 'InvalidRestoreTime',
  TableNotFound: 'TableLost',
  TableReplaced: 'TableLost',
  DELETING: 'TableLost',
  ARCHIVING: 'TableLost',
  ARCHIVED: 'TableLost',
  INACCESSIBLE_ENCRYPTION_CREDENTIALS: 'KMSKeyUnavailable',
  SettingConflict: 'SettingConflict',
  RecoveryPointNotAvailable: 'RecoveryPointNotRestorable',
  RecoveryPointNotDynamoDB: 'RecoveryPointNotRestorable',
  RestoreJobFailed: 'RestoreJobFailed',
  RestoreJobAborted: 'RestoreJobFailed',
  RestoreJobCreatedOtherResource: 'RestoreJobFailed',
};
