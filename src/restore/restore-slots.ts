// Which AWS restore-slot pool a DynamoDBRestore draws from, and when it holds or gives back its slot. DynamoDB
// allows a limited number of restores in progress per account and Region; the operator queues the rest (Queued).
import type { DynamoDBRestore, DynamoDBRestoreStatus } from '../api/dynamodb-restore.ts';
import { accountRegion } from '../aws/dynamodb-port.ts';

/** The pool: the account (of spec.credentials' role, else the operator's own) and the target Region. */
export function restorePool(restore: DynamoDBRestore, defaultRegion: string | undefined): string {
  return accountRegion(restore.spec.region ?? defaultRegion, restore.spec.credentials);
}

/** A restore asked of AWS and not yet ACTIVE takes one of AWS's slots. */
export function holdsSlot(status: DynamoDBRestoreStatus | undefined): boolean {
  return status?.phase === 'Restoring' && status.restoreRequestedAt !== undefined && status.tableStatus !== 'ACTIVE';
}

/** Past its restore (or never to have one): neither holding nor waiting for a slot. */
export function doneWithSlots(status: DynamoDBRestoreStatus | undefined): boolean {
  const phase = status?.phase;
  return phase === 'Configuring' || phase === 'Completed' || phase === 'Failed' || (phase === 'Restoring' && status?.tableStatus === 'ACTIVE');
}
