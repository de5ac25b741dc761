// The DynamoDB port over AWS SDK v3. Clients are made per Region and kept; credentials and endpoint come from the
// SDK's default chain (IRSA, EKS Pod Identity, AWS_ENDPOINT_URL_DYNAMODB for an emulator).
import {
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListBackupsCommand,
  ListTagsOfResourceCommand,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type StreamViewType,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { TokenBucket } from 'limiter';
import {
  accountRegion,
  AwsError,
  type BackupState,
  type DynamoDBPort,
  type PointInTimeRecovery,
  type RestoreFromBackupRequest,
  type RestoreToPointInTimeRequest,
  type RoleCredentials,
  type SettingChange,
  type TableState,
  type TimeToLive,
} from './dynamodb-port.ts';

export function toTableState(table: TableDescription | undefined, fallbackName: string): TableState {
  const summary = table?.RestoreSummary;
  return {
    name: table?.TableName ?? fallbackName,
    arn: table?.TableArn,
    ...(table?.TableId !== undefined && { id: table.TableId }),
    status: table?.TableStatus ?? 'UNKNOWN',
    createdAt: table?.CreationDateTime?.toISOString(),
    restoreSummary: summary && {
      sourceBackupArn: summary.SourceBackupArn,
      sourceTableArn: summary.SourceTableArn,
      restoreDateTime: summary.RestoreDateTime?.toISOString(),
      restoreInProgress: summary.RestoreInProgress,
    },
    ...(table?.StreamSpecification?.StreamEnabled && { streamViewType: table.StreamSpecification.StreamViewType }),
    ...(table?.DeletionProtectionEnabled !== undefined && { deletionProtection: table.DeletionProtectionEnabled }),
  };
}

/** Any SDK failure as an AwsError: service errors keep their code, transport failures get one of ours. */
export function toAwsError(err: unknown, operation: string): AwsError {
  if (err instanceof AwsError) return err;
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const message = e?.message ?? String(err);
  if (e?.$metadata?.httpStatusCode !== undefined && e.name) return new AwsError(e.name, message, operation);
  // The SDK names a reset or broken connection TimeoutError too; its code tells them apart.
  if (e?.code === 'ECONNRESET' || e?.code === 'EPIPE') return new AwsError('NetworkError', message, operation);
  if (e?.name === 'TimeoutError' || e?.code === 'ETIMEDOUT') return new AwsError('TimeoutError', message, operation);
  // No credentials could be had (no role, IRSA token unreadable): a credentials problem, not a network one.
  if (e?.name === 'CredentialsProviderError') return new AwsError('CredentialsProviderError', message, operation);
  return new AwsError('NetworkError', message, operation);
}

/** Told of every call's outcome: 'OK' or the AWS error code. */
export type CallObserver = (operation: string, code: string) => void;

export class SdkDynamoDB implements DynamoDBPort {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly observe: CallObserver = () => undefined,
    /** Waits for a token of the account and Region's control-plane rate, if limited. */
    private readonly bucket?: TokenBucket,
  ) {}

  /** Sends one command, reporting its outcome, with failures as AwsError. */
  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    await this.bucket?.removeTokens(1);
    try {
      const out = await send();
      this.observe(operation, 'OK');
      return out;
    } catch (err) {
      const awsError = toAwsError(err, operation);
      this.observe(operation, awsError.code);
      throw awsError;
    }
  }

  destroy(): void {
    this.client.destroy();
  }

  async restoreTableFromBackup(request: RestoreFromBackupRequest): Promise<TableState> {
    const out = await this.call('RestoreTableFromBackup', () => this.client.send(new RestoreTableFromBackupCommand(request)));
    return toTableState(out.TableDescription, request.TargetTableName);
  }

  async restoreTableToPointInTime(request: RestoreToPointInTimeRequest): Promise<TableState> {
    const { RestoreDateTime, ...rest } = request;
    const input = { ...rest, ...(RestoreDateTime !== undefined && { RestoreDateTime: new Date(RestoreDateTime) }) };
    const out = await this.call('RestoreTableToPointInTime', () => this.client.send(new RestoreTableToPointInTimeCommand(input)));
    return toTableState(out.TableDescription, request.TargetTableName);
  }

  async describeContinuousBackups(table: string): Promise<PointInTimeRecovery> {
    const out = await this.call('DescribeContinuousBackups', () => this.client.send(new DescribeContinuousBackupsCommand({ TableName: table })));
    const pitr = out.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    return {
      status: pitr?.PointInTimeRecoveryStatus ?? 'DISABLED',
      earliest: pitr?.EarliestRestorableDateTime?.toISOString(),
      latest: pitr?.LatestRestorableDateTime?.toISOString(),
    };
  }

  async describeBackup(backupArn: string): Promise<BackupState> {
    const out = await this.call('DescribeBackup', () => this.client.send(new DescribeBackupCommand({ BackupArn: backupArn })));
    const details = out.BackupDescription?.BackupDetails;
    return {
      arn: details?.BackupArn ?? backupArn,
      name: details?.BackupName,
      status: details?.BackupStatus ?? 'UNKNOWN',
      sourceTableName: out.BackupDescription?.SourceTableDetails?.TableName,
    };
  }

  async listBackups(tableName: string): Promise<BackupState[]> {
    const backups: BackupState[] = [];
    let start: string | undefined;
    do {
      const out = await this.call('ListBackups', () =>
        this.client.send(new ListBackupsCommand({ TableName: tableName, BackupType: 'USER', ExclusiveStartBackupArn: start })),
      );
      for (const b of out.BackupSummaries ?? []) {
        if (!b.BackupArn) continue;
        backups.push({ arn: b.BackupArn, name: b.BackupName, status: b.BackupStatus ?? 'UNKNOWN', sourceTableName: b.TableName, createdAt: b.BackupCreationDateTime?.toISOString() });
      }
      start = out.LastEvaluatedBackupArn;
    } while (start);
    return backups;
  }

  async tagResource(resourceArn: string, tags: Record<string, string>): Promise<void> {
    const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    await this.call('TagResource', () => this.client.send(new TagResourceCommand({ ResourceArn: resourceArn, Tags })));
  }

  async listTags(resourceArn: string): Promise<Record<string, string>> {
    const tags: Array<[string, string]> = [];
    let next: string | undefined;
    do {
      const out = await this.call('ListTagsOfResource', () => this.client.send(new ListTagsOfResourceCommand({ ResourceArn: resourceArn, NextToken: next })));
      for (const t of out.Tags ?? []) if (t.Key !== undefined) tags.push([t.Key, t.Value ?? '']);
      next = out.NextToken;
    } while (next);
    // fromEntries defines every key as data, "__proto__" too (an assignment would set the prototype instead).
    return Object.fromEntries(tags);
  }

  async describeTimeToLive(tableName: string): Promise<TimeToLive> {
    const out = await this.call('DescribeTimeToLive', () => this.client.send(new DescribeTimeToLiveCommand({ TableName: tableName })));
    return { status: out.TimeToLiveDescription?.TimeToLiveStatus ?? 'DISABLED', attributeName: out.TimeToLiveDescription?.AttributeName };
  }

  async changeSetting(tableName: string, tableArn: string, change: SettingChange): Promise<void> {
    switch (change.setting) {
      case 'tags':
        return this.tagResource(tableArn, change.tags);
      case 'timeToLive':
        await this.call('UpdateTimeToLive', () =>
          this.client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: change.attributeName } })),
        );
        return;
      case 'stream':
        await this.call('UpdateTable', () =>
          this.client.send(
            new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: change.viewType as StreamViewType } }),
          ),
        );
        return;
      case 'pointInTimeRecovery':
        await this.call('UpdateContinuousBackups', () =>
          this.client.send(
            new UpdateContinuousBackupsCommand({ TableName: tableName, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: change.enabled } }),
          ),
        );
        return;
      case 'deletionProtection':
        await this.call('UpdateTable', () => this.client.send(new UpdateTableCommand({ TableName: tableName, DeletionProtectionEnabled: change.enabled })));
        return;
    }
  }

  /** A table already gone counts as deleted. */
  async deleteTable(tableName: string): Promise<void> {
    try {
      await this.call('DeleteTable', () => this.client.send(new DeleteTableCommand({ TableName: tableName })));
    } catch (err) {
      if (!(err instanceof AwsError && err.code === 'ResourceNotFoundException')) throw err;
    }
  }

  async describeTable(tableName: string): Promise<TableState | undefined> {
    try {
      const out = await this.call('DescribeTable', () => this.client.send(new DescribeTableCommand({ TableName: tableName })));
      return toTableState(out.Table, tableName);
    } catch (err) {
      if (err instanceof AwsError && err.code === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  }
}

/**
 * One SDK client per Region and identity, made on first use and kept: a role's temporary credentials are cached
 * by the client and refreshed before they expire, so a busy role costs one AssumeRole an hour, not one a call.
 */
/**
 * DynamoDB's control-plane calls answer in well under a second; one that hangs must not hold a reconcile worker
 * (the SDK's default is no limit but a 5-minute idle socket). A timed-out call is retried with backoff.
 */
export const REQUEST_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 30_000 };

