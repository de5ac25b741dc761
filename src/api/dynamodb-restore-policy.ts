// The DynamoDBRestorePolicy API (cluster-scoped): the guardrails a platform team sets on self-service restores.
// One source for the CRD schema, the types and `kubectl explain`, like the DynamoDBRestore API beside it.
import { Type, type Static } from '@sinclair/typebox';
import { REGION_PATTERN } from './dynamodb-restore.ts';
import { celRules, StringEnum } from './schema-helpers.ts';

export const POLICY_KIND = 'DynamoDBRestorePolicy';
export const POLICY_PLURAL = 'dynamodbrestorepolicies';

/**
 * CEL rule: the pattern compiles as RE2 on its own and as the whole-value match '^(?:' + p + ')$' that the admission
 * policy and the operator run. A list evaluates both calls and passes an error on (|| would absorb it: err || true is
 * true), so a pattern that does not compile fails the rule and the object is refused, naming the field.
 */
const compiles = (p: string) => `[''.matches(${p}), ''.matches('^(?:' + ${p} + ')$')].size() == 2`;
const NOT_RE2 = 'must be an RE2 regular expression that compiles on its own and as ^(?:pattern)$';

/** Patterns are RE2 regular expressions matched against the whole value, so the same rule holds in CEL and here. */
const Patterns = (description: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 1024, ...celRules({ rule: compiles('self'), message: NOT_RE2 }) }), {
    minItems: 1,
    maxItems: 100,
    description,
  });

export const DynamoDBRestorePolicySpec = Type.Object(
  {
    namespaces: Patterns(
      'Namespaces this policy governs, as RE2 regular expressions matched against the whole name (e.g. team-a, ' +
        'squad-[[:lower:]]+). A restore must satisfy every policy that governs its namespace.',
    ),
    allowedRegions: Type.Optional(
      Type.Array(Type.String({ maxLength: 32, pattern: REGION_PATTERN }), {
        minItems: 1,
        maxItems: 50,
        description: 'Regions restores may target (spec.region, or the operator default). Omitted: any.',
      }),
    ),
    allowedSources: Type.Optional(
      Patterns(
        'What restores may restore from, as RE2 regular expressions matched against the whole value: backup ARNs, recovery ' +
          'point ARNs (spec.source.recoveryPoint), and for point-in-time restores the source table ARN (or name, when given by name). Checked at admission, but ' +
          'for a backup found by spec.source.backup, which the operator checks once found. Omitted: any.',
      ),
    ),
    allowedRoleArns: Type.Optional(
      Patterns('IAM roles restores may assume (spec.credentials.roleArn), as RE2 regular expressions matched against the whole ARN. Omitted: any.'),
    ),
    allowedRestoreRoleArns: Type.Optional(
      Patterns(
        'IAM roles the operator may pass to AWS Backup for a recovery point restore (spec.source.recoveryPoint.iamRoleArn), ' +
          'as RE2 regular expressions matched against the whole ARN. Omitted: none, so a governed namespace restores no ' +
          'recovery point until its policy names the roles (passing a role lends its permissions to AWS Backup).',
      ),
    ),
    allowedBackupVaults: Type.Optional(
      Patterns(
        'AWS Backup vaults recovery points may be restored from (spec.source.recoveryPoint.backupVaultName), as RE2 ' +
          'regular expressions matched against the whole vault name (a name is unique in its account and Region: ' +
          'spec.region, and the identity the restore runs as). The operator proves the recovery point is in that vault ' +
          '(DescribeRecoveryPoint) before restoring it. Omitted: none, so a governed namespace restores no recovery point ' +
          'until its policy names the vaults.',
      ),
    ),
    targetTableNamePattern: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description:
          'An RE2 regular expression every target table name must match in full; $(namespace) stands for the ' +
          "restore's namespace, e.g. $(namespace)\\..+ names team-a's tables team-a.<name>: no namespace name contains " +
          "a dot, so no other namespace's tables share that prefix (with a dash, team-a- is a prefix of team-a-prod-). Omitted: any.",
        // Checked with $(namespace) replaced by a namespace-like word, as the admission policy replaces it.
        ...celRules({ rule: compiles("self.replace('$(namespace)', 'namespace')"), message: NOT_RE2 }),
      }),
    ),
    allowedDeletionPolicies: Type.Optional(
      Type.Array(StringEnum(['Retain', 'Delete'] as const, { description: 'A spec.deletionPolicy value.' }), {
        minItems: 1,
        maxItems: 2,
        description:
          'The spec.deletionPolicy values restores may use, e.g. [Retain] so that deleting a resource never deletes a ' +
          'table. Checked at creation, on every change of deletionPolicy, and again before a table is deleted. Omitted: any.',
      }),
    ),
    maxProvisionedThroughput: Type.Optional(
      Type.Object(
        {
          readCapacityUnits: Type.Integer({ minimum: 1, description: 'Most read capacity units a restore may ask for, table or index.' }),
          writeCapacityUnits: Type.Integer({ minimum: 1, description: 'Most write capacity units a restore may ask for, table or index.' }),
        },
        { description: 'Upper bounds on overrides.provisionedThroughput and each index\'s. Omitted: no bound.' },
      ),
    ),
  },
  { description: 'What restores in the governed namespaces may do. The operator refuses (Failed: PolicyDenied) before any AWS call.' },
);

export type DynamoDBRestorePolicySpec = Static<typeof DynamoDBRestorePolicySpec>;

export interface DynamoDBRestorePolicy {
  apiVersion: string;
  kind: typeof POLICY_KIND;
  metadata: { name: string; uid?: string; resourceVersion?: string };
  spec: DynamoDBRestorePolicySpec;
}

export const POLICY_PRINTER_COLUMNS = [
  { name: 'Namespaces', type: 'string', jsonPath: '.spec.namespaces' },
  { name: 'Regions', type: 'string', jsonPath: '.spec.allowedRegions' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
] as const;
