// The DynamoDBRestore API: the one source of the CRD schema (crds/ is generated from it), of the TypeScript types
// the operator uses, and of the field descriptions `kubectl explain` prints.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { celRules, StringEnum, withRules } from './schema-helpers.ts';

export const GROUP = 'dynamodb.restore.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'DynamoDBRestore';
export const PLURAL = 'dynamodbrestores';

export const REGION_PATTERN = '^[a-z]{2}(-[a-z]+)+-[0-9]+$';
export const TABLE_NAME_PATTERN = '^[a-zA-Z0-9_.-]+$';
export const TABLE_ARN_PATTERN = '^arn:aws[a-zA-Z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[a-zA-Z0-9_.-]{3,255}$';
export const ROLE_ARN_PATTERN = '^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/[a-zA-Z0-9+=,.@_/-]{1,512}$';
export const BACKUP_ARN_PATTERN = '^arn:aws[a-zA-Z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[a-zA-Z0-9_.-]{3,255}/backup/[0-9]{14}-[a-z0-9]{8}$';
/**
 * An AWS Backup recovery point of a DynamoDB table: AWS Backup's own (advanced DynamoDB backup, arn:aws:backup:...:
 * recovery-point:<id>) or, without advanced features, the DynamoDB backup AWS Backup made (arn:aws:dynamodb:...:
 * table/<name>/backup/<id>). AWS Backup Developer Guide, "Restore a DynamoDB table": "If your backup is managed by
 * DynamoDB (its ARN begins with arn:aws:dynamodb) ... If your backup supports full AWS Backup management (its ARN
 * begins with arn:aws:backup)"; both are StartRestoreJob's RecoveryPointArn.
 */
/** An AWS Backup vault's name (AWS Backup API Reference, DescribeRecoveryPoint: backupVaultName "Pattern: ^[a-zA-Z0-9\-\_]{2,50}$"). */
export const BACKUP_VAULT_NAME_PATTERN = '^[a-zA-Z0-9_-]{2,50}$';
/** A KMS key ARN (not an alias): AWS Backup's DynamoDB restore metadata names the key by kmsMasterKeyArn. */
export const KMS_KEY_ARN_PATTERN = '^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$';
export const RECOVERY_POINT_ARN_PATTERN =
  '^arn:aws[a-zA-Z-]*:(backup:[a-z0-9-]+:[0-9]{12}:recovery-point:[a-zA-Z0-9-]{1,128}|dynamodb:[a-z0-9-]+:[0-9]{12}:table/[a-zA-Z0-9_.-]{3,255}/backup/[0-9]{14}-[a-z0-9]{8})$';

const TableName = (description: string) =>
  Type.String({ minLength: 3, maxLength: 255, pattern: TABLE_NAME_PATTERN, description });

const ProvisionedThroughput = Type.Object(
  {
    readCapacityUnits: Type.Integer({ minimum: 1, description: 'Read capacity units (ReadCapacityUnits).' }),
    writeCapacityUnits: Type.Integer({ minimum: 1, description: 'Write capacity units (WriteCapacityUnits).' }),
  },
  { description: 'Provisioned throughput for the restored table or index (ProvisionedThroughputOverride).' },
);

const OnDemandThroughput = Type.Object(
  {
    maxReadRequestUnits: Type.Optional(
      Type.Integer({ minimum: -1, description: 'Maximum read request units per second; -1 removes the limit.' }),
    ),
    maxWriteRequestUnits: Type.Optional(
      Type.Integer({ minimum: -1, description: 'Maximum write request units per second; -1 removes the limit.' }),
    ),
  },
  { description: 'Maximum on-demand throughput (OnDemandThroughputOverride); only with PAY_PER_REQUEST.' },
);

/** AWS: "the total count of NonKeyAttributes summed across all of the secondary indexes must not exceed 100". */
export const MAX_PROJECTED_ATTRIBUTES = 100;

