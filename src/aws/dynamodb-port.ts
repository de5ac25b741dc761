// What the restore controller needs from DynamoDB, in its own terms. Only aws/dynamodb-client.ts knows the SDK.

/** The override fields both restore calls share, as the AWS API names them. */
export interface RestoreOverrides {
  BillingModeOverride?: 'PAY_PER_REQUEST' | 'PROVISIONED';
  ProvisionedThroughputOverride?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  OnDemandThroughputOverride?: { MaxReadRequestUnits?: number; MaxWriteRequestUnits?: number };
  GlobalSecondaryIndexOverride?: Array<{
    IndexName: string;
    KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
    Projection: { ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] };
    ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
    OnDemandThroughput?: { MaxReadRequestUnits?: number; MaxWriteRequestUnits?: number };
  }>;
  LocalSecondaryIndexOverride?: Array<{
    IndexName: string;
    KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
    Projection: { ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] };
  }>;
  SSESpecificationOverride?: { Enabled: boolean; SSEType?: 'KMS'; KMSMasterKeyId?: string };
}

/** The RestoreTableFromBackup request, field for field as the AWS API names them. */
export interface RestoreFromBackupRequest extends RestoreOverrides {
  TargetTableName: string;
  BackupArn: string;
}

/** The RestoreTableToPointInTime request (RestoreDateTime as ISO 8601). */
export interface RestoreToPointInTimeRequest extends RestoreOverrides {
  TargetTableName: string;
  SourceTableName?: string;
  SourceTableArn?: string;
  RestoreDateTime?: string;
  UseLatestRestorableTime?: boolean;
}

/** A table's point-in-time recovery, as DescribeContinuousBackups reports it. */
export interface PointInTimeRecovery {
  /** ENABLED, DISABLED, ... */
  status: string;
  earliest?: string;
  latest?: string;
}

export interface RestoreSummary {
  sourceBackupArn?: string;
  sourceTableArn?: string;
  /** The point in time restored to, or the source backup's time: not when the restore ran. */
  restoreDateTime?: string;
  restoreInProgress?: boolean;
}

/** A table as DescribeTable reports it. */
export interface TableState {
  name: string;
  arn?: string;
  /** TableId: unique to this table; a table made later under the same name has another. */
  id?: string;
  status: string;
  /** CreationDateTime: for a restored table, when its restore began. */
  createdAt?: string;
  restoreSummary?: RestoreSummary;
  /** StreamSpecification.StreamViewType when a stream is on. */
  streamViewType?: string;
  deletionProtection?: boolean;
}

/** A table's time to live, as DescribeTimeToLive reports it. */
export interface TimeToLive {
  /** ENABLING, ENABLED, DISABLING or DISABLED. */
  status: string;
  attributeName?: string;
}

/** One change of a table setting (spec.tableSettings), as one AWS call. */
export type SettingChange =
  | { setting: 'tags'; tags: Record<string, string> }
  | { setting: 'timeToLive'; attributeName: string }
  | { setting: 'stream'; viewType: string }
  | { setting: 'pointInTimeRecovery'; enabled: boolean }
  | { setting: 'deletionProtection'; enabled: boolean };

/** An on-demand backup as DescribeBackup reports it. */
export interface BackupState {
  arn: string;
  name?: string;
  /** CREATING, AVAILABLE or DELETED. */
  status: string;
  sourceTableName?: string;
  /** ISO 8601. */
  createdAt?: string;
}

/**
 * The account and Region calls are made in, as AWS counts its limits: the role's account, or "operator" for the
 * operator's own identity (whose account the operator does not need to know).
 */
export function accountRegion(region: string | undefined, role: { roleArn: string } | undefined): string {
  return `${role?.roleArn.split(':')[4] ?? 'operator'}/${region ?? 'default'}`;
}

/**
 * An IAM role to assume for one resource's calls (spec.credentials), and the resource it is assumed for: the
 * operator, not the tenant, derives the session's ExternalId, name, source identity and tags from it.
 */
export interface AssumedRole {
  roleArn: string;
  namespace: string;
  name: string;
}

/** An error answer from AWS, or a failure to get one (code NetworkError / TimeoutError). */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly operation: string,
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

export interface DynamoDBPort {
  restoreTableFromBackup(request: RestoreFromBackupRequest): Promise<TableState>;
  restoreTableToPointInTime(request: RestoreToPointInTimeRequest): Promise<TableState>;
  /** Of the table by name or ARN; throws AwsError TableNotFoundException when there is no such table. */
  describeContinuousBackups(table: string): Promise<PointInTimeRecovery>;
  /** undefined when the table does not exist. */
  describeTable(tableName: string): Promise<TableState | undefined>;
  /** Throws AwsError BackupNotFoundException when there is no such backup. */
  describeBackup(backupArn: string): Promise<BackupState>;
  tagResource(resourceArn: string, tags: Record<string, string>): Promise<void>;
  /** Every on-demand backup of the table (all pages of ListBackups). */
  listBackups(tableName: string): Promise<BackupState[]>;
  /** Every tag of the resource (all pages of ListTagsOfResource). */
  listTags(resourceArn: string): Promise<Record<string, string>>;
  describeTimeToLive(tableName: string): Promise<TimeToLive>;
  /** TagResource, UpdateTimeToLive, UpdateTable or UpdateContinuousBackups, as the change asks. */
  changeSetting(tableName: string, tableArn: string, change: SettingChange): Promise<void>;
  /** DeleteTable; a table already gone counts as deleted. */
  deleteTable(tableName: string): Promise<void>;
}
