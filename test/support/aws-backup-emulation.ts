// AWS Backup's restore jobs for DynamoDB, emulated by the fidelity proxy: moto 5.2.5 has no StartRestoreJob worth
// using for DynamoDB, so the proxy answers AWS Backup's REST JSON API itself (DescribeRecoveryPoint, GET
// /backup-vaults/{backupVaultName}/recovery-points/{recoveryPointArn}; StartRestoreJob, PUT /restore-jobs;
// DescribeRestoreJob, GET /restore-jobs/{RestoreJobId}) and restores the DynamoDB backup behind the recovery point
// through its own DynamoDB front (so the table is held CREATING, gets a TableId and a RestoreSummary, and the call is
// recorded as the RestoreTableFromBackup AWS Backup makes on the caller's behalf). Each behaviour cites the passage
// of the AWS Backup API Reference or Developer Guide it follows. Where it stops: see the README's proxy section.
import { randomUUID } from 'node:crypto';

export type Answer = { status: number; headers: Record<string, string>; body: Buffer };

/** An emulated restore job, as DescribeRestoreJob reports it. */
interface RestoreJob {
  id: string;
  recoveryPointArn: string;
  iamRoleArn?: string;
  region: string;
  table: string;
  creationDate: number;
  /** Set once the job has ended without its table (the DynamoDB restore failed, or a test ended it). */
  ended?: { status: 'FAILED' | 'ABORTED'; message: string };
  createdResourceArn?: string;
}

/**
 * A recovery point a test registers: the DynamoDB backup it holds and the vault it is in, and what DescribeRecoveryPoint
 * reports of it (by default COMPLETED, of a DynamoDB table).
 */
export interface RecoveryPoint {
  backupArn: string;
  backupVaultName: string;
  status?: string;
  statusMessage?: string;
  resourceType?: string;
}

/** What the emulation needs of the proxy: its own DynamoDB front, and whether it holds a table CREATING. */
export interface DynamoDBFront {
  call(operation: string, body: Record<string, unknown>, region: string, accessKeyId: string): Promise<Answer>;
  creating(table: string): boolean;
}

export const AWS_BACKUP_OPERATIONS: ReadonlySet<string> = new Set(['DescribeRecoveryPoint', 'StartRestoreJob', 'DescribeRestoreJob']);

/**
 * The AWS Backup operation a REST request names, if any, and the parameters its path carries (as the request's
 * members): PUT /restore-jobs; GET /restore-jobs/{restoreJobId}; GET /backup-vaults/{backupVaultName}/recovery-points/
 * {recoveryPointArn} (API Reference, DescribeRecoveryPoint, "Request Syntax"; the ARN is URL-encoded in the path).
 */
export function awsBackupOperation(method: string | undefined, path: string | undefined): { operation: string; pathParameters?: Record<string, string> } | undefined {
  const url = new URL(path ?? '/', 'http://proxy');
  if (method === 'PUT' && url.pathname === '/restore-jobs') return { operation: 'StartRestoreJob' };
  if (method !== 'GET') return undefined;
  const id = /^\/restore-jobs\/([^/]+)$/.exec(url.pathname)?.[1];
  if (id) return { operation: 'DescribeRestoreJob', pathParameters: { RestoreJobId: decodeURIComponent(id) } };
  const point = /^\/backup-vaults\/([^/]+)\/recovery-points\/([^/]+)$/.exec(url.pathname);
  if (point?.[1] && point[2]) {
    return { operation: 'DescribeRecoveryPoint', pathParameters: { BackupVaultName: decodeURIComponent(point[1]), RecoveryPointArn: decodeURIComponent(point[2]) } };
  }
  return undefined;
}

/**
 * An AWS Backup error in its REST JSON protocol: HTTP 400 and the code in x-amzn-ErrorType (AWS Backup API
 * Reference, each action's "Errors": every one "HTTP Status Code: 400", but ServiceUnavailableException's 500).
 */
export function awsBackupError(code: string, message: string, status?: number): Answer {
  return {
    status: status ?? (code === 'ServiceUnavailableException' ? 500 : 400),
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': code },
    body: Buffer.from(JSON.stringify({ Code: code, Message: message })),
  };
}

function json(body: unknown): Answer {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) };
}

/** A metadata value by key, the key matched without regard to case ("key values are not case sensitive"). */
function metadataValue(metadata: Record<string, unknown>, key: string): string | undefined {
  const found = Object.keys(metadata).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : String(metadata[found]);
}