const KeySchema = Type.Array(
  Type.Object({
    attributeName: Type.String({ minLength: 1, maxLength: 255, description: 'Name of the key attribute.' }),
    keyType: StringEnum(['HASH', 'RANGE'] as const, { description: 'HASH (partition key) or RANGE (sort key).' }),
  }),
  { minItems: 1, maxItems: 2, description: 'The index key schema; it must match the index in the backup.' },
);

const Projection = Type.Object(
  {
    projectionType: StringEnum(['ALL', 'KEYS_ONLY', 'INCLUDE'] as const, {
      description: 'Which attributes the index holds: ALL, KEYS_ONLY or INCLUDE.',
    }),
    // AWS's Projection.NonKeyAttributes: 1 to 20 names of 1 to 255 characters (the DynamoDB API Reference, Projection).
    nonKeyAttributes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
        minItems: 1,
        maxItems: 20,
        description:
          `The non-key attributes an INCLUDE projection holds: 1 to 20 per index, at most ${MAX_PROJECTED_ATTRIBUTES} summed across all indexes.`,
      }),
    ),
  },
  { description: 'The attributes copied into the index.' },
);

const IndexName = Type.String({ minLength: 3, maxLength: 255, pattern: TABLE_NAME_PATTERN, description: 'Name of an index that exists in the backup.' });

const GlobalSecondaryIndex = Type.Object(
  {
    indexName: IndexName,
    keySchema: KeySchema,
    projection: Projection,
    provisionedThroughput: Type.Optional(ProvisionedThroughput),
    onDemandThroughput: Type.Optional(OnDemandThroughput),
  },
  { description: 'A global secondary index to keep on the restored table.' },
);

const LocalSecondaryIndex = Type.Object(
  { indexName: IndexName, keySchema: KeySchema, projection: Projection },
  { description: 'A local secondary index to keep on the restored table.' },
);

const Sse = Type.Object(
  {
    enabled: Type.Boolean({
      description: 'true: encrypt with the key below (SSEType KMS); false: an AWS owned key.',
    }),
    sseType: Type.Optional(
      StringEnum(['KMS'] as const, { description: 'Server-side encryption type; KMS is the only type DynamoDB accepts here.' }),
    ),
    kmsMasterKeyId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description:
          'KMS key ID, ARN, alias name or alias ARN. Omitted with KMS: the AWS managed key (alias/aws/dynamodb). With ' +
          'source.recoveryPoint: required with enabled: true, and a key ARN (arn:aws:kms:<region>:<account>:key/<id>), ' +
          "since AWS Backup's restore metadata names the key by ARN (kmsMasterKeyArn).",
      }),
    ),
  },
  {
    description:
      'Encryption of the restored table (SSESpecificationOverride). Required when the backup is in another Region ' +
      'than the restore. The KMS key must stay enabled until the restore completes. With source.recoveryPoint it ' +
      'becomes the restore job\'s Metadata: enabled: false is encryptionType Default (the DynamoDB-owned key); a ' +
      'kmsMasterKeyId ARN is encryptionType KMS with that kmsMasterKeyArn; omitted, AWS Backup\'s default.',
    ...celRules({
      rule: '!has(self.kmsMasterKeyId) || (self.enabled && has(self.sseType))',
      message: 'kmsMasterKeyId needs enabled: true and sseType: KMS',
      fieldPath: '.kmsMasterKeyId',
    }),
  },
);

