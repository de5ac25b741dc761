// What a DynamoDBRestore holds while it restores: one of AWS's restore slots of its account and Region (DynamoDB
// allows a limited number of restores in progress; the operator queues the rest, Queued), and the claim on its target
// table's name there (one live resource per table), with when each is held and given back.
import type { DynamoDBRestore, DynamoDBRestoreStatus } from '../api/dynamodb-restore.ts';
import { accountRegion } from '../aws/dynamodb-port.ts';
import { Claims } from '../runtime/claims.ts';
import { FairSlots, type SlotAnswer } from '../runtime/fair-slots.ts';
import { objectKey } from '../runtime/keys.ts';

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

/** Whether the resource (undefined: gone) still holds or waits for a slot: a deleted one keeps only a held slot. */
export function needsSlot(restore: DynamoDBRestore | undefined): boolean {
  if (!restore || doneWithSlots(restore.status)) return false;
  return !restore.metadata.deletionTimestamp || holdsSlot(restore.status);
}

const createdMs = (restore: DynamoDBRestore): number => Date.parse(String(restore.metadata.creationTimestamp ?? '')) || 0;

/**
 * The leader's slots and claims, with one owner and one way back: a reconcile asks for them through acquireSlot and
 * claim, and after each look at the resource settle gives back whatever it no longer needs. A new leader recounts
 * them from its cache before it grants anything (ADR 7, ADR 9).
 */
export class RestoreReservations {
  private readonly slots: FairSlots;
  private readonly claims = new Claims();

  /** wake: a queued resource whose turn has come, to be looked at now. */
  constructor(
    capacity: number,
    private readonly defaultRegion: string | undefined,
    wake: (key: string) => void,
  ) {
    this.slots = new FairSlots(capacity, wake);
  }

  /** What the resources say they hold; claims in the order they were made (oldest first, should two ever clash). */
  recount(restores: readonly DynamoDBRestore[]): void {
    const byAge = [...restores].sort((a, b) => createdMs(a) - createdMs(b) || objectKey(a).localeCompare(objectKey(b)));
    for (const restore of byAge) {
      if (holdsSlot(restore.status)) this.slots.hold(restorePool(restore, this.defaultRegion), objectKey(restore));
      if (holdsClaim(restore.status)) this.claims.claim(claimName(restore, this.defaultRegion), objectKey(restore));
    }
  }

  acquireSlot(restore: DynamoDBRestore): SlotAnswer {
    return this.slots.acquire(restorePool(restore, this.defaultRegion), { key: objectKey(restore), group: restore.metadata.namespace, since: createdMs(restore) });
  }

  /** The key of the resource that holds the claim on the restore's target table after this call (its own, if free). */
  claim(restore: DynamoDBRestore): string {
    return this.claims.claim(claimName(restore, this.defaultRegion), objectKey(restore));
  }

  /** The one way back: what the resource (undefined: gone) no longer needs goes, and the next in turn wake. */
  settle(key: string, restore: DynamoDBRestore | undefined): void {
    if (!needsSlot(restore)) this.slots.release(key);
    if (!restore || !holdsClaim(restore.status)) this.claims.release(key);
  }

  /** The restores in progress in the resource's account and Region. */
  inUse(restore: DynamoDBRestore): number {
    return this.slots.inUse(restorePool(restore, this.defaultRegion));
  }

  /** Per pool, the slots held and the resources waiting, for metrics. */
  pools(): Array<{ pool: string; inUse: number; waiting: number }> {
    return this.slots.poolNames().map((pool) => ({ pool, inUse: this.slots.inUse(pool), waiting: this.slots.waiting(pool) }));
  }
}