/**
 * The encryption the restore metadata asks for, as the DynamoDB restore's SSESpecificationOverride. Developer Guide,
 * "Restore testing inferred metadata", DynamoDB: encryptionType (inferred "Default") and kmsMasterKeyArn; "Restore a
 * DynamoDB table": the default is the DynamoDB-owned key, the other choice a customer-managed key, asked for in its
 * AWS CLI example as EncryptionType=KMS with KMSMasterKeyArn. DynamoDB API
 * Reference, SSESpecification: Enabled false is the AWS owned key; Enabled true, SSEType KMS and KMSMasterKeyId a KMS
 * key. No encryptionType: no override (the restore's default). Where it stops: moto 5.2.5's RestoreTableFromBackup
 * ignores SSESpecificationOverride, so the restored table does not report the key; the call records it.
 */
function sseOverride(metadata: Record<string, unknown>): Record<string, unknown> | undefined {
  const type = metadataValue(metadata, 'encryptionType');
  if (type === undefined) return undefined;
  if (type.toLowerCase() === 'default') return { Enabled: false };
  return { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: metadataValue(metadata, 'kmsMasterKeyArn') };
}

export class AwsBackupEmulation {
  /**
   * Recovery points by ARN, each in its vault, with the DynamoDB backup it holds; a test registers one after making the
   * backup. An AWS Backup ARN (arn:aws:backup:...:recovery-point:<id>) exists only so; a DynamoDB backup ARN
   * (arn:aws:dynamodb:...) is its own recovery point for StartRestoreJob, and is in a vault once registered.
   */
  readonly recoveryPoints = new Map<string, RecoveryPoint>();
  /** Jobs restoring into these tables end so instead of completing (a test's way to see FAILED and ABORTED). */
  readonly jobEnds = new Map<string, { status: 'FAILED' | 'ABORTED'; message: string }>();
  private readonly jobs = new Map<string, RestoreJob>();
  /** The job each idempotency token started. */
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly dynamodb: DynamoDBFront,
    private readonly now: () => number,
  ) {}

  /** body: the request's members, those of its path included. */
  async handle(operation: string, body: Record<string, unknown>, region: string, accessKeyId: string): Promise<Answer> {
    if (operation === 'DescribeRecoveryPoint') return this.describeRecoveryPoint(String(body.BackupVaultName), String(body.RecoveryPointArn), region);
    return operation === 'StartRestoreJob' ? this.start(body, region, accessKeyId) : this.describe(String(body.RestoreJobId));
  }

  private describeRecoveryPoint(backupVaultName: string, recoveryPointArn: string, region: string): Answer {
    const point = this.recoveryPoints.get(recoveryPointArn);
    // API Reference, DescribeRecoveryPoint: backupVaultName "Backup vaults are identified by names that are unique to
    // the account used to create them and the AWS Region where they are created"; ResourceNotFoundException "A
    // resource that is required for the action doesn't exist." So a recovery point is found only in its own vault, and
    // only by a call signed for the vault's Region (the recovery point's, as its ARN says). The message is the
    // emulation's own: the reference gives none.
    const [, , , pointRegion, account] = recoveryPointArn.split(':');
    if (!point || point.backupVaultName !== backupVaultName || pointRegion !== region) {
      return awsBackupError('ResourceNotFoundException', `Recovery point ${recoveryPointArn} not found in backup vault ${backupVaultName}.`);
    }
    // API Reference, DescribeRecoveryPoint, Response Elements: RecoveryPointArn, BackupVaultName, BackupVaultArn,
    // ResourceArn ("An ARN that uniquely identifies a saved resource": the backed-up table), ResourceType ("The type of
    // Amazon Web Services resource to save as a recovery point"), Status ("COMPLETED | PARTIAL | DELETING | EXPIRED |
    // AVAILABLE | STOPPED | CREATING"), StatusMessage; a test chooses Status and ResourceType.
    return json({
      RecoveryPointArn: recoveryPointArn,
      BackupVaultName: backupVaultName,
      BackupVaultArn: `arn:aws:backup:${region}:${account ?? ''}:backup-vault:${backupVaultName}`,
      ResourceArn: point.backupArn.split('/backup/')[0],
      ResourceType: point.resourceType ?? 'DynamoDB',
      Status: point.status ?? 'COMPLETED',
      ...(point.statusMessage !== undefined && { StatusMessage: point.statusMessage }),
    });
  }

  private async start(body: Record<string, unknown>, region: string, accessKeyId: string): Promise<Answer> {
    // API Reference, StartRestoreJob: RecoveryPointArn and Metadata "Required: Yes"; MissingParameterValueException
    // "Indicates that a required parameter is missing."
    const recoveryPointArn = typeof body.RecoveryPointArn === 'string' ? body.RecoveryPointArn : undefined;
    const metadata = body.Metadata && typeof body.Metadata === 'object' ? (body.Metadata as Record<string, unknown>) : undefined;
    if (!recoveryPointArn || !metadata) return awsBackupError('MissingParameterValueException', 'RecoveryPointArn and Metadata are required.');
    // API Reference, StartRestoreJob, IdempotencyToken: "Retrying a successful request with the same idempotency
    // token results in a success message with no action taken." The same job's id is answered.
    const token = typeof body.IdempotencyToken === 'string' ? body.IdempotencyToken : undefined;
    const earlier = token === undefined ? undefined : this.tokens.get(token);
    if (earlier) return json({ RestoreJobId: earlier });
    // Developer Guide, "Restore testing inferred metadata", DynamoDB: targetTableName names the new table.
    const table = metadataValue(metadata, 'targetTableName');
    if (!table) return awsBackupError('InvalidParameterValueException', 'Metadata needs targetTableName for a DynamoDB restore.');
    // API Reference, StartRestoreJob: ResourceNotFoundException "A resource that is required for the action doesn't
    // exist." A recovery point of AWS Backup's own exists only when registered.
    const backupArn = recoveryPointArn.split(':')[2] === 'dynamodb' ? recoveryPointArn : this.recoveryPoints.get(recoveryPointArn)?.backupArn;
    if (!backupArn) return awsBackupError('ResourceNotFoundException', `Recovery point ${recoveryPointArn} not found.`);
    const described = await this.dynamodb.call('DescribeBackup', { BackupArn: backupArn }, backupArn.split(':')[3] ?? region, accessKeyId);
    if (described.status >= 400) return awsBackupError('ResourceNotFoundException', `Recovery point ${recoveryPointArn} not found.`);

    const job: RestoreJob = {
      id: randomUUID().toUpperCase(),
      recoveryPointArn,
      ...(typeof body.IamRoleArn === 'string' && { iamRoleArn: body.IamRoleArn }),
      region,
      table,
      creationDate: this.now(),
    };
    this.jobs.set(job.id, job);
    if (token !== undefined) this.tokens.set(token, job.id);
    // A restore job runs on its own after StartRestoreJob answered; AWS Backup restores a DynamoDB recovery point with
    // DynamoDB's restore (Developer Guide, "Restore a DynamoDB table"). A failure of that restore (the name taken)
    // ends the job FAILED with DynamoDB's message as its StatusMessage, as DescribeRestoreJob's StatusMessage
    // ("A detailed message explaining the status of the job to restore a recovery point") carries it.
    const sse = sseOverride(metadata);
    const restored = await this.dynamodb.call('RestoreTableFromBackup', { TargetTableName: table, BackupArn: backupArn, ...(sse && { SSESpecificationOverride: sse }) }, region, accessKeyId);
    const answer = JSON.parse(restored.body.toString() || '{}') as { TableDescription?: { TableArn?: string }; message?: string; Message?: string };
    if (restored.status >= 400) job.ended = { status: 'FAILED', message: answer.message ?? answer.Message ?? 'The DynamoDB restore failed.' };
    else job.createdResourceArn = answer.TableDescription?.TableArn;
    // API Reference, StartRestoreJob response: RestoreJobId "Uniquely identifies the job that restores a recovery point."
    return json({ RestoreJobId: job.id });
  }

  private describe(restoreJobId: string): Answer {
    const job = this.jobs.get(restoreJobId);
    // API Reference, DescribeRestoreJob: ResourceNotFoundException "A resource that is required for the action doesn't exist."
    if (!job) return awsBackupError('ResourceNotFoundException', `Restore job ${restoreJobId} not found.`);
    const end = job.ended ?? this.jobEnds.get(job.table);
    // API Reference, DescribeRestoreJob: Status "PENDING | RUNNING | COMPLETED | ABORTED | FAILED"; CreatedResourceArn
    // "The Amazon Resource Name (ARN) of the resource that was created by the restore job"; CreationDate and
    // CompletionDate in seconds since the epoch.
    const status = end?.status ?? (this.dynamodb.creating(job.table) ? 'RUNNING' : 'COMPLETED');
    return json({
      RestoreJobId: job.id,
      RecoveryPointArn: job.recoveryPointArn,
      ...(job.iamRoleArn && { IamRoleArn: job.iamRoleArn }),
      ResourceType: 'DynamoDB',
      Status: status,
      ...(end && { StatusMessage: end.message }),
      CreationDate: job.creationDate / 1000,
      ...(status === 'COMPLETED' && { CompletionDate: this.now() / 1000, CreatedResourceArn: job.createdResourceArn }),
    });
  }
}
