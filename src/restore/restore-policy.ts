// DynamoDBRestorePolicy enforcement, free of I/O: does every policy governing a restore's namespace allow it?
// Patterns are matched against whole values, as the ValidatingAdmissionPolicy in deploy/ matches them in CEL.
import type { DynamoDBRestore } from '../api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy } from '../api/dynamodb-restore-policy.ts';

export interface PolicyDenial {
  policy: string;
  rule: string;
  message: string;
}

/** A pattern that does not compile matches nothing: a broken policy denies rather than allows. */
function matchesWhole(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function governs(policy: DynamoDBRestorePolicy, namespace: string): boolean {
  return policy.spec.namespaces.some((p) => matchesWhole(p, namespace));
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

/**
 * Whether a governing policy forbids the resource's deletionPolicy. Checked again before deleting a table: the
 * field may change after creation, and a policy may have been tightened since.
 */
export function deletionPolicyDenial(restore: DynamoDBRestore, policies: readonly DynamoDBRestorePolicy[]): PolicyDenial | undefined {
  const asked = restore.spec.deletionPolicy ?? 'Retain';
  for (const { metadata, spec } of governingPolicies(restore.metadata.namespace, policies)) {
    if (spec.allowedDeletionPolicies && !spec.allowedDeletionPolicies.includes(asked)) {
      return denial(metadata.name, 'allowedDeletionPolicies', `deletionPolicy ${asked} is not one of ${spec.allowedDeletionPolicies.join(', ')}`);
    }
  }
  return undefined;
}

/**
 * Why the first policy (by name) that denies the restore does so; undefined when every governing policy allows it.
 * backupArn: the backup, once known (a looked-up backup's allowedSources rule is checked when it is found).
 */
export function checkPolicies(
  restore: DynamoDBRestore,
  policies: readonly DynamoDBRestorePolicy[],
  defaultRegion: string | undefined,
  backupArn: string | undefined,
): PolicyDenial | undefined {
  const { namespace } = restore.metadata;
  const { spec } = restore;
  for (const policy of governingPolicies(namespace, policies)) {
    const { metadata, spec: rules } = policy;
    const deny = (rule: string, why: string): PolicyDenial => denial(metadata.name, rule, why);
    const region = spec.region ?? defaultRegion;
    if (rules.allowedRegions && !(region && rules.allowedRegions.includes(region))) {
      return deny('allowedRegions', `Region ${region ?? '(the operator default, not configured)'} is not one of ${rules.allowedRegions.join(', ')}`);
    }
    if (rules.allowedSources && backupArn !== undefined && !rules.allowedSources.some((p) => matchesWhole(p, backupArn))) {
      return deny('allowedSources', `backup ${backupArn} matches none of ${rules.allowedSources.join(', ')}`);
    }
    const role = spec.credentials?.roleArn;
    if (rules.allowedRoleArns && role && !rules.allowedRoleArns.some((p) => matchesWhole(p, role))) {
      return deny('allowedRoleArns', `role ${role} matches none of ${rules.allowedRoleArns.join(', ')}`);
    }
    if (rules.targetTableNamePattern) {
      const pattern = rules.targetTableNamePattern.replaceAll('$(namespace)', escapeRegex(namespace));
      if (!matchesWhole(pattern, spec.targetTableName)) {
        return deny('targetTableNamePattern', `table name ${spec.targetTableName} does not match ${rules.targetTableNamePattern}`);
      }
    }
    const deletion = deletionPolicyDenial(restore, [policy]);
    if (deletion) return deletion;
    const max = rules.maxProvisionedThroughput;
    if (max) {
      const asked = [
        ['the table', spec.overrides?.provisionedThroughput] as const,
        ...(spec.overrides?.globalSecondaryIndexes ?? []).map((i) => [`index ${i.indexName}`, i.provisionedThroughput] as const),
      ];
      for (const [what, t] of asked) {
        if (t && (t.readCapacityUnits > max.readCapacityUnits || t.writeCapacityUnits > max.writeCapacityUnits)) {
          return deny(
            'maxProvisionedThroughput',
            `${what} asks for ${t.readCapacityUnits}/${t.writeCapacityUnits} read/write capacity units, more than ${max.readCapacityUnits}/${max.writeCapacityUnits}`,
          );
        }
      }
    }
  }
  return undefined;
}
