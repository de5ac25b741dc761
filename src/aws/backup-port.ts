// What the restore controller needs from AWS Backup, in its own terms: a recovery point, checked in its vault and
// restored by a restore job.
// Only aws/backup-client.ts knows the SDK.

/**
 * The StartRestoreJob request, field for field as AWS Backup's API Reference names them. Metadata: the keys AWS
 * Backup documents for DynamoDB (AWS Backup Developer Guide, "Restore testing inferred metadata": targetTableName,
 * encryptionType, kmsMasterKeyArn, deletionProtection; "key values are not case sensitive").
 */
export interface RestoreJobRequest {
  RecoveryPointArn: string;
  IamRoleArn: string;
  /** AWS Backup: "Retrying a successful request with the same idempotency token results in a success message with no action taken." */
  IdempotencyToken: string;
  ResourceType: 'DynamoDB';
  Metadata: Record<string, string>;
}

/** A restore job as DescribeRestoreJob reports it. */
export interface RestoreJobState {
  id: string;
  /** PENDING, RUNNING, COMPLETED, ABORTED or FAILED. */
  status: string;
  statusMessage?: string;
  /** The restored resource's ARN: for DynamoDB, the table's. */
  createdResourceArn?: string;
}

/** A recovery point as DescribeRecoveryPoint reports it (asked of one vault: it answers only for the vault's own). */
export interface RecoveryPointState {
  arn: string;
  backupVaultName: string;
  /** CREATING, AVAILABLE, COMPLETED, PARTIAL, EXPIRED, STOPPED or DELETING. */
  status: string;
  statusMessage?: string;
  /** The type of resource backed up: DynamoDB for a table. */
  resourceType?: string;
}

export interface BackupPort {
  /** The recovery point in the vault; AWS Backup's ResourceNotFoundException when the vault does not hold it. */
  describeRecoveryPoint(backupVaultName: string, recoveryPointArn: string): Promise<RecoveryPointState>;
  /** The restore job's id (the same job's, for a token already used). */
  startRestoreJob(request: RestoreJobRequest): Promise<string>;
  describeRestoreJob(restoreJobId: string): Promise<RestoreJobState>;
}
