// Which table is this resource's: the tags that mark it, and the proof that a table found under the target name
// after a crash is the lost answer to this resource's own restore call (ADR 4, ADR 9).
import type { DynamoDBRestore, DynamoDBRestoreStatus } from '../api/dynamodb-restore.ts';
import type { RestoreSummary, TableState } from '../aws/dynamodb-port.ts';
import type { PlanOptions } from './restore-vocabulary.ts';

/** Tags that mark a restored table as this resource's: the uid is the proof, the name is for people. */
export const OWNER_TAG = 'dynamodb.restore.dev/owner';
export const OWNER_UID_TAG = 'dynamodb.restore.dev/owner-uid';

export function ownerTags(restore: DynamoDBRestore): Record<string, string> {
  return { [OWNER_TAG]: `${restore.metadata.namespace}/${restore.metadata.name}`.slice(0, 256), [OWNER_UID_TAG]: restore.metadata.uid };
}

/** The owner-uid tag among a table's tags, if there is one (an own property only: tags are anyone's to write). */
export function ownerUid(tags: Record<string, string> | undefined): string | undefined {
  return tags && Object.hasOwn(tags, OWNER_UID_TAG) ? tags[OWNER_UID_TAG] : undefined;
}

/**
 * Whether a RestoreSummary names exactly this resource's source: its backup, or its point-in-time source table (the
 * ARN itself, or by name the table of that name in the target Region: never a name that merely ends the same way).
 */
export function fromOurSource(restore: DynamoDBRestore, status: DynamoDBRestoreStatus, summary: RestoreSummary | undefined, defaultRegion?: string): boolean {
  const pit = restore.spec.source.pointInTime;
  if (!pit) return status.backupArn !== undefined && summary?.sourceBackupArn === status.backupArn;
  const arn = summary?.sourceTableArn;
  if (arn === undefined) return false;
  if (pit.sourceTableArn !== undefined) return arn === pit.sourceTableArn;
  const region = restore.spec.region ?? defaultRegion;
  const parts = arn.split(':');
  return parts[5] === `table/${pit.sourceTableName ?? ''}` && (region === undefined || parts[3] === region);
}

/**
 * Whether a table found under the target name is the answer to this resource's own restore call, lost in a crash
 * before the status recorded it. Only then: the call was made (restoreRequestedAt) and never answered (no
 * startTime); the table carries no other resource's owner-uid tag; DynamoDB says it was restored from exactly this
 * source; and it was created after the call was asked for (within clock skew). The claim on the name (one live
 * resource per account, Region and table) rules out another resource of this operator.
 */
export function adoptable(
  restore: DynamoDBRestore,
  status: DynamoDBRestoreStatus,
  table: TableState,
  tags: Record<string, string> | undefined,
  options: Pick<PlanOptions, 'adoptionSkewMs' | 'defaultRegion'>,
): boolean {
  if (!status.restoreRequestedAt || status.startTime || !table.createdAt || tags === undefined) return false;
  const owner = ownerUid(tags);
  if (owner !== undefined && owner !== restore.metadata.uid) return false;
  if (!fromOurSource(restore, status, table.restoreSummary, options.defaultRegion)) return false;
  return Date.parse(table.createdAt) >= Date.parse(status.restoreRequestedAt) - options.adoptionSkewMs;
}
