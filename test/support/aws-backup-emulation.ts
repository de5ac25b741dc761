// AWS Backup's restore jobs for DynamoDB, emulated by the fidelity proxy: moto 5.2.5 has no StartRestoreJob worth
// using for DynamoDB, so the proxy answers AWS Backup's REST JSON API itself (StartRestoreJob, PUT /restore-jobs;
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

/** What the emulation needs of the proxy: its own DynamoDB front, and whether it holds a table CREATING. */
export interface DynamoDBFront {
  call(operation: string, body: Record<string, unknown>, region: string, accessKeyId: string): Promise<Answer>;
  creating(table: string): boolean;
}

export const AWS_BACKUP_OPERATIONS: ReadonlySet<string> = new Set(['StartRestoreJob', 'DescribeRestoreJob']);

/** The AWS Backup operation a REST request names, if any: PUT /restore-jobs or GET /restore-jobs/{id}. */
export function awsBackupOperation(method: string | undefined, path: string | undefined): { operation: string; restoreJobId?: string } | undefined {
  const url = new URL(path ?? '/', 'http://proxy');
  if (method === 'PUT' && url.pathname === '/restore-jobs') return { operation: 'StartRestoreJob' };
  const id = /^\/restore-jobs\/([^/]+)$/.exec(url.pathname)?.[1];
  if (method === 'GET' && id) return { operation: 'DescribeRestoreJob', restoreJobId: decodeURIComponent(id) };
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

export class AwsBackupEmulation {
  /**
   * Recovery points of AWS Backup's own (arn:aws:backup:...:recovery-point:<id>) and the DynamoDB backup each holds; a
   * test registers one after making the backup. A DynamoDB backup ARN (arn:aws:dynamodb:...) is its own recovery point.
   */
  readonly recoveryPoints = new Map<string, string>();
  /** Jobs restoring into these tables end so instead of completing (a test's way to see FAILED and ABORTED). */
  readonly jobEnds = new Map<string, { status: 'FAILED' | 'ABORTED'; message: string }>();
  private readonly jobs = new Map<string, RestoreJob>();
  /** The job each idempotency token started. */
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly dynamodb: DynamoDBFront,
    private readonly now: () => number,
  ) {}

  async handle(operation: string, restoreJobId: string | undefined, body: Record<string, unknown>, region: string, accessKeyId: string): Promise<Answer> {
    return operation === 'StartRestoreJob' ? this.start(body, region, accessKeyId) : this.describe(restoreJobId ?? '');
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
    const backupArn = recoveryPointArn.split(':')[2] === 'dynamodb' ? recoveryPointArn : this.recoveryPoints.get(recoveryPointArn);
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
    const restored = await this.dynamodb.call('RestoreTableFromBackup', { TargetTableName: table, BackupArn: backupArn }, region, accessKeyId);
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
