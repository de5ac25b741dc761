// spec → RestoreTableFromBackup, RestoreTableToPointInTime or AWS Backup StartRestoreJob request. Every override maps to the AWS field of the same meaning, and an
// omitted one is left out of the request (AWS then keeps what the backup has); nothing is dropped or invented.
import type { DynamoDBRestoreSpec } from '../api/dynamodb-restore.ts';
import type { RestoreJobRequest } from '../aws/backup-port.ts';
import type { RestoreFromBackupRequest, RestoreOverrides, RestoreToPointInTimeRequest } from '../aws/dynamodb-port.ts';

type Throughput = { readCapacityUnits: number; writeCapacityUnits: number };
type OnDemand = { maxReadRequestUnits?: number; maxWriteRequestUnits?: number };
type Projection = { projectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; nonKeyAttributes?: string[] };
type KeyElement = { attributeName: string; keyType: 'HASH' | 'RANGE' };

const throughput = (t: Throughput) => ({ ReadCapacityUnits: t.readCapacityUnits, WriteCapacityUnits: t.writeCapacityUnits });
const onDemand = (t: OnDemand) => defined({ MaxReadRequestUnits: t.maxReadRequestUnits, MaxWriteRequestUnits: t.maxWriteRequestUnits });
const keySchema = (k: KeyElement[]) => k.map((e) => ({ AttributeName: e.attributeName, KeyType: e.keyType }));
const projection = (p: Projection) => defined({ ProjectionType: p.projectionType, NonKeyAttributes: p.nonKeyAttributes });

/** The overrides of the spec as the restore calls' fields; both calls take the same ones. */
function overrides(spec: DynamoDBRestoreSpec): RestoreOverrides {
  const o = spec.overrides ?? {};
  return {
    BillingModeOverride: o.billingMode,
    ProvisionedThroughputOverride: o.provisionedThroughput && throughput(o.provisionedThroughput),
    OnDemandThroughputOverride: o.onDemandThroughput && onDemand(o.onDemandThroughput),
    GlobalSecondaryIndexOverride: o.globalSecondaryIndexes?.map((i) =>
      defined({
        IndexName: i.indexName,
        KeySchema: keySchema(i.keySchema),
        Projection: projection(i.projection),
        ProvisionedThroughput: i.provisionedThroughput && throughput(i.provisionedThroughput),
        OnDemandThroughput: i.onDemandThroughput && onDemand(i.onDemandThroughput),
      }),
    ),
    LocalSecondaryIndexOverride: o.localSecondaryIndexes?.map((i) => ({
      IndexName: i.indexName,
      KeySchema: keySchema(i.keySchema),
      Projection: projection(i.projection),
    })),
    SSESpecificationOverride: o.sse && defined({ Enabled: o.sse.enabled, SSEType: o.sse.sseType, KMSMasterKeyId: o.sse.kmsMasterKeyId }),
  };
}

/** backupArn: the backup being restored (spec.source.backupArn, or the one a lookup found). */
export function restoreRequest(spec: DynamoDBRestoreSpec, backupArn: string): RestoreFromBackupRequest {
  return defined({ TargetTableName: spec.targetTableName, BackupArn: backupArn, ...overrides(spec) });
}

/** The RestoreTableToPointInTime request of a spec.source.pointInTime. */
export function pointInTimeRequest(spec: DynamoDBRestoreSpec): RestoreToPointInTimeRequest {
  const pit = spec.source.pointInTime;
  return defined({
    TargetTableName: spec.targetTableName,
    SourceTableName: pit?.sourceTableName,
    SourceTableArn: pit?.sourceTableArn,
    RestoreDateTime: pit?.restoreDateTime,
    UseLatestRestorableTime: pit?.useLatestRestorableTime || undefined,
    ...overrides(spec),
  });
}

/**
 * The idempotency token of a resource's restore job: its uid, which no other resource has, so a StartRestoreJob
 * retried after a lost answer or a crash gets the same job back instead of starting a second (AWS Backup API
 * Reference, StartRestoreJob: "Retrying a successful request with the same idempotency token results in a success
 * message with no action taken").
 */
export function restoreJobToken(uid: string): string {
  return `dynamodb-restore-${uid}`;
}

/**
 * The StartRestoreJob request of a spec.source.recoveryPoint. Metadata carries the new table's name and, when the spec
 * states the encryption (overrides.sse, the only override admitted with a recovery point), the encryption keys of a
 * DynamoDB restore (AWS Backup Developer Guide, "Restore testing inferred metadata": targetTableName; encryptionType,
 * inferred "Default", and kmsMasterKeyArn overridable).
 */
export function restoreJobRequest(spec: DynamoDBRestoreSpec, uid: string): RestoreJobRequest {
  const rp = spec.source.recoveryPoint;
  return {
    RecoveryPointArn: rp?.recoveryPointArn ?? '',
    IamRoleArn: rp?.iamRoleArn ?? '',
    IdempotencyToken: restoreJobToken(uid),
    ResourceType: 'DynamoDB',
    Metadata: { targetTableName: spec.targetTableName, ...encryptionMetadata(spec) },
  };
}

/**
 * overrides.sse as restore metadata: none stated, no key (AWS Backup's default, a DynamoDB-owned key); a key ARN,
 * encryptionType KMS with that kmsMasterKeyArn (a customer managed key); enabled: false, encryptionType Default (the
 * DynamoDB-owned key) (Developer Guide, "Restore a DynamoDB table": the DynamoDB-owned key is the default, a
 * customer-managed key the other choice; its AWS CLI example passes EncryptionType=KMS with KMSMasterKeyArn).
 * Admission refuses enabled: true without a key ARN with a recovery point, so a key here is an ARN.
 */
function encryptionMetadata(spec: DynamoDBRestoreSpec): Record<string, string> {
  const sse = spec.overrides?.sse;
  if (!sse) return {};
  return sse.kmsMasterKeyId ? { encryptionType: 'KMS', kmsMasterKeyArn: sse.kmsMasterKeyId } : { encryptionType: 'Default' };
}

/** The object without its undefined fields, so the request carries exactly what the spec says. */
function defined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
