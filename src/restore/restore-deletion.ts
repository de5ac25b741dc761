// What deleting a DynamoDBRestore does to its table, free of I/O. With deletionPolicy Delete the resource carries
// the operator's finalizer and this plan runs until the finalizer can go: the table is deleted only when it carries
// this resource's ownership tag (or is provably this resource's restore, which is then tagged first), never while
// it is still being created or updated, and never with deletion protection on.
import type { DynamoDBRestore, DynamoDBRestoreStatus } from '../api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy } from '../api/dynamodb-restore-policy.ts';
import { classifyError } from './restore-errors.ts';
import {
  fromOurSource,
  ownerTags,
  OWNER_UID_TAG,
  provesOurRestore,
  ready,
  Reason,
  SETTLING_DELAY_MS,
  type Observation,
  type PlanOptions,
  type Step,
} from './restore-plan.ts';
import { deletionPolicyDenial } from './restore-policy.ts';

export const FINALIZER = 'dynamodb.restore.dev/delete-table';

/** How often a refused deletion (deletion protection on, an AWS error that needs a person) looks again. */
export const DELETION_RECHECK_MS = 120_000;

/** Whether the resource should carry the finalizer: only a Delete policy needs to act before it goes. */
export function wantsFinalizer(restore: DynamoDBRestore): boolean {
  return restore.spec.deletionPolicy === 'Delete';
}

export function planDeletion(
  restore: DynamoDBRestore,
  observation: Observation,
  now: Date,
  options: PlanOptions,
  policies: readonly DynamoDBRestorePolicy[] = [],
): Step {
  const status = restore.status ?? {};
  const name = restore.spec.targetTableName;
  const release: Step = { status, action: { kind: 'releaseFinalizer' } };
  const note = (reason: string, message: string, extra: Partial<DynamoDBRestoreStatus> = {}): DynamoDBRestoreStatus =>
    ready({ ...status, ...extra }, restore, 'False', reason, message, now);
  const look: Step = { status, action: { kind: 'describeSettings', tableName: name, read: ['tags'] } };

  if (!wantsFinalizer(restore)) return release;
  const denied = deletionPolicyDenial(restore, policies);
  if (denied) {
    return { status: note(Reason.PolicyDenied, `${denied.message} Table ${name} is left in place.`), action: { kind: 'releaseFinalizer' } };
  }
  // Nothing was ever asked of AWS: there is no table of ours.
  if (!status.restoreRequestedAt) return release;

  switch (observation.kind) {
    case 'nothing':
    case 'tagged':
    case 'tableDeleted':
      return look;
    case 'settingsDescribed': {
      const observed = observation.settings;
      if (!observed) return release;
      const { table, tags } = observed;
      if (table.status === 'DELETING') {
        return { status: note(Reason.DeletingTable, `Table ${name} is being deleted; the resource goes when it is gone.`), action: { kind: 'requeue', afterMs: SETTLING_DELAY_MS } };
      }
      if (table.status !== 'ACTIVE') {
        return {
          status: note(Reason.DeletionWaiting, `Table ${name} is ${table.status}; it is deleted once ACTIVE (DynamoDB refuses to delete it before).`),
          action: { kind: 'requeue', afterMs: SETTLING_DELAY_MS },
        };
      }
      if (tags?.[OWNER_UID_TAG] !== restore.metadata.uid) {
        // Restored by this resource but not tagged yet (deleted mid-restore, or a crash before tagging): mark it, then delete.
        if (provesOurRestore(table, fromOurSource(restore, status), status.restoreRequestedAt, options.adoptionSkewMs)) {
          return { status, action: { kind: 'tagTable', tableArn: table.arn ?? status.tableArn ?? '', tags: ownerTags(restore) } };
        }
        // The restore never took hold: the table of that name was always someone else's.
        if (!status.startTime) {
          return { status: note(Reason.TableNotOwned, `Table ${name} was not created by this resource; it is left untouched.`), action: { kind: 'releaseFinalizer' } };
        }
        return {
          status: note(
            Reason.DeletionRefused,
            `Table ${name} does not carry this resource's ownership tag (${OWNER_UID_TAG}=${restore.metadata.uid}), so it is not deleted: it may have been replaced. ` +
              'Set spec.deletionPolicy: Retain to let this resource go and keep the table.',
          ),
          action: { kind: 'done' },
        };
      }
      if (table.deletionProtection) {
        return {
          status: note(
            Reason.DeletionRefused,
            `Table ${name} has deletion protection on, so it is not deleted. Turn it off (aws dynamodb update-table --table-name ${name} --no-deletion-protection-enabled) ` +
              'to let the operator delete it, or set spec.deletionPolicy: Retain to keep it.',
          ),
          action: { kind: 'requeue', afterMs: DELETION_RECHECK_MS },
        };
      }
      return { status: note(Reason.DeletingTable, `Deleting table ${name} (deletionPolicy Delete).`), action: { kind: 'deleteTable', tableName: name } };
    }
    case 'failed': {
      const classified = classifyError(observation.error, { tableName: name, backupArn: status.backupArn });
      const lastError = { code: classified.code, message: classified.message, retryable: true };
      const reason = classified.retry.kind === 'terminal' ? Reason.DeletionFailed : classified.reason;
      // Even a "terminal" error (access denied) is looked at again: the resource cannot go until the table does.
      const afterMs = classified.retry.kind === 'after' ? classified.retry.delayMs : DELETION_RECHECK_MS;
      return { status: note(reason, `Table ${name} could not be deleted: ${classified.message}`, { lastError }), action: { kind: 'requeue', afterMs } };
    }
    default:
      return look;
  }
}
