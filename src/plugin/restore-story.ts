// `kubectl ddbr describe`: a restore's story for a person. What was asked, each step with its time (the status's
// times and the operator's events, one for every change of the Ready reason), where it waits, the AWS error and
// what to do about it. Pure: the command reads the resource and its events.
import { SETTINGS, type DynamoDBRestore } from '../api/dynamodb-restore.ts';

export interface StoryEvent {
  at: Date;
  type?: string;
  reason?: string;
  message?: string;
}

interface Step {
  at: number;
  what: string;
  detail: string;
}

export function restoreStory(restore: DynamoDBRestore, events: readonly StoryEvent[]): string {
  const { metadata, spec, status = {} } = restore;
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  const lines = [
    `Name:       ${metadata.name}`,
    `Namespace:  ${metadata.namespace}`,
    `Table:      ${spec.targetTableName} in ${spec.region ?? "the operator's default Region"}`,
    `Source:     ${status.source ?? requestedSource(spec.source)}`,
    `Phase:      ${status.phase ?? 'not picked up by the operator yet'}${ready ? ` (${ready.reason})` : ''}`,
  ];
  if (status.phase === 'Queued' && status.queuePosition !== undefined) {
    lines.push(`Queue:      position ${status.queuePosition} for one of the account and Region's restore slots (1: next)`);
  }
  const settings = SETTINGS.filter((setting) => spec.tableSettings?.[setting] !== undefined);
  if (settings.length > 0) {
    const applied = new Set(status.appliedSettings);
    const pending = settings.filter((setting) => !applied.has(setting));
    lines.push(`Settings:   ${settings.filter((setting) => applied.has(setting)).join(', ') || 'none'} in place${pending.length ? `; ${pending.join(', ')} to apply` : ''}`);
  }
  if (status.tableArn) lines.push(`Restored:   ${status.tableArn}${status.tableStatus ? ` (${status.tableStatus} when last looked at)` : ''}`);
  if (ready?.message) lines.push(`Now:        ${ready.message}`);

  const steps = timeline(restore, events);
  const start = steps[0]?.at ?? 0;
  lines.push('', 'Steps:');
  for (const step of steps) {
    lines.push(`  ${new Date(step.at).toISOString().replace(/\.\d+Z$/, 'Z')}  ${elapsed(step.at - start).padStart(7)}  ${step.what.padEnd(20)}${step.detail ? `  ${step.detail}` : ''}`.trimEnd());
  }

  const error = status.lastError;
  if (error) {
    lines.push('', `AWS error:  ${error.code}${error.retryable ? ' (retried by the operator)' : ''}`, `            ${error.message}`);
  }
  const advice = whatToDo(restore);
  if (advice) lines.push('', `What to do: ${advice}`);
  return lines.join('\n') + '\n';
}

/** The status's own times (which outlive events: an apiserver keeps those an hour by default) and the events, in time order. */
function timeline(restore: DynamoDBRestore, events: readonly StoryEvent[]): Step[] {
  const { metadata, status = {} } = restore;
  const steps: Step[] = [];
  const at = (time: string | Date | undefined, what: string, detail = '') => {
    const ms = time === undefined ? NaN : new Date(time).getTime();
    if (Number.isFinite(ms)) steps.push({ at: ms, what, detail });
  };
  at(metadata.creationTimestamp, 'Created');
  at(status.restoreRequestedAt, 'Restore requested', 'the restore call to AWS is about to be made');
  at(status.startTime, 'Table CREATING', 'AWS accepted the restore');
  at(status.completionTime, status.phase ?? 'Finished');
  // Events are recorded after the status write they tell of: on the same millisecond, after it.
  for (const event of events) at(event.at, event.reason ?? event.type ?? 'Event', event.message ?? '');
  return steps.sort((a, b) => a.at - b.at);
}

function whatToDo(restore: DynamoDBRestore): string | undefined {
  const { metadata, status = {} } = restore;
  const retry = `kubectl ddbr retry ${metadata.name} -n ${metadata.namespace}`;
  switch (status.phase) {
    case 'Failed':
      return `a failed restore is final. Fix what the error says, then restore again with the same spec: ${retry}`;
    case 'Completed':
      return undefined;
    case 'Queued':
      return 'nothing: the restore starts when a slot frees up (AWS allows 50 restores in progress per account and Region).';
    case undefined:
      return 'if this lasts, check that the operator runs and watches this namespace.';
    default:
      return status.lastError?.retryable ? 'nothing yet: the operator retries on its own; the error says what would help.' : undefined;
  }
}

function requestedSource(source: DynamoDBRestore['spec']['source']): string {
  if (source.backupArn) return `backup ${source.backupArn}`;
  if (source.recoveryPoint) {
    const { recoveryPointArn, backupVaultName, iamRoleArn } = source.recoveryPoint;
    return `recovery point ${recoveryPointArn} in vault ${backupVaultName} (AWS Backup, as role ${iamRoleArn})`;
  }
  if (source.backup) {
    const { tableName, backupName } = source.backup;
    return backupName ? `the newest backup named ${backupName} of table ${tableName}` : `the newest backup of table ${tableName}`;
  }
  const pit = source.pointInTime;
  const table = pit?.sourceTableName ?? pit?.sourceTableArn ?? '';
  return `table ${table} as of ${pit?.restoreDateTime ?? 'its latest restorable time'}`;
}

/** +0s, +42s, +7m12s, +2h03m: time since the first step. */
export function elapsed(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `+${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `+${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `+${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
