// The DynamoDB port over AWS SDK v3. Clients are made per Region and identity and kept while used; credentials and
// endpoint come from the SDK's default chain (IRSA, EKS Pod Identity, AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_BACKUP for an emulator),
// and a resource's role (spec.credentials) is assumed through STS with a session the operator names.
import { createHash } from 'node:crypto';
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
import { BackupClient } from '@aws-sdk/client-backup';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { TokenBucket } from 'limiter';
import { LRUCache } from 'lru-cache';
import {
  accountRegion,
  AwsError,
  type AssumedRole,
  type BackupState,
  type DynamoDBPort,
  type PointInTimeRecovery,
  type RestoreFromBackupRequest,
  type RestoreToPointInTimeRequest,
  type SettingChange,
  type TableState,
  type TimeToLive,
} from './dynamodb-port.ts';
import { SdkBackup } from './backup-client.ts';
import type { BackupPort } from './backup-port.ts';
import { observedCall } from './observed-call.ts';

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
  private call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return observedCall(operation, send, this.observe, this.bucket);
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
 * DynamoDB's control-plane calls answer in well under a second; one that hangs must not hold a reconcile worker
 * (the SDK's default is no limit but a 5-minute idle socket). A timed-out call is retried with backoff.
 */
export const REQUEST_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 30_000 };

export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** STS's limit on RoleSessionName and SourceIdentity (AssumeRole API reference: 2 to 64 characters of [\w+=,.@-]). */
const STS_NAME_MAX = 64;
/** Hex digits of SHA-256 kept in a shortened session name: 96 bits, beyond finding a collision on purpose. */
const NAME_HASH_DIGITS = 24;

/**
 * The session name (RoleSessionName and SourceIdentity) of a resource's role session: `namespace.name`, which is
 * unambiguous because a namespace has no dot. Longer than STS allows, it is cut and ends in `@` and a hash of the
 * whole: `@` appears in no Kubernetes name, so a cut name never equals a whole one, and two cut names differ
 * unless their hashes collide.
 */
export function sessionName(namespace: string, name: string): string {
  const whole = `${namespace}.${name}`;
  if (whole.length <= STS_NAME_MAX) return whole;
  const hash = createHash('sha256').update(whole).digest('hex').slice(0, NAME_HASH_DIGITS);
  return `${whole.slice(0, STS_NAME_MAX - 1 - NAME_HASH_DIGITS)}@${hash}`;
}

/**
 * Session tag keys; a team role's trust policy pins the role to a namespace with
 * aws:RequestTag/dynamodb-restore-namespace. Not EKS Pod Identity's kubernetes-namespace: the tags Pod Identity puts
 * on the operator's own session are transitive (EKS User Guide, "Grant Pods access to AWS resources based on tags"),
 * and a chained AssumeRole cannot pass a tag whose key a transitive tag already holds (IAM User Guide, "Chaining
 * roles with session tags"); that one would name the operator's namespace anyway.
 */
export const SESSION_TAGS = { cluster: 'dynamodb-restore-cluster', namespace: 'dynamodb-restore-namespace', name: 'dynamodb-restore-name' } as const;

/**
 * What the operator sends on AssumeRole for a resource, none of it chosen by the tenant. The ExternalId is
 * `<cluster>/<namespace>`: the IAM User Guide's "The confused deputy problem" has the deputy (the operator, which
 * assumes roles for many tenants) pass an external ID it derives per customer, which the customer cannot set, and
 * the role's trust policy require it (sts:ExternalId); a namespace has no "/", so the value is unambiguous, and it
 * fits AssumeRole's ExternalId (2 to 1224 characters of [\w+=,.@:/-]). The session tags (up to 50; keys up to 128
 * and values up to 256 characters of letters, digits, spaces and _.:/=+-@, per STS's Tag type) let a trust
 * policy require aws:RequestTag/dynamodb-restore-namespace, and a permissions policy match aws:PrincipalTag.
 */
export function assumeRoleParams(clusterName: string, role: AssumedRole) {
  const session = sessionName(role.namespace, role.name);
  return {
    RoleArn: role.roleArn,
    ExternalId: `${clusterName}/${role.namespace}`,
    RoleSessionName: session,
    SourceIdentity: session,
    Tags: [
      { Key: SESSION_TAGS.cluster, Value: clusterName },
      { Key: SESSION_TAGS.namespace, Value: role.namespace },
      { Key: SESSION_TAGS.name, Value: role.name },
    ],
    DurationSeconds: 3600,
  };
}

/**
 * How many clients are kept, and for how long one unused is kept. Each costs about 40 KiB of heap (39.7 KiB measured
 * over 1000 role clients, 0.6 KiB of it left once they were dropped), so the cache holds at most about 4 MiB. A
 * dropped client is destroyed; its next use makes a new one (for a role, a new AssumeRole). A call in flight on a
 * client dropped for room fails as a network error and is retried with backoff.
 */
