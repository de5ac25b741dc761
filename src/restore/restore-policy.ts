// DynamoDBRestorePolicy enforcement, free of I/O: does every policy governing a restore's namespace allow it?
// Patterns are RE2, matched as the ValidatingAdmissionPolicy in deploy/ matches them in CEL: the value must match
// '^(?:' + pattern + ')$'. RE2 (re2js) runs in time linear in the input, so no tenant value can stall the event loop.
import { LRUCache } from 'lru-cache';
import { RE2JS } from 're2js';
import type { DynamoDBRestore } from '../api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy, DynamoDBRestorePolicySpec } from '../api/dynamodb-restore-policy.ts';

export interface PolicyDenial {
  policy: string;
  rule: string;
  message: string;
}

/**
 * Compiled patterns, and false for one that does not compile. Policies hold at most a few hundred patterns each; the
 * bound only keeps a churn of edited policies from growing it (lru-cache, as the AWS client cache).
 */
const compiled = new LRUCache<string, RE2JS | false>({ max: 1000 });

/**
 * The pattern as CEL compiles it, or undefined when it does not compile. The pattern must also compile on its own
 * (as admission requires): otherwise its parentheses could pair with the wrapper's, e.g. a)|(b would match any
 * value starting with a.
 */
function compile(pattern: string): RE2JS | undefined {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    try {
      RE2JS.compile(pattern);
      regex = RE2JS.compile(`^(?:${pattern})$`);
    } catch {
      regex = false;
    }
    compiled.set(pattern, regex);
  }
  return regex || undefined;
}

/** Whether the pattern is one admission accepts: RE2 that compiles on its own and as CEL's whole-value match. */
export function compiles(pattern: string): boolean {
  return compile(pattern) !== undefined;
}

/** Whether the whole value matches; a pattern that does not compile matches nothing, so a broken rule denies. */
export function matchesWhole(pattern: string, value: string): boolean {
  return compile(pattern)?.test(value) ?? false;
}

/**
 * A policy governs the namespaces whose whole name matches one of its patterns, and every namespace when one of its
 * patterns does not compile: a broken policy then denies everywhere (checkPolicies) instead of governing nothing,
 * which would leave the namespace it was meant for less restricted.
 */
export function governs(policy: DynamoDBRestorePolicy, namespace: string): boolean {
  return policy.spec.namespaces.some((p) => !compiles(p) || matchesWhole(p, namespace));
}

