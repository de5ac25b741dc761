// The one ownership rule without a recorded TableId, written out from ADR 4 for the property tests' oracles, not
// taken from the code under test.
import type { DynamoDBRestore } from '../../../src/api/dynamodb-restore.ts';
import type { TableState } from '../../../src/aws/dynamodb-port.ts';
import { OWNER_UID_TAG } from '../../../src/restore/restore-ownership.ts';

/**
 * What must hold for a table found under the target name to be taken as the lost answer to this resource's own
 * restore call (ADR 4). Necessary, not sufficient: the plans may refuse more (a point-in-time source in another
 * Region), never less.
 */
export function mayBeOurLostAnswer(r: DynamoDBRestore, table: TableState | undefined, tags: Record<string, string> | undefined, skewMs: number): boolean {
  if (!table || tags === undefined) return false;
  const requested = r.status?.restoreRequestedAt;
  if (requested === undefined || r.status?.startTime !== undefined || table.createdAt === undefined) return false;
  const owner = Object.hasOwn(tags, OWNER_UID_TAG) ? tags[OWNER_UID_TAG] : undefined;
  if (owner !== undefined && owner !== r.metadata.uid) return false;
  if (Date.parse(table.createdAt) < Date.parse(requested) - skewMs) return false;
  const summary = table.restoreSummary;
  const pit = r.spec.source.pointInTime;
  if (!pit) return summary?.sourceBackupArn !== undefined && summary.sourceBackupArn === (r.spec.source.backupArn ?? r.status?.backupArn);
  if (pit.sourceTableArn) return summary?.sourceTableArn === pit.sourceTableArn;
  return summary?.sourceTableArn?.split(':')[5] === `table/${pit.sourceTableName ?? ''}`;
}