export const Overrides = Type.Object(
  {
    billingMode: Type.Optional(
      StringEnum(['PAY_PER_REQUEST', 'PROVISIONED'] as const, {
        description: 'Billing mode of the restored table (BillingModeOverride). Omitted: as in the backup.',
      }),
    ),
    provisionedThroughput: Type.Optional(ProvisionedThroughput),
    onDemandThroughput: Type.Optional(OnDemandThroughput),
    globalSecondaryIndexes: Type.Optional(
      Type.Array(GlobalSecondaryIndex, {
        maxItems: 20,
        description:
          'Global secondary indexes to create (GlobalSecondaryIndexOverride). [] drops every GSI (a faster, cheaper ' +
          'restore); a list keeps only those indexes, which must exist in the backup. Omitted: all, as in the backup. ' +
          'At most 20, DynamoDB\'s default quota of GSIs per table.',
      }),
    ),
    localSecondaryIndexes: Type.Optional(
      Type.Array(LocalSecondaryIndex, {
        maxItems: 5,
        description:
          'Local secondary indexes to create (LocalSecondaryIndexOverride). [] drops every LSI; a list keeps only ' +
          'those. Omitted: all, as in the backup. At most 5, DynamoDB\'s limit of LSIs per table.',
      }),
    ),
    sse: Type.Optional(Sse),
  },
  {
    description:
      'Settings of the restored table that differ from the backup. Each field maps to the RestoreTableFromBackup ' +
      'request field of the same meaning; an omitted field keeps what the backup has.',
    ...celRules(
      {
        rule: "!has(self.billingMode) || self.billingMode != 'PROVISIONED' || has(self.provisionedThroughput)",
        message: 'billingMode PROVISIONED needs provisionedThroughput (readCapacityUnits and writeCapacityUnits)',
        fieldPath: '.provisionedThroughput',
        reason: 'FieldValueRequired',
      },
      {
        rule: "!has(self.provisionedThroughput) || !has(self.billingMode) || self.billingMode == 'PROVISIONED'",
        message: 'provisionedThroughput applies only to billingMode PROVISIONED; remove it or set billingMode: PROVISIONED',
        fieldPath: '.provisionedThroughput',
        reason: 'FieldValueForbidden',
      },
      {
        rule: "!has(self.onDemandThroughput) || !has(self.billingMode) || self.billingMode == 'PAY_PER_REQUEST'",
        message: 'onDemandThroughput applies only to billingMode PAY_PER_REQUEST',
        fieldPath: '.onDemandThroughput',
        reason: 'FieldValueForbidden',
      },
      {
        // has() rather than optionals: the cost estimator keeps the lists' maxItems through has(), not through orValue.
        rule: `${(['globalSecondaryIndexes', 'localSecondaryIndexes'] as const)
          .map((l) => `(has(self.${l}) ? self.${l}.map(i, has(i.projection.nonKeyAttributes) ? i.projection.nonKeyAttributes.size() : 0).sum() : 0)`)
          .join(' + ')} <= ${MAX_PROJECTED_ATTRIBUTES}`,
        message: `at most ${MAX_PROJECTED_ATTRIBUTES} nonKeyAttributes summed across all globalSecondaryIndexes and localSecondaryIndexes (DynamoDB's limit)`,
      },
    ),
  },
);

