// spec → RestoreTableFromBackup request. Every override maps to the AWS field of the same meaning, and an
// omitted one is left out of the request (AWS then keeps what the backup has); nothing is dropped or invented.
import type { DynamoDBRestoreSpec } from '../api/dynamodb-restore.ts';
import type { RestoreFromBackupRequest } from '../aws/dynamodb-port.ts';

type Throughput = { readCapacityUnits: number; writeCapacityUnits: number };
type OnDemand = { maxReadRequestUnits?: number; maxWriteRequestUnits?: number };
type Projection = { projectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; nonKeyAttributes?: string[] };
type KeyElement = { attributeName: string; keyType: 'HASH' | 'RANGE' };

const throughput = (t: Throughput) => ({ ReadCapacityUnits: t.readCapacityUnits, WriteCapacityUnits: t.writeCapacityUnits });
const onDemand = (t: OnDemand) => defined({ MaxReadRequestUnits: t.maxReadRequestUnits, MaxWriteRequestUnits: t.maxWriteRequestUnits });
const keySchema = (k: KeyElement[]) => k.map((e) => ({ AttributeName: e.attributeName, KeyType: e.keyType }));
const projection = (p: Projection) => defined({ ProjectionType: p.projectionType, NonKeyAttributes: p.nonKeyAttributes });

/** backupArn: the backup being restored (spec.source.backupArn, or the one a lookup found). */
export function restoreRequest(spec: DynamoDBRestoreSpec, backupArn: string): RestoreFromBackupRequest {
  const o = spec.overrides ?? {};
  return defined({
    TargetTableName: spec.targetTableName,
    BackupArn: backupArn,
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
  });
}

/** The object without its undefined fields, so the request carries exactly what the spec says. */
function defined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