export interface RateLimit {
  perSecond: number;
  burst: number;
}

export class DynamoDBClients {
  private readonly clients = new Map<string, SdkDynamoDB>();
  /** One bucket per account and Region: AWS throttles control-plane calls there, whichever client makes them. */
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly defaultRegion: string | undefined,
    private readonly observe?: CallObserver,
    private readonly rateLimit?: RateLimit,
    private readonly timeouts = REQUEST_TIMEOUTS,
  ) {}

  private bucket(region: string, role: RoleCredentials | undefined): TokenBucket | undefined {
    if (!this.rateLimit) return undefined;
    const key = accountRegion(region || undefined, role);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket({ bucketSize: this.rateLimit.burst, tokensPerInterval: this.rateLimit.perSecond, interval: 'second' });
      // A fresh bucket starts full, as AWS's does: a burst at start-up is allowed.
      bucket.content = this.rateLimit.burst;
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  forRegion(region: string | undefined, role?: RoleCredentials): SdkDynamoDB {
    const resolved = region ?? this.defaultRegion ?? '';
    const key = `${resolved}|${role?.roleArn ?? ''}|${role?.externalId ?? ''}`;
    let port = this.clients.get(key);
    if (!port) {
      const credentials = role
        ? fromTemporaryCredentials({
            params: { RoleArn: role.roleArn, ExternalId: role.externalId, RoleSessionName: 'dynamodb-restore-operator', DurationSeconds: 3600 },
            clientConfig: { region: resolved || undefined, maxAttempts: 1 },
          })
        : undefined;
      // No SDK-level retries: every retry is the error map's decision (a named wait or the per-key backoff), so a
      // LimitExceeded is waited out rather than retried at once, and each attempt shows in the status.
      port = new SdkDynamoDB(
        new DynamoDBClient({ region: resolved || undefined, maxAttempts: 1, credentials, requestHandler: { ...this.timeouts, throwOnRequestTimeout: true } }),
        this.observe,
        this.bucket(resolved, role),
      );
      this.clients.set(key, port);
    }
    return port;
  }

  destroy(): void {
    for (const port of this.clients.values()) port.destroy();
  }
}