export const Source = Type.Object(
  {
    backupArn: Type.Optional(
      Type.String({
        maxLength: 1024,
        pattern: BACKUP_ARN_PATTERN,
        description:
          'ARN of an on-demand backup, as `aws dynamodb list-backups` prints it, e.g. ' +
          'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d.',
      }),
    ),
    backup: Type.Optional(
      Type.Object(
        {
          tableName: TableName('The table the backup was taken of.'),
          backupName: Type.Optional(
            Type.String({ minLength: 3, maxLength: 255, pattern: TABLE_NAME_PATTERN, description: 'The backup\'s name, as given to CreateBackup (the console\'s list of backups).' }),
          ),
          latest: Type.Optional(Type.Boolean({ description: 'true: the newest AVAILABLE backup of the table, whatever its name.' })),
        },
        {
          description:
            'A backup found by ListBackups in the target Region: the newest AVAILABLE one of the table with this name ' +
            '(or the newest of all with latest: true). It is looked up once; status.backupArn records it, and a backup ' +
            'made later changes nothing.',
          ...celRules({
            rule: 'has(self.backupName) != (has(self.latest) && self.latest)',
            message: 'backup needs exactly one of backupName or latest: true',
          }),
        },
      ),
    ),
    pointInTime: Type.Optional(
      Type.Object(
        {
          sourceTableName: Type.Optional(TableName('The table to restore, by name, in the target Region.')),
          sourceTableArn: Type.Optional(Type.String({ maxLength: 1024, pattern: TABLE_ARN_PATTERN, description: 'The table to restore, by ARN.' })),
          restoreDateTime: Type.Optional(
            Type.String({ format: 'date-time', description: 'The moment to restore to; it must lie in the table\'s restorable window.' }),
          ),
          useLatestRestorableTime: Type.Optional(Type.Boolean({ description: 'true: the latest restorable moment (about five minutes ago).' })),
        },
        {
          description:
            'A point-in-time restore (RestoreTableToPointInTime) of a table with point-in-time recovery enabled; the ' +
            'overrides apply as to a backup restore.',
          ...celRules(
            { rule: 'has(self.sourceTableName) != has(self.sourceTableArn)', message: 'pointInTime needs exactly one of sourceTableName or sourceTableArn' },
            {
              rule: 'has(self.restoreDateTime) != (has(self.useLatestRestorableTime) && self.useLatestRestorableTime)',
              message: 'pointInTime needs exactly one of restoreDateTime or useLatestRestorableTime: true',
            },
          ),
        },
      ),
    ),
    recoveryPoint: Type.Optional(
      Type.Object(
        {
          recoveryPointArn: Type.String({
            maxLength: 1024,
            pattern: RECOVERY_POINT_ARN_PATTERN,
            description:
              'ARN of the recovery point, as `aws backup list-recovery-points-by-backup-vault` prints it: ' +
              'arn:aws:backup:<region>:<account>:recovery-point:<id> (advanced DynamoDB backup), or ' +
              'arn:aws:dynamodb:<region>:<account>:table/<name>/backup/<id> (a DynamoDB backup AWS Backup made). The ' +
              'table is restored in its Region, which spec.region must name.',
          }),
          backupVaultName: Type.String({
            pattern: BACKUP_VAULT_NAME_PATTERN,
            description:
              'Name of the backup vault that holds the recovery point (its ARN does not say). Before starting the ' +
              'restore job the operator calls DescribeRecoveryPoint with this name and the ARN: AWS Backup answers ' +
              'only for a recovery point in that vault, so the vault a DynamoDBRestorePolicy allows (allowedBackupVaults) ' +
              'is the one the recovery point comes from; a recovery point that is not COMPLETED (or AVAILABLE), or not ' +
              'of a DynamoDB table, is refused without a restore job.',
          }),
          iamRoleArn: Type.String({
            maxLength: 2048,
            pattern: ROLE_ARN_PATTERN,
            description:
              'IAM role AWS Backup assumes to create the table (StartRestoreJob IamRoleArn). The operator passes it ' +
              '(iam:PassRole); a DynamoDBRestorePolicy governing the namespace must allow it in allowedRestoreRoleArns.',
          }),
        },
        {
          description:
            'An AWS Backup recovery point of a DynamoDB table in the named vault (checked with DescribeRecoveryPoint), ' +
            'restored by an AWS Backup restore job (StartRestoreJob, ' +
            'ResourceType DynamoDB, Metadata targetTableName) that the operator follows with DescribeRestoreJob until it ' +
            'completes; status.restoreJobId records the job. AWS Backup takes no index, throughput or billing ' +
            'overrides, so of spec.overrides only sse (the table\'s encryption: Metadata encryptionType and ' +
            'kmsMasterKeyArn) is admitted with it.',
        },
      ),
    ),
  },
  {
    description: 'What to restore from: exactly one of backupArn, backup, pointInTime or recoveryPoint.',
    ...celRules({
      rule: '[has(self.backupArn), has(self.backup), has(self.pointInTime), has(self.recoveryPoint)].filter(x, x).size() == 1',
      message: 'source needs exactly one of backupArn, backup, pointInTime or recoveryPoint',
    }),
  },
);

export const OWNER_TAG_PREFIX = 'dynamodb.restore.dev/';

/** The overrides a recovery point restore cannot carry: all but sse. */
const NOT_RECOVERY_POINT_OVERRIDES = Object.keys(Overrides.properties).filter((k) => k !== 'sse');
/** CEL: true unless the spec restores a recovery point with overrides.sse. */
const RECOVERY_POINT_SSE = '!has(self.source.recoveryPoint) || !has(self.overrides) || !has(self.overrides.sse)';

