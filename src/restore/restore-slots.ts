// What a DynamoDBRestore holds while it restores: one of AWS's restore slots of its account and Region (DynamoDB
// allows a limited number of restores in progress; the operator queues the rest, Queued), and the claim on its target
// table's name there (one live resource per table), with when each is held and given back.
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

/** The name a resource claims: its target table in its account and Region. */
export function claimName(restore: DynamoDBRestore, defaultRegion: string | undefined): string {
  return `${restorePool(restore, defaultRegion)}/${restore.spec.targetTableName}`;
}

/**
 * Past the claim (it is claimed right after the policy check) and not given back: a failure whose restore never
 * made a table of its own lets the name go; a resource with a table keeps it until it is deleted.
 */
export function holdsClaim(status: DynamoDBRestoreStatus | undefined): boolean {
  const phase = status?.phase;
  if (phase === undefined) return false;
  return phase !== 'Failed' || status?.tableId !== undefined;
}
