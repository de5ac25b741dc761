// What a chaos run is judged by, read from the fidelity proxy's log of every DynamoDB call: each table restored
// exactly once, and never two replicas acting at the same time. Pure functions over the recorded calls.
import type { RecordedCall } from '../test/support/fidelity-proxy.ts';

const RESTORE_OPERATIONS: ReadonlySet<string> = new Set(['RestoreTableFromBackup', 'RestoreTableToPointInTime']);

/** The table a call is about: TargetTableName, TableName, or the table of a ResourceArn (TagResource). */
export function tableOfCall(call: RecordedCall): string | undefined {
  const { TargetTableName, TableName, ResourceArn } = call.body;
  if (typeof TargetTableName === 'string') return TargetTableName;
  if (typeof TableName === 'string') return TableName;
  return typeof ResourceArn === 'string' ? /:table\/([^/]+)/.exec(ResourceArn)?.[1] : undefined;
}

export interface RestoreAudit {
  /** Restores that took effect beyond the first, over all tables: the number that must be 0. */
  duplicates: number;
  /** Restore calls that reached DynamoDB and were refused (a blind repeat: TableAlreadyExists), over all tables. */
  refusedRepeats: number;
  /** One line per table not restored exactly once. */
  problems: string[];
}

/**
 * Restores that took effect, per table: calls that reached DynamoDB (moto) and were accepted, whatever the caller
 * saw (an answer lost to a reset still restored the table). A call failed before it reached DynamoDB is no restore.
 */
export function auditRestores(calls: readonly RecordedCall[], tables: readonly string[]): RestoreAudit {
  const byTable = new Map<string, RecordedCall[]>(tables.map((t) => [t, []]));
  for (const call of calls) {
    if (!RESTORE_OPERATIONS.has(call.operation)) continue;
    byTable.get(tableOfCall(call) ?? '')?.push(call);
  }
  const audit: RestoreAudit = { duplicates: 0, refusedRepeats: 0, problems: [] };
  for (const [table, restores] of byTable) {
    const reached = restores.filter((c) => c.upstreamStatus !== undefined);
    const tookEffect = reached.filter((c) => (c.upstreamStatus ?? 0) < 400).length;
    audit.duplicates += Math.max(0, tookEffect - 1);
    audit.refusedRepeats += reached.length - tookEffect;
    if (tookEffect !== 1) audit.problems.push(`${table}: ${tookEffect} restores took effect (${restores.length} calls, ${reached.length} reached DynamoDB)`);
  }
  return audit;
}

export interface LeadershipAudit {
  /** Two replicas calling AWS in overlapping periods, or one table's calls going back to an earlier replica. */
  problems: string[];
  /** Time from one replica's last call to the next one's first, in ms, in order. */
  handoversMs: number[];
  /** How many of the replicas called AWS at all. */
  active: number;
}

/**
 * Judges "one leader at a time" by the proxy's log, each replica signing with its own access key: the replicas'
 * periods of activity (first to last call) must not overlap, and no table's calls may go from a replica to another
 * and back.
 */
export function auditLeadership(calls: readonly RecordedCall[], replicaKeys: readonly string[]): LeadershipAudit {
  const ours = calls.filter((c) => replicaKeys.includes(c.accessKeyId));
  const periods = replicaKeys
    .map((key) => {
      const times = ours.filter((c) => c.accessKeyId === key).map((c) => c.at.getTime());
      return { key, first: Math.min(...times), last: Math.max(...times), count: times.length };
    })
    .filter((p) => p.count > 0)
    .sort((a, b) => a.first - b.first);
  const audit: LeadershipAudit = { problems: [], handoversMs: [], active: periods.length };
  for (let i = 1; i < periods.length; i++) {
    const [before, after] = [periods[i - 1], periods[i]];
    if (!before || !after) continue;
    if (after.first <= before.last) {
      audit.problems.push(
        `${before.key} called AWS until ${new Date(before.last).toISOString()}, after ${after.key} began at ${new Date(after.first).toISOString()}`,
      );
    } else {
      audit.handoversMs.push(after.first - before.last);
    }
  }
  const sequences = new Map<string, string[]>();
  for (const call of ours) {
    const table = tableOfCall(call);
    if (!table) continue;
    const sequence = sequences.get(table) ?? [];
    if (sequence.at(-1) !== call.accessKeyId) sequence.push(call.accessKeyId);
    sequences.set(table, sequence);
  }
  for (const [table, sequence] of sequences) {
    if (new Set(sequence).size !== sequence.length) audit.problems.push(`${table}: calls went ${sequence.join(' → ')}`);
  }
  return audit;
}