const IMMUTABLE =
  'spec is immutable: a DynamoDBRestore runs once; create a new resource to restore again (only deletionPolicy and ttlSecondsAfterFinished may change)';
const OPTIONAL_IMMUTABLE = ['region', 'overrides', 'tableSettings', 'credentials'] as const;
/** A transition rule: the field cannot change once set. */
const immutable = <T extends TSchema>(schema: T): T => withRules(schema, { rule: 'self == oldSelf', message: IMMUTABLE });
export const SETTINGS = ['tags', 'timeToLive', 'stream', 'pointInTimeRecovery', 'deletionProtection'] as const;
export type SettingName = (typeof SETTINGS)[number];

export const TableSettings = Type.Object(
  {
    tags: Type.Optional(
      // A string map: additionalProperties (what a CRD accepts for a map), typed as one.
      Type.Unsafe<Record<string, string>>(Type.Object(
        {},
        {
          additionalProperties: Type.String({ maxLength: 256, description: 'Tag value.' }),
          maxProperties: 48,
          description:
            'Tags to put on the restored table (TagResource); a restore does not carry the source\'s tags over. At most ' +
            `48 (DynamoDB allows 50; the operator's two ownership tags take the rest); keys starting with aws: or ${OWNER_TAG_PREFIX} are reserved.`,
          ...celRules(
            { rule: 'self.all(k, size(k) >= 1 && size(k) <= 128)', message: 'tag keys are 1 to 128 characters' },
            {
              rule: `self.all(k, !k.startsWith('aws:') && !k.startsWith('${OWNER_TAG_PREFIX}'))`,
              message: `tag keys starting with aws: or ${OWNER_TAG_PREFIX} are reserved`,
            },
          ),
        },
      )),
    ),
    timeToLive: Type.Optional(
      Type.Object(
        { attributeName: Type.String({ minLength: 1, maxLength: 255, description: 'The attribute holding each item\'s expiry (epoch seconds).' }) },
        { description: 'Time to live on the restored table (UpdateTimeToLive); a restore does not carry TTL over.' },
      ),
    ),
    stream: Type.Optional(
      Type.Object(
        {
          viewType: StringEnum(['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY'] as const, {
            description: 'What each stream record holds (StreamViewType).',
          }),
        },
        { description: 'A DynamoDB stream on the restored table (UpdateTable StreamSpecification); a restore does not carry streams over.' },
      ),
    ),
    pointInTimeRecovery: Type.Optional(
      Type.Boolean({ description: 'true: turn on point-in-time recovery of the restored table (UpdateContinuousBackups); a restore leaves it off.' }),
    ),
    deletionProtection: Type.Optional(
      Type.Boolean({ description: 'true: turn on deletion protection of the restored table (UpdateTable DeletionProtectionEnabled).' }),
    ),
  },
  {
    description:
      'Settings a restore does not carry over, applied once the table is ACTIVE (phase Configuring), in the order ' +
      'tags, timeToLive, stream, pointInTimeRecovery, deletionProtection. Each is read back first and changed only ' +
      'when it differs; status.appliedSettings lists those in place. Auto scaling and alarms are not managed here.',
  },
);