function governingPolicies(namespace: string, policies: readonly DynamoDBRestorePolicy[]): DynamoDBRestorePolicy[] {
  return policies.filter((p) => governs(p, namespace)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

function denial(policy: string, rule: string, why: string): PolicyDenial {
  return {
    policy,
    rule,
    message: `DynamoDBRestorePolicy ${policy} denies this restore (${rule}): ${why}. Change the spec in a new DynamoDBRestore, or ask the platform team.`,
  };
}

/** What each rule of one policy looks at. */
interface RuleInput {
  rules: DynamoDBRestorePolicySpec;
  restore: DynamoDBRestore;
  region: string | undefined;
  /** What allowedSources judges, once known (see checkPolicies). */
  source: string | undefined;
}

/** A rule's verdict: undefined when it allows the restore, else its name and why it does not. */
type Rule = (input: RuleInput) => [rule: string, why: string] | undefined;

const brokenNamespaces: Rule = ({ rules }) => {
  const broken = rules.namespaces.findIndex((p) => !compiles(p));
  if (broken < 0) return undefined;
  return ['namespaces', `pattern ${broken + 1} of its namespaces is not a valid RE2 expression, so it governs every namespace and allows no restore until fixed`];
};

const allowedRegions: Rule = ({ rules, region }) => {
  if (!rules.allowedRegions || (region && rules.allowedRegions.includes(region))) return undefined;
  return ['allowedRegions', `Region ${region ?? '(the operator default, not configured)'} is not one of ${rules.allowedRegions.join(', ')}`];
};

const allowedSources: Rule = ({ rules, restore, source }) => {
  if (!rules.allowedSources || source === undefined || rules.allowedSources.some((p) => matchesWhole(p, source))) return undefined;
  return ['allowedSources', `${describeSource(restore, source)} matches none of ${rules.allowedSources.join(', ')}`];
};

const allowedRoleArns: Rule = ({ rules, restore }) => {
  const role = restore.spec.credentials?.roleArn;
  if (!rules.allowedRoleArns || !role || rules.allowedRoleArns.some((p) => matchesWhole(p, role))) return undefined;
  return ['allowedRoleArns', `role ${role} matches none of ${rules.allowedRoleArns.join(', ')}`];
};

/** A value the spec names that a governed namespace may use only when the policy lists it (deny by default). */
function listedOnly(rule: 'allowedRestoreRoleArns' | 'allowedBackupVaults', what: string, value: string | undefined, patterns: readonly string[] | undefined): [string, string] | undefined {
  if (value === undefined || (patterns ?? []).some((p) => matchesWhole(p, value))) return undefined;
  const allowed = patterns?.length ? `matches none of ${patterns.join(', ')}` : `is not allowed: the policy names no ${rule}`;
  return [rule, `${what} ${value} ${allowed}`];
}

// Passing a role lends its permissions to AWS Backup: a governed namespace passes only the roles its policies name.
const allowedRestoreRoleArns: Rule = ({ rules, restore }) =>
  listedOnly('allowedRestoreRoleArns', 'restore role', restore.spec.source.recoveryPoint?.iamRoleArn, rules.allowedRestoreRoleArns);

// The vault a recovery point comes from (the operator then proves the recovery point is in it, DescribeRecoveryPoint).
const allowedBackupVaults: Rule = ({ rules, restore }) =>
  listedOnly('allowedBackupVaults', 'backup vault', restore.spec.source.recoveryPoint?.backupVaultName, rules.allowedBackupVaults);

const targetTableNamePattern: Rule = ({ rules, restore }) => {
  if (!rules.targetTableNamePattern) return undefined;
  // As CEL's replace: the namespace as it is ([a-z0-9-], nothing RE2 reads as an operator outside a class).
  const pattern = rules.targetTableNamePattern.replaceAll('$(namespace)', restore.metadata.namespace);
  const name = restore.spec.targetTableName;
  return matchesWhole(pattern, name) ? undefined : ['targetTableNamePattern', `table name ${name} does not match ${rules.targetTableNamePattern}`];
};

const allowedDeletionPolicies: Rule = ({ rules, restore }) => {
  const asked = restore.spec.deletionPolicy ?? 'Retain';
  if (!rules.allowedDeletionPolicies || rules.allowedDeletionPolicies.includes(asked)) return undefined;
  return ['allowedDeletionPolicies', `deletionPolicy ${asked} is not one of ${rules.allowedDeletionPolicies.join(', ')}`];
};

const maxProvisionedThroughput: Rule = ({ rules, restore }) => {
  const max = rules.maxProvisionedThroughput;
  if (!max) return undefined;
  const { overrides } = restore.spec;
  const asked = [['the table', overrides?.provisionedThroughput] as const, ...(overrides?.globalSecondaryIndexes ?? []).map((i) => [`index ${i.indexName}`, i.provisionedThroughput] as const)];
  for (const [what, t] of asked) {
    if (t && (t.readCapacityUnits > max.readCapacityUnits || t.writeCapacityUnits > max.writeCapacityUnits)) {
      return ['maxProvisionedThroughput', `${what} asks for ${t.readCapacityUnits}/${t.writeCapacityUnits} read/write capacity units, more than ${max.readCapacityUnits}/${max.writeCapacityUnits}`];
    }
  }
  return undefined;
};

/** The rules, in the order a denial is reported. */
const RULES: readonly Rule[] = [
  brokenNamespaces,
  allowedRegions,
  allowedSources,
  allowedRoleArns,
  allowedRestoreRoleArns,
  allowedBackupVaults,
  targetTableNamePattern,
  allowedDeletionPolicies,
  maxProvisionedThroughput,
];

/** The first denial of the first governing policy (by name) that denies, by the rules given. */
function firstDenial(rulesToCheck: readonly Rule[], restore: DynamoDBRestore, policies: readonly DynamoDBRestorePolicy[], defaultRegion: string | undefined, source: string | undefined): PolicyDenial | undefined {
  for (const { metadata, spec: rules } of governingPolicies(restore.metadata.namespace, policies)) {
    const input = { rules, restore, region: restore.spec.region ?? defaultRegion, source };
    for (const rule of rulesToCheck) {
      const verdict = rule(input);
      if (verdict) return denial(metadata.name, ...verdict);
    }
  }
  return undefined;
}

/**
 * Whether a governing policy forbids the resource's deletionPolicy. Checked again before deleting a table: the
 * field may change after creation, and a policy may have been tightened since.
 */
export function deletionPolicyDenial(restore: DynamoDBRestore, policies: readonly DynamoDBRestorePolicy[]): PolicyDenial | undefined {
  return firstDenial([allowedDeletionPolicies], restore, policies, undefined, undefined);
}

/**
 * Why the first policy (by name) that denies the restore does so; undefined when every governing policy allows it.
 * source: what allowedSources judges, once known: the backup's ARN (a looked-up backup's when it is found), a
 * recovery point's ARN, or a point-in-time restore's source table ARN or name.
 */
export function checkPolicies(
  restore: DynamoDBRestore,
  policies: readonly DynamoDBRestorePolicy[],
  defaultRegion: string | undefined,
  source: string | undefined,
): PolicyDenial | undefined {
  return firstDenial(RULES, restore, policies, defaultRegion, source);
}

/** The source, as a denial may name it: a backup found by a lookup may be another team's, so its ARN stays unsaid. */
function describeSource(restore: DynamoDBRestore, source: string): string {
  const { backup, pointInTime, recoveryPoint } = restore.spec.source;
  if (backup) return `the backup found for table ${backup.tableName}`;
  if (recoveryPoint) return `recovery point ${source}`;
  return pointInTime ? `source table ${source}` : `backup ${source}`;
}
