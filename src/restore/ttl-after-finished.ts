// ttlSecondsAfterFinished, as Kubernetes' TTL-after-finished controller does it for Jobs: a controller of its own,
// apart from the restore's, that deletes a finished resource once its time has come. Deleting it is an ordinary
// deletion: the finalizer and deletionPolicy decide the table.
import type { DynamoDBRestore } from '../api/dynamodb-restore.ts';

export type TtlDecision = { kind: 'none' } | { kind: 'wait'; ms: number } | { kind: 'delete' };

export function ttlDecision(restore: DynamoDBRestore, now: Date): TtlDecision {
  const ttl = restore.spec.ttlSecondsAfterFinished;
  const phase = restore.status?.phase;
  if (ttl === undefined || restore.metadata.deletionTimestamp || (phase !== 'Completed' && phase !== 'Failed')) return { kind: 'none' };
  const finishedMs = Date.parse(restore.status?.completionTime ?? '');
  // A final resource always has completionTime; without one there is nothing to count from.
  if (Number.isNaN(finishedMs)) return { kind: 'none' };
  const dueMs = finishedMs + ttl * 1000 - now.getTime();
  return dueMs <= 0 ? { kind: 'delete' } : { kind: 'wait', ms: dueMs };
}