export const DynamoDBRestoreSpec = Type.Object(
  {
    targetTableName: immutable(
      TableName(
        'Name of the table to create (--target-table-name). It must not exist yet: the operator never overwrites or ' +
          'adopts a table it did not restore.',
      ),
    ),
    region: Type.Optional(
      immutable(
        Type.String({
          maxLength: 32,
          pattern: REGION_PATTERN,
          description: 'AWS Region to restore into. Omitted: the operator\'s default Region.',
        }),
      ),
    ),
    source: immutable(Source),
    overrides: Type.Optional(immutable(Overrides)),
    tableSettings: Type.Optional(immutable(TableSettings)),
    deletionPolicy: Type.Optional(
      StringEnum(['Retain', 'Delete'] as const, {
        default: 'Retain',
        description:
          'What deleting this resource does to the table. Retain (default): nothing (a resource deleted mid-restore ' +
          'stays until its table is ACTIVE: AWS counts the restore until then). Delete: the operator deletes the ' +
          'table first (a finalizer holds the resource until then), but only the table whose TableId it recorded ' +
          "(status.tableId) and that carries this resource's ownership tag, never one with deletion protection on. " +
          'The one field that may change after creation.',
      }),
    ),
    ttlSecondsAfterFinished: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          "Job's meaning: this many seconds after the restore finished (Completed or Failed, status.completionTime), " +
          'the operator deletes this resource, and deletionPolicy decides its table (Retain: the table stays). 0: at ' +
          'once. Omitted: the resource stays. May be set or changed after creation.',
      }),
    ),
    credentials: Type.Optional(
      immutable(Type.Object(
        {
          roleArn: Type.String({
            maxLength: 2048,
            pattern: ROLE_ARN_PATTERN,
            description:
              'IAM role the operator assumes (STS AssumeRole) for every AWS call of this restore. The operator, not ' +
              'the resource, sets what identifies the session: ExternalId <cluster name>/<namespace>, RoleSessionName ' +
              'and SourceIdentity <namespace>.<name> (cut to 64 characters with a hash), and the session tags ' +
              'dynamodb-restore-cluster, dynamodb-restore-namespace and dynamodb-restore-name; the role\'s trust ' +
              'policy requires them (deploy/iam/team-role-trust-policy.json).',
          }),
        },
        {
          description:
            "AWS identity for this restore, for accounts or teams the operator's own role should not reach. Omitted: " +
            "the operator's own credentials. A DynamoDBRestorePolicy may limit the roles a namespace can use. Needs " +
            "the operator's cluster name (CLUSTER_NAME); without it the restore fails (ClusterNameRequired).",
        },
      )),
    ),
  },
  {
    description:
      'The restore to run. One resource runs one restore once; the spec is immutable but for deletionPolicy, so to ' +
      'restore again create a new DynamoDBRestore.',
    ...celRules(
      {
        // Every field but deletionPolicy is immutable (rules on the fields themselves, which CEL costs cheaply); here,
        // that no optional one is added or removed. A user may still decide to keep or let go of the table.
        rule: OPTIONAL_IMMUTABLE.map((f) => `has(self.${f}) == has(oldSelf.${f})`).join(' && '),
        message: IMMUTABLE,
      },
      {
        rule: "self.?deletionPolicy.orValue('Retain') != 'Delete' || !self.?tableSettings.?deletionProtection.orValue(false)",
        message: 'deletionPolicy Delete cannot delete a table with tableSettings.deletionProtection: true; choose one',
        fieldPath: '.deletionPolicy',
        reason: 'FieldValueForbidden',
      },
      {
        rule:
          "!has(self.region) || !has(self.source.backupArn) || self.source.backupArn.split(':')[3] == self.region || " +
          '(has(self.overrides) && has(self.overrides.sse))',
        message: 'a backup in another Region than spec.region needs overrides.sse (a cross-Region restore must state its encryption)',
        fieldPath: '.overrides',
        reason: 'FieldValueRequired',
      },
      {
        // AWS Backup restores a recovery point in the Region of its vault; the operator's DynamoDB calls go to spec.region.
        rule: "!has(self.source.recoveryPoint) || (has(self.region) && self.source.recoveryPoint.recoveryPointArn.split(':')[3] == self.region)",
        message: "source.recoveryPoint needs spec.region, the recovery point's own Region (AWS Backup restores it there)",
        fieldPath: '.region',
        reason: 'FieldValueRequired',
      },
      {
        // AWS Backup's DynamoDB restore metadata has encryption keys but none for indexes, throughput or billing
        // (Developer Guide, "Restore testing inferred metadata").
        rule: `!has(self.source.recoveryPoint) || !has(self.overrides) || (${NOT_RECOVERY_POINT_OVERRIDES.map((k) => `!has(self.overrides.${k})`).join(' && ')})`,
        message: 'source.recoveryPoint takes only overrides.sse: AWS Backup restores the table as it was backed up but for its encryption',
        fieldPath: '.overrides',
        reason: 'FieldValueForbidden',
      },
      {
        // The Developer Guide ("Restore a DynamoDB table") offers a DynamoDB-managed key for a recovery point but
        // documents no restore metadata that asks for it: only a key ARN (kmsMasterKeyArn) or encryptionType Default.
        rule: `${RECOVERY_POINT_SSE} || !self.overrides.sse.enabled || (has(self.overrides.sse.kmsMasterKeyId) && self.overrides.sse.kmsMasterKeyId.matches('${KMS_KEY_ARN_PATTERN}'))`,
        message:
          'source.recoveryPoint with overrides.sse.enabled: true needs kmsMasterKeyId as a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>): ' +
          "AWS Backup's restore metadata takes the key as kmsMasterKeyArn and documents no way to ask for the AWS managed key; enabled: false is the DynamoDB-owned key",
        fieldPath: '.overrides.sse',
        reason: 'FieldValueInvalid',
      },
    ),
  },
);

