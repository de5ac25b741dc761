// What deleting a DynamoDBRestore does to its table, free of I/O. The resource carries the operator's finalizer
// while its table needs the operator: while a restore is in progress (AWS counts it until the table is ACTIVE, so
// its slot is held until then, whatever happens to the resource) and, with deletionPolicy Delete, until the table
// is deleted. A table is deleted only when its TableId is the one this resource recorded from its own restore call
// and it carries this resource's owner-uid tag; never while it is being created or updated, never with deletion
// protection on. A resource whose restore call was never answered holds its slot and deletes a table only when the
// table proves to be that call's lost answer, as a restore adopts it; otherwise nothing is deleted. A recovery point's restore job is
// followed like a table CREATING: its table is the one the job names, and nothing else.
import type { DynamoDBRestore, DynamoDBRestoreStatus } from '../api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy } from '../api/dynamodb-restore-policy.ts';
import type { AwsError, TableState } from '../aws/dynamodb-port.ts';
import { classifyError } from './restore-errors.ts';
import { adoptable, ownerTags, ownerUid, OWNER_UID_TAG } from './restore-ownership.ts';
import { isFinal, ready } from './restore-status.ts';
import { Reason, SETTLING_DELAY_MS, type Observation, type PlanOptions, type Step } from './restore-vocabulary.ts';
import { deletionPolicyDenial } from './restore-policy.ts';
import { doneWithSlots } from './restore-slots.ts';

export const FINALIZER = 'dynamodb.restore.dev/finalizer';

/** How often a refused deletion (deletion protection on, an AWS error that needs a person) looks again. */
export const DELETION_RECHECK_MS = 120_000;

/**
 * Whether the resource should carry the finalizer: with a Delete policy, always; otherwise until its restore no
 * longer needs a slot, so deleting the resource mid-restore cannot free a slot AWS still counts.
 */
export function wantsFinalizer(restore: DynamoDBRestore): boolean {
  return restore.spec.deletionPolicy === 'Delete' || !(isFinal(restore) || doneWithSlots(restore.status));
}

/** What every step of one deletion plan knows. */
interface Deletion {
  restore: DynamoDBRestore;
  status: DynamoDBRestoreStatus;
  name: string;
  deletes: boolean;
  now: Date;
}

export function planDeletion(
  restore: DynamoDBRestore,
  observation: Observation,
  now: Date,
  options: PlanOptions,
  policies: readonly DynamoDBRestorePolicy[] = [],
): Step {
  const status = restore.status ?? {};
  const d: Deletion = { restore, status, name: restore.spec.targetTableName, deletes: restore.spec.deletionPolicy === 'Delete', now };
  const denied = d.deletes ? deletionPolicyDenial(restore, policies) : undefined;
  if (denied) return letGo(note(d, Reason.PolicyDenied, `${denied.message} Table ${d.name} is left in place.`));
  // Nothing was ever asked of AWS (no table of ours, no slot), or a Retain resource's restore is past its slot.
  if (!status.restoreRequestedAt || (!d.deletes && doneWithSlots(status))) return letGo(status);
  // A recovery point's restore job may still be making the table: follow it (the table it names is ours).
  if (status.restoreJobId !== undefined && status.tableId === undefined && !JOB_ENDED.has(status.restoreJobStatus ?? '')) {
    return followRestoreJob(d, status.restoreJobId, observation);
  }
  // AWS never answered the restore call with a table (it failed, or its answer was lost): look for that lost answer.
  if (status.tableId === undefined) return judgeUnanswered(d, observation, options);
  switch (observation.kind) {
    case 'settingsDescribed':
      return observation.settings ? judgeTable(d, observation.settings.table, observation.settings.tags) : letGo(status);
    case 'failed':
      return deletionFailed(d, observation.error);
    default:
      // The start, or the answer of a step taken (tagged, deleted): look at the table (again).
      return { status, action: { kind: 'describeSettings', tableName: d.name, read: ['tags'] } };
  }
}

/** A restore job's statuses after which it makes no table. */
const JOB_ENDED: ReadonlySet<string> = new Set(['FAILED', 'ABORTED']);

/**
 * A recovery point's restore job whose table is not recorded yet. While it runs, AWS counts the restore and the
 * resource waits (its slot held, as for a table CREATING); once it has ended without a table, nothing is ours; once
 * COMPLETED, the table it names (CreatedResourceArn, recorded as tableArn) is looked at and, the ARN matching, its
 * TableId recorded, so the usual checks (TableId, tag, status) decide. A table merely of the name is never ours.
 */
function followRestoreJob(d: Deletion, restoreJobId: string, observation: Observation): Step {
  const { status, name } = d;
  switch (observation.kind) {
    case 'restoreJobDescribed': {
      const { job } = observation;
      const seen = { restoreJobStatus: job.status };
      if (JOB_ENDED.has(job.status)) return letGo({ ...status, ...seen });
      if (job.status !== 'COMPLETED') {
        const then = d.deletes ? 'then the table it made is deleted' : 'AWS counts the restore until then, and so does the operator';
        return {
          status: note(d, Reason.DeletionWaiting, `AWS Backup restore job ${restoreJobId} is ${job.status}; the resource goes once it has ended (${then}).`, seen),
          action: { kind: 'requeue', afterMs: SETTLING_DELAY_MS },
        };
      }
      if (job.createdResourceArn?.split(':')[5] !== `table/${name}`) return letGo({ ...status, ...seen });
      return { status: { ...status, ...seen, tableArn: job.createdResourceArn }, action: { kind: 'describeSettings', tableName: name, read: ['tags'] } };
    }
    case 'settingsDescribed': {
      const table = observation.settings?.table;
      if (status.restoreJobStatus !== 'COMPLETED' || !table || table.arn !== status.tableArn || table.id === undefined) return letGo(status);
      return judgeTable({ ...d, status: { ...status, tableId: table.id } }, table, observation.settings?.tags);
    }
    case 'failed':
      return deletionFailed(d, observation.error);
    default:
      return { status, action: status.restoreJobStatus === 'COMPLETED' ? { kind: 'describeSettings', tableName: name, read: ['tags'] } : { kind: 'describeRestoreJob', restoreJobId } };
  }
}

