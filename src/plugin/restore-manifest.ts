// The DynamoDBRestore a `restore` or `retry` creates: built from the flags (the AWS CLI's, for the overrides), or
// from a failed restore's spec, and checked against the CRD's schema before it goes anywhere.
import { API_VERSION, GROUP, KIND, type DynamoDBRestore, type DynamoDBRestoreSpec } from '../api/dynamodb-restore.ts';
import { parseCliValue } from './aws-shorthand.ts';
import { UsageError, type RestoreFlags } from './command-line.ts';
import { coerceOverrides, specProblems } from './spec-validation.ts';

export interface RestoreManifest {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: DynamoDBRestoreSpec;
}

/** On a retry: the restore it retries, so `kubectl get ddbr -o yaml` tells the two apart. */
export const RETRY_OF_ANNOTATION = `${GROUP}/retry-of`;

/** A custom resource's name: a DNS subdomain (RFC 1123), as the apiserver requires. */
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_NAME = 253;

export function restoreManifest(namespace: string, name: string, flags: RestoreFlags): RestoreManifest {
  const problems: string[] = [];
  const spec: Record<string, unknown> = {};
  if (flags.table === undefined) problems.push('--table (the table to create) is required');
  else spec.targetTableName = flags.table;
  if (flags.region !== undefined) spec.region = flags.region;
  const source = sourceOf(flags, problems);
  if (source) spec.source = source;
  const overrides = overridesOf(flags, problems);
  if (overrides) spec.overrides = overrides;
  if (flags.deletionPolicy !== undefined) spec.deletionPolicy = flags.deletionPolicy;
  if (flags.roleArn !== undefined) spec.credentials = { roleArn: flags.roleArn };
  return checked({ apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace }, spec: spec as DynamoDBRestoreSpec }, problems);
}

/** A new resource with the failed one's spec, under another name. */
export function retryManifest(failed: DynamoDBRestore, name: string): RestoreManifest {
  if (failed.status?.phase !== 'Failed') {
    throw new UsageError(`${failed.metadata.name} is ${failed.status?.phase ?? 'not started yet'}; only a Failed restore is retried`);
  }
  const { namespace } = failed.metadata;
  return checked(
    { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace, annotations: { [RETRY_OF_ANNOTATION]: failed.metadata.name } }, spec: structuredClone(failed.spec) },
    [],
  );
}

/**
 * The retry's name: NAME-retry-<n>, n one more than the highest retry of the same restore among the names taken
 * (a retry of music-retry-1 is music-retry-2, not music-retry-1-retry-1).
 */
export function retryName(original: string, taken: Iterable<string>): string {
  const base = original.replace(/-retry-\d+$/, '');
  const numbered = new RegExp(`^${base.replaceAll('.', '\\.')}-retry-(\\d+)$`);
  let highest = 0;
  for (const name of [original, ...taken]) highest = Math.max(highest, Number(numbered.exec(name)?.[1] ?? 0));
  const suffix = `-retry-${highest + 1}`;
  return base.slice(0, MAX_NAME - suffix.length).replace(/[-.]+$/, '') + suffix;
}

function checked(manifest: RestoreManifest, problems: string[]): RestoreManifest {
  const { name } = manifest.metadata;
  if (name.length > MAX_NAME || !NAME.test(name)) {
    problems.unshift(`NAME "${name}" must be at most ${MAX_NAME} lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`);
  }
  // A field the flags' problems already explain is not reported missing a second time.
  const explained = ['targetTableName', 'source'].filter((field) => !(field in manifest.spec)).map((field) => `spec: must have required property '${field}'`);
  problems.push(...specProblems(manifest.spec).filter((p) => !(problems.length > 0 && explained.includes(p))));
  if (problems.length > 0) throw new UsageError(`the restore is not valid:\n  ${problems.join('\n  ')}`);
  return manifest;
}

function sourceOf(flags: RestoreFlags, problems: string[]): DynamoDBRestoreSpec['source'] | undefined {
  const pointInTime = flags.restoreTime !== undefined || flags.latestRestorable === true;
  const given = [
    flags.backupArn !== undefined && '--backup-arn',
    flags.backupName !== undefined && '--backup-name',
    flags.latestBackupOf !== undefined && '--latest-backup-of',
    pointInTime && (flags.restoreTime !== undefined ? '--restore-time' : '--latest-restorable'),
  ].filter((flag): flag is string => flag !== false);
  if (given.length !== 1) {
    problems.push(
      given.length === 0
        ? 'say what to restore from: --backup-arn, --backup-name with --source-table, --latest-backup-of, or --source-table with --restore-time or --latest-restorable'
        : `restore from one source only, not ${given.join(' and ')}`,
    );
    return undefined;
  }
  if (flags.restoreTime !== undefined && flags.latestRestorable === true) {
    problems.push('give one moment: --restore-time or --latest-restorable');
    return undefined;
  }
  const needsSourceTable = flags.backupName !== undefined || pointInTime;
  if (needsSourceTable && flags.sourceTable === undefined) {
    problems.push(`${given[0]} needs --source-table (the table it was taken of)`);
    return undefined;
  }
  if (!needsSourceTable && flags.sourceTable !== undefined) {
    problems.push(`--source-table goes with --backup-name, --restore-time or --latest-restorable, not ${given[0]}`);
    return undefined;
  }
  if (flags.backupArn !== undefined) return { backupArn: flags.backupArn };
  if (flags.latestBackupOf !== undefined) return { backup: { tableName: flags.latestBackupOf, latest: true } };
  const sourceTable = flags.sourceTable ?? '';
  if (flags.backupName !== undefined) return { backup: { tableName: sourceTable, backupName: flags.backupName } };
  return {
    pointInTime: {
      ...(sourceTable.startsWith('arn:') ? { sourceTableArn: sourceTable } : { sourceTableName: sourceTable }),
      ...(flags.restoreTime !== undefined ? { restoreDateTime: flags.restoreTime } : { useLatestRestorableTime: true }),
    },
  };
}

function overridesOf(flags: RestoreFlags, problems: string[]): Record<string, unknown> | undefined {
  const overrides: Record<string, unknown> = {};
  const parsed = (flag: string, value: string): unknown => {
    try {
      return parseCliValue(value);
    } catch (err) {
      problems.push(`--${flag}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const indexes = (flag: string, values: string[]): unknown[] => values.flatMap((v) => parsed(flag, v) ?? []);
  if (flags.billingModeOverride !== undefined) overrides.billingMode = flags.billingModeOverride;
  if (flags.provisionedThroughputOverride !== undefined) {
    overrides.provisionedThroughput = parsed('provisioned-throughput-override', flags.provisionedThroughputOverride);
  }
  if (flags.onDemandThroughputOverride !== undefined) {
    overrides.onDemandThroughput = parsed('on-demand-throughput-override', flags.onDemandThroughputOverride);
  }
  if (flags.globalSecondaryIndexOverride) {
    overrides.globalSecondaryIndexes = indexes('global-secondary-index-override', flags.globalSecondaryIndexOverride);
  }
  if (flags.localSecondaryIndexOverride) {
    overrides.localSecondaryIndexes = indexes('local-secondary-index-override', flags.localSecondaryIndexOverride);
  }
  if (flags.sseSpecificationOverride !== undefined) overrides.sse = parsed('sse-specification-override', flags.sseSpecificationOverride);
  if (Object.keys(overrides).length === 0) return undefined;
  coerceOverrides(overrides);
  return overrides;
}