export const PHASES = ['Validating', 'Queued', 'Restoring', 'Configuring', 'Completed', 'Failed'] as const;
export type Phase = (typeof PHASES)[number];

export const Condition = Type.Object(
  {
    type: Type.String({ maxLength: 316, description: 'Type of condition, e.g. Ready.' }),
    status: StringEnum(['True', 'False', 'Unknown'] as const, { description: 'True, False or Unknown.' }),
    reason: Type.String({ maxLength: 1024, description: 'A CamelCase reason for the last transition.' }),
    message: Type.String({ maxLength: 32768, description: 'A sentence a person can act on.' }),
    lastTransitionTime: Type.String({ format: 'date-time', description: 'When status last changed.' }),
    observedGeneration: Type.Optional(Type.Integer({ minimum: 0, description: 'The generation this condition describes.' })),
  },
  { description: 'A metav1.Condition.' },
);
export type Condition = Static<typeof Condition>;

export const DynamoDBRestoreStatus = Type.Object(
  {
    phase: Type.Optional(
      StringEnum(PHASES, {
        description:
          'Validating (checking the source), Queued (waiting for one of the account and Region\'s restore slots), ' +
          'Restoring, Configuring (applying tableSettings), Completed or Failed. ' +
          'Completed and Failed are final.',
      }),
    ),
    observedGeneration: Type.Optional(Type.Integer({ description: 'The spec generation this status describes.' })),
    backupArn: Type.Optional(Type.String({ description: 'The backup the table is restored from.' })),
    source: Type.Optional(
      Type.String({ description: 'What the table is restored from, for people: the backup ARN, or the source table and moment.' }),
    ),
    tableArn: Type.Optional(Type.String({ description: 'ARN of the restored table.' })),
    restoreJobId: Type.Optional(
      Type.String({
        description:
          "For source.recoveryPoint: the AWS Backup restore job this resource started (its idempotency token is the " +
          "resource's uid, so a retried StartRestoreJob never starts a second). Only the table this job reports as " +
          'its CreatedResourceArn is ever this resource\'s.',
      }),
    ),
    restoreJobStatus: Type.Optional(
      Type.String({ description: 'For source.recoveryPoint: the restore job\'s Status from the last DescribeRestoreJob (PENDING, RUNNING, COMPLETED, ...).' }),
    ),
    tableId: Type.Optional(
      Type.String({
        description:
          "The restored table's TableId, recorded from AWS's answer to this resource's own restore call. The table's " +
          'identity: a later table of the same name has another. Only the table with this id (and this resource\'s ' +
          'owner-uid tag) is ever tagged, configured or deleted by this resource.',
      }),
    ),
    tableCreatedAt: Type.Optional(
      Type.String({ format: 'date-time', description: "The restored table's CreationDateTime, recorded with tableId." }),
    ),
    tableStatus: Type.Optional(
      Type.String({ description: 'TableStatus from the last DescribeTable: CREATING, ACTIVE, ...' }),
    ),
    restoreRequestedAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'Written before the restore call. A table found after a crash between the call and its answer is adopted ' +
          "only if it was restored from exactly this source after this time (5 s of clock skew) and carries no other " +
          "resource's owner-uid tag.",
      }),
    ),
    startTime: Type.Optional(Type.String({ format: 'date-time', description: 'When AWS accepted the restore: its table began CREATING.' })),
    completionTime: Type.Optional(Type.String({ format: 'date-time', description: 'When the restore reached a final phase.' })),
    restoreSummary: Type.Optional(
      Type.Object(
        {
          sourceBackupArn: Type.Optional(Type.String({ description: 'RestoreSummary.SourceBackupArn.' })),
          sourceTableArn: Type.Optional(Type.String({ description: 'RestoreSummary.SourceTableArn.' })),
          restoreDateTime: Type.Optional(Type.String({ format: 'date-time', description: 'RestoreSummary.RestoreDateTime.' })),
          restoreInProgress: Type.Optional(Type.Boolean({ description: 'RestoreSummary.RestoreInProgress.' })),
        },
        { description: 'The RestoreSummary DynamoDB reports for the restored table.' },
      ),
    ),
    queuePosition: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'While Queued: the place in the fair queue for a restore slot, when last looked at (1: next).',
      }),
    ),
    appliedSettings: Type.Optional(
      Type.Array(StringEnum(SETTINGS, { description: 'A tableSettings field.' }), {
        maxItems: SETTINGS.length,
        'x-kubernetes-list-type': 'set',
        description: 'The tableSettings fields in place on the table, read back from AWS.',
      }),
    ),
    lastError: Type.Optional(
      Type.Object(
        {
          code: Type.String({
            description: "AWS's error code (e.g. BackupNotFoundException), or the operator's own for a failure it finds itself (e.g. TableClaimed, PolicyDenied, SettingConflict).",
          }),
          message: Type.String({ description: 'What happened and what to do, in a sentence.' }),
          retryable: Type.Boolean({ description: 'Whether the operator retries on its own.' }),
        },
        { description: 'The last error, from AWS or found by the operator, kept until the restore moves on.' },
      ),
    ),
    conditions: Type.Optional(
      Type.Array(Condition, {
        description:
          'Ready: True when the table is restored, ACTIVE and configured; False with the reason otherwise. Failed: True ' +
          'once the restore has failed for good (absent until then), with the same reason, so a pipeline waits for ' +
          'either: kubectl wait --for=condition=Ready, or --for=condition=Failed. Each carries the generation it describes.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    ),
  },
  { description: 'What the operator observed and did. Written by the operator only.' },
);

export type DynamoDBRestoreSpec = Static<typeof DynamoDBRestoreSpec>;
export type DynamoDBRestoreStatus = Static<typeof DynamoDBRestoreStatus>;
export type Overrides = Static<typeof Overrides>;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface DynamoDBRestore {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation: number;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    /** A schedule's runs carry one with controller: true (DynamoDBRestoreSchedule). */
    ownerReferences?: OwnerReference[];
    creationTimestamp?: Date;
    /** Only its presence matters (client-node types it as a Date; the JSON has a string). */
    deletionTimestamp?: Date;
  };
  spec: DynamoDBRestoreSpec;
  status?: DynamoDBRestoreStatus;
}

export const PRINTER_COLUMNS = [
  { name: 'Table', type: 'string', jsonPath: '.spec.targetTableName' },
  { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
  // -o wide: what the table is restored from, the TableStatus the operator last saw (not looked at once final), the queue.
  { name: 'Source', type: 'string', jsonPath: '.status.source', priority: 1 },
  { name: 'Last Table Status', type: 'string', jsonPath: '.status.tableStatus', priority: 1 },
  { name: 'Queue', type: 'integer', jsonPath: '.status.queuePosition', priority: 1 },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
] as const;