export const CLIENT_CACHE = { max: 100, idleMs: 15 * 60_000 };

export interface DynamoDBClientsOptions {
  /** Region for resources without spec.region; undefined: the SDK's default chain. */
  defaultRegion: string | undefined;
  /** The cluster's name for AWS (CLUSTER_NAME); without it, no role is assumed. */
  clusterName: string | undefined;
  observe?: CallObserver;
  rateLimit?: RateLimit;
  timeouts?: typeof REQUEST_TIMEOUTS;
  cache?: typeof CLIENT_CACHE;
  /** The clock the cache's idle time is measured by; tests set it. */
  now?: () => number;
}

/** A Region's clients for one identity: DynamoDB, and AWS Backup for source.recoveryPoint. */
interface IdentityClients {
  dynamodb: SdkDynamoDB;
  backup: SdkBackup;
}

/**
 * One SDK client per Region and identity (the operator's own, or a role assumed for one resource), made on first
 * use and kept while used: a role's temporary credentials are cached by its client and refreshed before they
 * expire, so a resource costs one AssumeRole an hour, not one a call. A session is never shared across resources,
 * so never across namespaces.
 */
export class DynamoDBClients {
  private readonly clients: LRUCache<string, IdentityClients>;
  /** One bucket per account and Region: AWS throttles control-plane calls there, whichever client makes them. */
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly options: DynamoDBClientsOptions) {
    const { max, idleMs } = options.cache ?? CLIENT_CACHE;
    const now = options.now;
    this.clients = new LRUCache<string, IdentityClients>({
      max,
      ttl: idleMs,
      // Idle time: each use starts the clock again; a client unused that long is dropped (and destroyed) even if
      // nothing else is asked of the cache.
      updateAgeOnGet: true,
      ttlAutopurge: true,
      dispose: ({ dynamodb, backup }) => {
        dynamodb.destroy();
        backup.destroy();
      },
      // A test's clock is read on every look (lru-cache otherwise reuses a reading for 1 ms).
      ...(now && { perf: { now }, ttlResolution: 0 }),
    });
  }

  private bucket(region: string, role: AssumedRole | undefined): TokenBucket | undefined {
    const rateLimit = this.options.rateLimit;
    if (!rateLimit) return undefined;
    const key = accountRegion(region || undefined, role);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket({ bucketSize: rateLimit.burst, tokensPerInterval: rateLimit.perSecond, interval: 'second' });
      // A fresh bucket starts full, as AWS's does: a burst at start-up is allowed.
      bucket.content = rateLimit.burst;
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /**
   * The port for a Region, as the operator or as a role assumed for one resource. Throws AwsError
   * ClusterNameUnset, before any call, for a role when no cluster name is configured.
   */
  forRegion(region: string | undefined, role?: AssumedRole): SdkDynamoDB {
    return this.identityClients(region, role).dynamodb;
  }

  /** AWS Backup in a Region, as the same identity and through the same cached client set as forRegion. */
  backupFor(region: string | undefined, role?: AssumedRole): BackupPort {
    return this.identityClients(region, role).backup;
  }

  private identityClients(region: string | undefined, role: AssumedRole | undefined): IdentityClients {
    const resolved = region ?? this.options.defaultRegion ?? '';
    // JSON of the parts: no separator a name could contain makes two identities one key.
    const key = JSON.stringify([resolved, role?.roleArn, role?.namespace, role?.name]);
    let found = this.clients.get(key);
    if (!found) {
      const { clusterName } = this.options;
      if (role && !clusterName) {
        throw new AwsError('ClusterNameUnset', 'The operator has no cluster name (CLUSTER_NAME), from which the ExternalId is derived', 'AssumeRole');
      }
      const credentials =
        role && clusterName
          ? fromTemporaryCredentials({ params: assumeRoleParams(clusterName, role), clientConfig: { region: resolved || undefined, maxAttempts: 1 } })
          : undefined;
      // No SDK-level retries: every retry is the error map's decision (a named wait or the per-key backoff), so a
      // LimitExceeded is waited out rather than retried at once, and each attempt shows in the status.
      const config = { region: resolved || undefined, maxAttempts: 1, credentials, requestHandler: { ...(this.options.timeouts ?? REQUEST_TIMEOUTS), throwOnRequestTimeout: true } };
      const bucket = this.bucket(resolved, role);
      found = {
        dynamodb: new SdkDynamoDB(new DynamoDBClient(config), this.options.observe, bucket),
        backup: new SdkBackup(new BackupClient(config), this.options.observe, bucket),
      };
      this.clients.set(key, found);
    }
    return found;
  }

  destroy(): void {
    // clear() disposes of every client.
    this.clients.clear();
  }
}
