// How a DynamoDBRestore's status is written: the Ready and Failed conditions, a final phase, the source as people
// read it, and durations.
import type { DynamoDBRestore, DynamoDBRestoreStatus, Phase } from '../api/dynamodb-restore.ts';
import { setCondition } from '../runtime/conditions.ts';
import { truncate } from '../runtime/error-message.ts';
import type { ClassifiedError } from './restore-errors.ts';
import type { Reason, Step } from './restore-vocabulary.ts';

/** Status messages are sentences, not dumps: a long AWS answer or policy is cut (a status write must stay small). */
export const MAX_STATUS_MESSAGE = 4096;

const FINAL: ReadonlySet<Phase | undefined> = new Set<Phase | undefined>(['Completed', 'Failed']);

export function isFinal(restore: DynamoDBRestore): boolean {
  return FINAL.has(restore.status?.phase);
}

export function ready(status: DynamoDBRestoreStatus, restore: DynamoDBRestore, value: 'True' | 'False', reason: Reason, message: string, now: Date): DynamoDBRestoreStatus {
  const lastError = status.lastError && { ...status.lastError, code: truncate(status.lastError.code, 256), message: truncate(status.lastError.message, MAX_STATUS_MESSAGE) };
  return {
    ...status,
    ...(lastError && { lastError }),
    conditions: setCondition(
      status.conditions,
      { type: 'Ready', status: value, reason, message: truncate(message, MAX_STATUS_MESSAGE), observedGeneration: restore.metadata.generation },
      now,
    ),
  };
}

/**
 * Failed for good: Ready False, and a Failed condition True with the same reason (Job's and kstatus's convention),
 * so `kubectl wait --for=condition=Failed` ends as soon as the restore has failed.
 */
export function fail(restore: DynamoDBRestore, base: DynamoDBRestoreStatus, error: ClassifiedError, now: Date): Step {
  const status = ready(
    { ...base, phase: 'Failed', completionTime: now.toISOString(), lastError: { code: truncate(error.code, 256), message: truncate(error.message, MAX_STATUS_MESSAGE), retryable: false } },
    restore,
    'False',
    error.reason,
    error.message,
    now,
  );
  const failed = { type: 'Failed', status: 'True' as const, reason: error.reason, message: truncate(error.message, MAX_STATUS_MESSAGE), observedGeneration: restore.metadata.generation };
  return { status: { ...status, conditions: setCondition(status.conditions, failed, now) }, action: { kind: 'done' } };
}

/** The status as describing this generation: observedGeneration, its own and every condition's. */
export function observedAt(status: DynamoDBRestoreStatus, generation: number): DynamoDBRestoreStatus {
  if (status.observedGeneration === generation && (status.conditions ?? []).every((c) => c.observedGeneration === generation)) return status;
  return { ...status, observedGeneration: generation, ...(status.conditions && { conditions: status.conditions.map((c) => ({ ...c, observedGeneration: generation })) }) };
}

/** A point-in-time restore's source table, by ARN or name; undefined for a restore from a backup. */
export function pointInTimeSource(spec: DynamoDBRestore['spec']): string | undefined {
  const pit = spec.source.pointInTime;
  return pit && (pit.sourceTableArn ?? pit.sourceTableName);
}

/** status.source: the backup's or recovery point's ARN, or the source table and moment (what `kubectl get` shows). */
export function sourceSummary(spec: DynamoDBRestore['spec'], backupArn: string | undefined): string | undefined {
  if (spec.source.recoveryPoint) return spec.source.recoveryPoint.recoveryPointArn;
  const pit = spec.source.pointInTime;
  if (!pit) return backupArn;
  return `${pointInTimeSource(spec) ?? ''}@${pit.restoreDateTime ?? 'latest'}`;
}

/** What the table is restored from, for people: the backup, or the table and the moment. */
export function describeSource(spec: DynamoDBRestore['spec'], status: DynamoDBRestoreStatus): string {
  if (spec.source.recoveryPoint) return `recovery point ${spec.source.recoveryPoint.recoveryPointArn}`;
  const pit = spec.source.pointInTime;
  if (!pit) return `backup ${status.backupArn ?? ''}`;
  return `table ${pointInTimeSource(spec) ?? ''} as of ${pit.restoreDateTime ?? 'the latest restorable time'}`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h}h${m}m` : m > 0 ? `${m}m${rest}s` : `${rest}s`;
}