/**
 * A restore call made and never answered with a table: its answer may have been lost after AWS made the table, which
 * AWS then counts as a restore in progress (and which, with Delete, is this resource's to delete). The table under
 * the name is this resource's only by the proof a restore adopts its lost answer with (adoptable); then its identity
 * is recorded and the usual checks decide, so the slot is held while it is CREATING. Anything else is not ours.
 */
function judgeUnanswered(d: Deletion, observation: Observation, options: PlanOptions): Step {
  const { restore, status } = d;
  switch (observation.kind) {
    case 'settingsDescribed': {
      const table = observation.settings?.table;
      const tags = observation.settings?.tags;
      if (table?.id !== undefined && adoptable(restore, status, table, tags, options)) {
        const recorded = { ...status, tableId: table.id, tableArn: table.arn, startTime: table.createdAt };
        return judgeTable({ ...d, status: recorded }, table, tags);
      }
      if (!d.deletes) return letGo(status);
      return letGo(note(d, Reason.TableNotOwned, `No table was recorded as restored by this resource, so none is deleted; table ${d.name}, if any, is left untouched.`));
    }
    case 'failed':
      return deletionFailed(d, observation.error);
    default:
      return { status, action: { kind: 'describeSettings', tableName: d.name, read: ['tags'] } };
  }
}

/** The table found under the name: ours by TableId and tag, settled, unprotected: then, and only then, deleted. */
function judgeTable(d: Deletion, table: TableState, tags: Record<string, string> | undefined): Step {
  const { name, restore, status } = d;
  if (table.id !== status.tableId) {
    return letGo(note(d, Reason.TableNotOwned, `Table ${name} is not the table this resource restored (its TableId differs: it was replaced); it is left untouched.`));
  }
  const seen = { tableStatus: table.status };
  if (table.status === 'DELETING') {
    return { status: note(d, Reason.DeletingTable, `Table ${name} is being deleted; the resource goes when it is gone.`, seen), action: { kind: 'requeue', afterMs: SETTLING_DELAY_MS } };
  }
  if (table.status !== 'ACTIVE') {
    const then = d.deletes ? 'it is deleted once ACTIVE (DynamoDB refuses to delete it before)' : 'AWS counts its restore until it is ACTIVE, and so does the operator: the resource goes then';
    return { status: note(d, Reason.DeletionWaiting, `Table ${name} is ${table.status}; ${then}.`, seen), action: { kind: 'requeue', afterMs: SETTLING_DELAY_MS } };
  }
  if (!d.deletes) return letGo({ ...status, ...seen });
  const owner = ownerUid(tags);
  // Our own table (by its recorded TableId), deleted before the restore reached its tagging step: the tag the
  // restore would have put there goes on first, so the IAM condition on the owner tag lets DeleteTable through.
  if (owner === undefined) return { status: { ...status, ...seen }, action: { kind: 'tagTable', tableArn: table.arn ?? status.tableArn ?? '', tags: ownerTags(restore) } };
  if (owner !== restore.metadata.uid) {
    const message =
      `Table ${name} carries another resource's ownership tag (${OWNER_UID_TAG}=${owner}), so it is not deleted. ` +
      'A cluster administrator (the platform team) can set spec.deletionPolicy: Retain on this resource to let it go and keep the table.';
    return { status: note(d, Reason.DeletionRefused, message, seen), action: { kind: 'requeue', afterMs: DELETION_RECHECK_MS } };
  }
  if (table.deletionProtection) {
    const message =
      `Table ${name} has deletion protection on, so it is not deleted. Turn it off (aws dynamodb update-table --table-name ${name} --no-deletion-protection-enabled) ` +
      'to let the operator delete it, or have a cluster administrator (the platform team) set spec.deletionPolicy: Retain to keep it.';
    return { status: note(d, Reason.DeletionRefused, message, seen), action: { kind: 'requeue', afterMs: DELETION_RECHECK_MS } };
  }
  return { status: note(d, Reason.DeletingTable, `Deleting table ${name} (deletionPolicy Delete).`, seen), action: { kind: 'deleteTable', tableName: name } };
}

/** Even a "terminal" error (access denied) is looked at again: the resource cannot go until the table does. */
function deletionFailed(d: Deletion, error: AwsError): Step {
  const classified = classifyError(error, { tableName: d.name, backupArn: d.status.backupArn });
  const lastError = { code: classified.code, message: classified.message, retryable: true };
  const reason = classified.retry.kind === 'terminal' ? Reason.DeletionFailed : classified.reason;
  const afterMs = classified.retry.kind === 'after' ? classified.retry.delayMs : DELETION_RECHECK_MS;
  const what = d.deletes ? 'could not be deleted' : 'could not be looked at';
  return { status: note(d, reason, `Table ${d.name} ${what}: ${classified.message}`, { lastError }), action: { kind: 'requeue', afterMs } };
}

/** The resource may go: its finalizer is released, with the status as it should read. */
function letGo(status: DynamoDBRestoreStatus): Step {
  return { status, action: { kind: 'releaseFinalizer' } };
}

function note(d: Deletion, reason: Reason, message: string, extra: Partial<DynamoDBRestoreStatus> = {}): DynamoDBRestoreStatus {
  return ready({ ...d.status, ...extra }, d.restore, 'False', reason, message, d.now);
}
