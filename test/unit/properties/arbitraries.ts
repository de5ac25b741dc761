// Generators for the restore's pure core: specs (as the CRD admits them, and odd ones it would not), statuses (as
// the operator writes them, written by someone else, wrong-typed), and what AWS answers (missing and odd fields,
// errors of any code and size). Identities (backup ARNs, table names, uids, moments) come from small pools as often
// as freely, so "is this table ours?" comes up both ways.
import fc from 'fast-check';
import { PHASES, SETTINGS, type Condition, type DynamoDBRestore, type DynamoDBRestoreSpec, type DynamoDBRestoreStatus } from '../../../src/api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy } from '../../../src/api/dynamodb-restore-policy.ts';
import { AwsError, type BackupState, type PointInTimeRecovery, type RestoreSummary, type TableState, type TimeToLive } from '../../../src/aws/dynamodb-port.ts';
import { CLASSIFIED_CODES } from '../../../src/restore/restore-errors.ts';
import { OWNER_TAG, OWNER_UID_TAG } from '../../../src/restore/restore-ownership.ts';
import type { Observation, PlanOptions } from '../../../src/restore/restore-vocabulary.ts';
import type { ObservedSettings } from '../../../src/restore/table-settings.ts';

type Spec = DynamoDBRestoreSpec;
type Overrides = NonNullable<Spec['overrides']>;

export const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const DAY = 86_400_000;

export const ACCOUNT = '123456789012';
export const NAMESPACES = ['team-a', 'team-b'] as const;
export const UIDS = ['uid-1', 'uid-2'] as const;
export const TABLE_IDS = ['table-id-1', 'table-id-2'] as const;
export const TABLES = ['Music', 'Music2'] as const;
export const REGIONS = ['us-east-1', 'eu-west-1'] as const;
export const BACKUP_ARNS = [
  'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d',
  'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01581080476474-e177ebe2',
  'arn:aws:dynamodb:eu-west-1:123456789012:table/Music/backup/01489173575360-b308cd7d',
] as const;
export const SOURCE_TABLE_ARNS = [
  'arn:aws:dynamodb:us-east-1:123456789012:table/Music',
  'arn:aws:dynamodb:eu-west-1:210987654321:table/Music',
  'arn:aws:dynamodb:us-east-1:123456789012:table/Other',
] as const;
export const TABLE_STATUSES = ['CREATING', 'UPDATING', 'DELETING', 'ACTIVE', 'INACCESSIBLE_ENCRYPTION_CREDENTIALS', 'ARCHIVING', 'ARCHIVED'] as const;
/** Names an object literal answers for without owning them: a lookup table keyed by an outside string trips on them. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'] as const;

const chars = (s: string) => fc.constantFrom(...s);
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = `${LOWER}${LOWER.toUpperCase()}0123456789`;
const NAME_UNIT = chars(`${ALNUM}_.-`);
const fixed = (unit: fc.Arbitrary<string>, length: number) => fc.string({ unit, minLength: length, maxLength: length });

/** Mostly short, now and then at the longest the schema allows (a boundary admission must still accept). */
export function sized(unit: fc.Arbitrary<string> | 'binary' | 'grapheme' | 'grapheme-ascii', minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.string({ unit, minLength, maxLength: Math.min(maxLength, Math.max(minLength, 12)) }) },
    { weight: 1, arbitrary: fc.string({ unit, minLength: Math.max(minLength, maxLength - 2), maxLength }) },
  );
}

/** A string of 4 KiB to 200 KiB, cheaply: a short piece repeated. */
export const huge = fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }), fc.integer({ min: 4_100, max: 200_000 })).map(([piece, length]) =>
  piece.repeat(Math.ceil(length / piece.length)).slice(0, length),
);

/** fc.record, with the Object prototype JSON.parse gives (never a null-prototype object). */
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

const pooled = <T>(pool: readonly T[], free: fc.Arbitrary<T>) => fc.oneof(fc.constantFrom(...pool), free);

// --- moments ----------------------------------------------------------------------------------------------------

/** An ISO moment: on a 30 s grid around T0 (so moments meet), or anywhere within three days. */
export const isoNear = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map((k) => new Date(T0 + k * 30_000).toISOString()),
  fc.integer({ min: T0 - 3 * DAY, max: T0 + 3 * DAY }).map((ms) => new Date(ms).toISOString()),
);
export const now = fc.oneof(
  fc.integer({ min: -20, max: 400 }).map((k) => new Date(T0 + k * 30_000)),
  fc.integer({ min: T0 - 3 * DAY, max: T0 + 3 * DAY }).map((ms) => new Date(ms)),
);
/** What a date field from outside may hold: no date, a date without a zone, a date Date.parse reads another way. */
const oddMoment = fc.constantFrom('', 'garbage', '2025-03-01', '2025-03-01T10:00:00', 'Sat, 01 Mar 2025 10:00:00 GMT', '-1', '2025-02-30T25:61:00Z');

// --- spec ---------------------------------------------------------------------------------------------------------

export const tableName = pooled(TABLES, sized(NAME_UNIT, 3, 255));
const generatedRegion = fc
  .tuple(fixed(chars(LOWER), 2), fc.array(fc.string({ unit: chars(LOWER), minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 2 }), fc.integer({ min: 1, max: 9 }))
  .map(([a, parts, n]) => `${a}-${parts.join('-')}-${n}`);
export const region = pooled([...REGIONS, 'ap-southeast-2', 'us-gov-west-1'], generatedRegion);
const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov');
const account = pooled([ACCOUNT, '210987654321'], fixed(chars('0123456789'), 12));
export const backupArn = pooled(
  BACKUP_ARNS,
  fc
    .tuple(partition, region, account, tableName, fixed(chars('0123456789'), 14), fixed(chars(`${LOWER}0123456789`), 8))
    .map(([p, r, a, t, stamp, id]) => `arn:${p}:dynamodb:${r}:${a}:table/${t}/backup/${stamp}-${id}`),
);
export const tableArn = pooled(
  SOURCE_TABLE_ARNS,
  fc.tuple(partition, region, account, tableName).map(([p, r, a, t]) => `arn:${p}:dynamodb:${r}:${a}:table/${t}`),
);
const roleArn = fc
  .tuple(account, sized(chars(`${ALNUM}+=,.@_/-`), 1, 512))
  .map(([a, path]) => `arn:aws:iam::${a}:role/${path}`);

const source: fc.Arbitrary<Spec['source']> = fc.oneof(
  backupArn.map((arn) => ({ backupArn: arn })),
  fc.oneof(
    record({ tableName, backupName: pooled(['MusicBackup'], sized(NAME_UNIT, 3, 255)) }),
    record({ tableName, backupName: pooled(['MusicBackup'], sized(NAME_UNIT, 3, 255)), latest: fc.constant(false) }),
    record({ tableName, latest: fc.constant(true) }),
  ).map((backup) => ({ backup })),
  fc
    .tuple(
      fc.oneof(tableName.map((n) => ({ sourceTableName: n })), tableArn.map((a) => ({ sourceTableArn: a }))),
      fc.oneof(isoNear.map((t) => ({ restoreDateTime: t })), fc.constant({ useLatestRestorableTime: true })),
    )
    .map(([table, moment]) => ({ pointInTime: { ...table, ...moment } })),
);

const throughput = record({ readCapacityUnits: fc.integer({ min: 1, max: 2 ** 31 }), writeCapacityUnits: fc.integer({ min: 1, max: 2 ** 31 }) });
const onDemand = fc.record(
  { maxReadRequestUnits: fc.integer({ min: -1, max: 2 ** 31 }), maxWriteRequestUnits: fc.integer({ min: -1, max: 2 ** 31 }) },
  { requiredKeys: [], noNullPrototype: true },
);
const attributeName = sized('binary', 1, 255);
const keySchema = fc.oneof(
  attributeName.map((a) => [{ attributeName: a, keyType: 'HASH' as const }]),
  fc.tuple(attributeName, attributeName).map(([h, r]) => [
    { attributeName: h, keyType: 'HASH' as const },
    { attributeName: r, keyType: 'RANGE' as const },
  ]),
);
const projection = fc.record(
  { projectionType: fc.constantFrom('ALL', 'KEYS_ONLY', 'INCLUDE'), nonKeyAttributes: fc.array(attributeName, { minLength: 1, maxLength: 4 }) },
  { requiredKeys: ['projectionType'], noNullPrototype: true },
);
const indexName = sized(NAME_UNIT, 3, 255);
const gsi = fc.record(
  { indexName, keySchema, projection, provisionedThroughput: throughput, onDemandThroughput: onDemand },
  { requiredKeys: ['indexName', 'keySchema', 'projection'], noNullPrototype: true },
);
const lsi = record({ indexName, keySchema, projection });
const sse = fc.oneof(
  record({ enabled: fc.boolean() }),
  record({ enabled: fc.boolean(), sseType: fc.constant('KMS' as const) }),
  record({ enabled: fc.constant(true), sseType: fc.constant('KMS' as const), kmsMasterKeyId: pooled(['alias/my-key'], sized('binary', 1, 2048)) }),
);
/** billingMode, provisionedThroughput and onDemandThroughput as the CEL rules allow them together. */
const billing: fc.Arbitrary<Overrides> = fc.oneof(
  fc.record({ provisionedThroughput: throughput, onDemandThroughput: onDemand }, { requiredKeys: [], noNullPrototype: true }),
  fc.record({ billingMode: fc.constant('PAY_PER_REQUEST' as const), onDemandThroughput: onDemand }, { requiredKeys: ['billingMode'], noNullPrototype: true }),
  record({ billingMode: fc.constant('PROVISIONED' as const), provisionedThroughput: throughput }),
);
const overrides: fc.Arbitrary<Overrides> = fc
  .tuple(
    billing,
    fc.record(
      { globalSecondaryIndexes: fc.array(gsi, { maxLength: 3 }), localSecondaryIndexes: fc.array(lsi, { maxLength: 2 }), sse },
      { requiredKeys: [], noNullPrototype: true },
    ),
  )
  .map(([b, rest]) => ({ ...b, ...rest }));

const RESERVED_TAG_PREFIXES = ['aws:', 'dynamodb.restore.dev/'];
const tagKey = fc
  .oneof(sized('binary', 1, 128), fc.constantFrom('team', 'cost-center', ...PROTOTYPE_KEYS))
  .filter((k) => !RESERVED_TAG_PREFIXES.some((p) => k.startsWith(p)));
/** A string map as JSON.parse makes it: own properties, even one named __proto__. */
export const tags = (keys: fc.Arbitrary<string>, values: fc.Arbitrary<string>, maxKeys: number) =>
  fc.uniqueArray(fc.tuple(keys, values), { selector: ([k]) => k, maxLength: maxKeys }).map((entries) => Object.fromEntries(entries) as Record<string, string>);

const STREAM_VIEW_TYPES = ['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY'] as const;
export const tableSettings: fc.Arbitrary<NonNullable<Spec['tableSettings']>> = fc.record(
  {
    tags: tags(tagKey, sized('binary', 0, 256), 48),
    timeToLive: record({ attributeName: pooled(['expiresAt'], attributeName) }),
    stream: record({ viewType: fc.constantFrom(...STREAM_VIEW_TYPES) }),
    pointInTimeRecovery: fc.boolean(),
    deletionProtection: fc.boolean(),
  },
  { requiredKeys: [], noNullPrototype: true },
);

const credentials = fc.record({ roleArn }, { noNullPrototype: true });

/** A spec the CRD admits: its patterns, lengths and CEL rules hold. */
export const validSpec: fc.Arbitrary<Spec> = fc
  .record(
    {
      targetTableName: tableName,
      region,
      source,
      overrides,
      tableSettings,
      deletionPolicy: fc.constantFrom('Retain' as const, 'Delete' as const),
      credentials,
    },
    { requiredKeys: ['targetTableName', 'source'], noNullPrototype: true },
  )
  .map((spec) => {
    // deletionPolicy Delete and deletion protection exclude each other.
    if (spec.deletionPolicy === 'Delete' && spec.tableSettings?.deletionProtection) spec.tableSettings.deletionProtection = false;
    // A backup in another Region than spec.region needs overrides.sse.
    const arn = spec.source.backupArn;
    if (spec.region && arn && arn.split(':')[3] !== spec.region && !spec.overrides?.sse) spec.overrides = { ...spec.overrides, sse: { enabled: false } };
    return spec;
  });

type Mutation = (spec: Spec) => Spec;
const oddName = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', minLength: 256, maxLength: 2_000 }), fc.constant(''));
const oddString = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 300 }), huge.map((s) => s.slice(0, 20_000)));
/** One way of breaking what the CRD would hold: unicode, oversized, empty, contradictory or missing parts. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  oddName.map((n): Mutation => (s) => ({ ...s, targetTableName: n })),
  oddString.map((r): Mutation => (s) => ({ ...s, region: r })),
  oddString.map((a): Mutation => (s) => ({ ...s, source: { backupArn: a } })),
  fc.constant<Mutation>((s) => ({ ...s, source: {} })),
  fc.tuple(backupArn, tableName).map(([a, t]): Mutation => (s) => ({ ...s, source: { backupArn: a, backup: { tableName: t, latest: true } } })),
  oddName.map((t): Mutation => (s) => ({ ...s, source: { backup: { tableName: t } } })),
  fc.constant<Mutation>((s) => ({ ...s, source: { pointInTime: {} } })),
  fc.tuple(oddString, oddString).map(([n, t]): Mutation => (s) => ({ ...s, source: { pointInTime: { sourceTableName: n, restoreDateTime: t } } })),
  tags(fc.oneof(oddString, fc.constantFrom(OWNER_UID_TAG, OWNER_TAG, 'aws:x', '')), oddString, 60).map(
    (t): Mutation => (s) => ({ ...s, tableSettings: { ...s.tableSettings, tags: t } }),
  ),
  fc.constant<Mutation>((s) => ({ ...s, overrides: { billingMode: 'PROVISIONED' } })),
  fc.constant<Mutation>((s) => ({ ...s, deletionPolicy: 'Delete', tableSettings: { ...s.tableSettings, deletionProtection: true } })),
  oddString.map((k): Mutation => (s) => ({ ...s, overrides: { ...s.overrides, sse: { enabled: false, kmsMasterKeyId: k } } })),
  fc.constant<Mutation>((s) => ({ ...s, overrides: { globalSecondaryIndexes: [] } })),
  fc.constant<Mutation>((s) => ({ targetTableName: s.targetTableName, source: s.source })),
);
/** A spec the CRD would refuse, in shape still a spec: for the core, which must not trust admission blindly. */
export const oddSpec: fc.Arbitrary<Spec> = fc
  .tuple(validSpec, fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([spec, mutations]) => mutations.reduce((s, m) => m(s), spec));
export const anySpec = fc.oneof({ weight: 3, arbitrary: validSpec }, { weight: 1, arbitrary: oddSpec });

const junkValue = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 10 }), fc.array(fc.integer(), { maxLength: 3 }), fc.constant({}));
const SPEC_PATHS = [
  ['targetTableName'],
  ['region'],
  ['source'],
  ['source', 'backupArn'],
  ['source', 'backup'],
  ['source', 'pointInTime'],
  ['overrides'],
  ['overrides', 'billingMode'],
  ['overrides', 'provisionedThroughput'],
  ['overrides', 'globalSecondaryIndexes'],
  ['overrides', 'sse'],
  ['tableSettings'],
  ['tableSettings', 'tags'],
  ['tableSettings', 'pointInTimeRecovery'],
  ['deletionPolicy'],
  ['credentials'],
] as const;
/** A spec with fields of the wrong type, or no spec object at all: only for the apiserver to refuse. */
export const wrongTypedSpec: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: junkValue },
  {
    weight: 6,
    arbitrary: fc.tuple(validSpec, fc.constantFrom(...SPEC_PATHS), junkValue).map(([spec, path, value]) => {
      const copy = structuredClone(spec) as unknown as Record<string, unknown>;
      let at = copy;
      for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
      at[path[path.length - 1] as string] = value;
      return copy;
    }),
  },
);

// --- status ---------------------------------------------------------------------------------------------------------

const camelCase = fc.oneof(fc.constantFrom('Validating', 'Restoring', 'RestoreCompleted', 'BackupNotFound'), fc.string({ unit: chars(ALNUM), minLength: 1, maxLength: 30 }).map((s) => `R${s}`));
const condition: fc.Arbitrary<Condition> = fc.record(
  {
    type: fc.constantFrom('Ready', 'Synced', 'example.com/Other'),
    status: fc.constantFrom('True' as const, 'False' as const, 'Unknown' as const),
    reason: camelCase,
    message: sized('binary', 0, 300),
    lastTransitionTime: isoNear,
    observedGeneration: fc.nat({ max: 10 }),
  },
  { requiredKeys: ['type', 'status', 'reason', 'message', 'lastTransitionTime'], noNullPrototype: true },
);
const summary: fc.Arbitrary<RestoreSummary> = fc.record(
  { sourceBackupArn: backupArn, sourceTableArn: tableArn, restoreDateTime: isoNear, restoreInProgress: fc.boolean() },
  { requiredKeys: [], noNullPrototype: true },
);
const tableStatus = fc.oneof(fc.constantFrom(...TABLE_STATUSES), fc.string({ maxLength: 20 }));

/** A status the CRD's schema admits, its fields independent: as the operator writes it, or as anyone else could. */
export const validStatus: fc.Arbitrary<DynamoDBRestoreStatus> = fc.record(
  {
    phase: fc.constantFrom(...PHASES),
    observedGeneration: fc.nat({ max: 10 }),
    backupArn,
    source: fc.string({ maxLength: 40 }),
    tableArn,
    tableId: pooled(TABLE_IDS, fc.uuid()),
    tableCreatedAt: isoNear,
    tableStatus,
    restoreRequestedAt: isoNear,
    startTime: isoNear,
    completionTime: isoNear,
    restoreSummary: summary,
    queuePosition: fc.integer({ min: 1, max: 500 }),
    appliedSettings: fc.subarray([...SETTINGS]),
    lastError: record({ code: fc.string({ maxLength: 40 }), message: sized('binary', 0, 300), retryable: fc.boolean() }),
    conditions: fc.uniqueArray(condition, { selector: (c) => c.type, maxLength: 3 }),
  },
  { requiredKeys: [], noNullPrototype: true },
);
const junk = fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.boolean(), fc.constant(null), fc.array(fc.anything(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
/** A status with fields of the wrong type (as no apiserver validating the schema would store), typed as a status. */
export const wrongTypedStatus: fc.Arbitrary<DynamoDBRestoreStatus> = fc
  .tuple(validStatus, fc.dictionary(fc.constantFrom('phase', 'observedGeneration', 'backupArn', 'tableArn', 'tableStatus', 'restoreRequestedAt', 'startTime', 'restoreSummary', 'appliedSettings', 'lastError', 'conditions'), junk, { minKeys: 1 }))
  .map(([status, wrong]) => ({ ...status, ...wrong }));

export function restoreOf(spec: Spec, status: DynamoDBRestoreStatus | undefined, meta: { namespace: string; uid: string; generation: number }): DynamoDBRestore {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { name: 'restore', namespace: meta.namespace, uid: meta.uid, generation: meta.generation, resourceVersion: '7' },
    spec,
    ...(status === undefined ? {} : { status }),
  };
}
const meta = fc.record({
  namespace: pooled(NAMESPACES, fc.string({ unit: chars(`${LOWER}0123456789-`), minLength: 1, maxLength: 63 })),
  uid: pooled(UIDS, fc.uuid()),
  generation: fc.integer({ min: 1, max: 10 }),
});

/** A restore: which specs and statuses; missing status included. */
export function restore(opts: { spec?: fc.Arbitrary<Spec>; status?: fc.Arbitrary<DynamoDBRestoreStatus | undefined> } = {}): fc.Arbitrary<DynamoDBRestore> {
  return fc
    .tuple(opts.spec ?? anySpec, opts.status ?? fc.option(validStatus, { nil: undefined, freq: 6 }), meta)
    .map(([spec, status, m]) => restoreOf(spec, status, m));
}

// --- what AWS answers ---------------------------------------------------------------------------------------------

export interface AnswerShape {
  /** true: dates as the SDK adapter makes them (toISOString), never odd ones. */
  realistic?: boolean;
}
const moment = ({ realistic }: AnswerShape) => (realistic ? isoNear : fc.oneof({ weight: 4, arbitrary: isoNear }, { weight: 1, arbitrary: oddMoment }));

export function table(shape: AnswerShape = {}): fc.Arbitrary<TableState> {
  return fc.record(
    {
      name: tableName,
      arn: tableArn,
      id: pooled(TABLE_IDS, fc.uuid()),
      status: tableStatus,
      createdAt: moment(shape),
      restoreSummary: fc.record(
        { sourceBackupArn: backupArn, sourceTableArn: tableArn, restoreDateTime: moment(shape), restoreInProgress: fc.boolean() },
        { requiredKeys: [], noNullPrototype: true },
      ),
      streamViewType: fc.oneof(fc.constantFrom(...STREAM_VIEW_TYPES), fc.string({ maxLength: 12 })),
      deletionProtection: fc.boolean(),
    },
    { requiredKeys: ['name', 'status'], noNullPrototype: true },
  );
}
const backupState = (shape: AnswerShape): fc.Arbitrary<BackupState> =>
  fc.record(
    {
      arn: shape.realistic ? backupArn : fc.oneof({ weight: 4, arbitrary: backupArn }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }),
      name: pooled(['MusicBackup'], fc.string({ maxLength: 30 })),
      status: fc.oneof(fc.constantFrom('CREATING', 'AVAILABLE', 'DELETED'), fc.string({ maxLength: 12 })),
      sourceTableName: tableName,
      createdAt: moment(shape),
    },
    { requiredKeys: ['arn', 'status'], noNullPrototype: true },
  );
const pitr = (shape: AnswerShape): fc.Arbitrary<PointInTimeRecovery> =>
  fc.record(
    { status: fc.oneof(fc.constantFrom('ENABLED', 'DISABLED'), fc.string({ maxLength: 12 })), earliest: moment(shape), latest: moment(shape) },
    { requiredKeys: ['status'], noNullPrototype: true },
  );
const timeToLive: fc.Arbitrary<TimeToLive> = fc.record(
  { status: fc.oneof(fc.constantFrom('ENABLING', 'ENABLED', 'DISABLING', 'DISABLED'), fc.string({ maxLength: 12 })), attributeName: pooled(['expiresAt'], attributeName) },
  { requiredKeys: ['status'], noNullPrototype: true },
);
/** A table's tags: sometimes this resource's ownership tag, sometimes another's, sometimes none. */
export const tableTags = fc
  .tuple(
    fc.option(pooled(UIDS, fc.string({ maxLength: 36 })), { nil: undefined }),
    fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    tags(fc.oneof(fc.constantFrom('team', 'cost-center', 'expiresAt', ...PROTOTYPE_KEYS), fc.string({ maxLength: 20 })), fc.string({ maxLength: 20 }), 6),
  )
  .map(([uid, owner, rest]) => ({ ...rest, ...(uid === undefined ? {} : { [OWNER_UID_TAG]: uid }), ...(owner === undefined ? {} : { [OWNER_TAG]: owner }) }));
export const observedSettings = (shape: AnswerShape = {}): fc.Arbitrary<ObservedSettings> =>
  fc.record({ table: table(shape), tags: tableTags, timeToLive, pointInTimeRecovery: pitr(shape) }, { requiredKeys: ['table'], noNullPrototype: true });

const OPERATIONS = ['DescribeBackup', 'ListBackups', 'RestoreTableFromBackup', 'RestoreTableToPointInTime', 'DescribeContinuousBackups', 'DescribeTable', 'TagResource', 'DeleteTable', 'AssumeRole'] as const;
/** Codes the map knows, and any other string (but the names of Object.prototype's members: see prototypeCode). */
export const errorCode = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...CLASSIFIED_CODES, 'TableAlreadyExistsException', 'ValidationException', 'AccessDeniedException') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).filter((c) => !(c in Object.prototype)) },
);
/** Codes a plain object answers for without owning them (a finding of classifyError's: see its properties). */
export const prototypeCode = fc.constantFrom(...PROTOTYPE_KEYS);
/** What AWS (or the network) said: empty, a sentence, one naming KMS, or a huge one. */
export const errorMessage = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('', 'The provided key is disabled (KMS).', 'KMS key access denied') },
  { weight: 1, arbitrary: huge },
);
export const operation = fc.oneof(fc.constantFrom(...OPERATIONS), fc.string({ maxLength: 30 }));
/** An AwsError that shows itself briefly in a counterexample, however long its message. */
export function awsErrorOf(code: string, message: string, op: string): AwsError {
  const error = new AwsError(code, message, op);
  const shown = message.length > 80 ? `${JSON.stringify(message.slice(0, 40))} + ${message.length - 40} more characters` : JSON.stringify(message);
  Object.defineProperty(error, fc.toStringMethod, { value: () => `new AwsError(${JSON.stringify(code)}, ${shown}, ${JSON.stringify(op)})` });
  return error;
}
export const awsError = fc.tuple(errorCode, errorMessage, operation).map(([code, message, op]) => awsErrorOf(code, message, op));

/** What the previous action found out: any kind, whatever the phase (the core must cope with a stale answer). */
export function observation(shape: AnswerShape = {}, error: fc.Arbitrary<AwsError> = awsError): fc.Arbitrary<Observation> {
  return fc.oneof(
    fc.constant({ kind: 'nothing' as const }),
    backupState(shape).map((backup) => ({ kind: 'backupDescribed' as const, backup })),
    fc.array(backupState(shape), { maxLength: 5 }).map((backups) => ({ kind: 'backupsListed' as const, backups })),
    pitr(shape).map((p) => ({ kind: 'continuousBackupsDescribed' as const, pitr: p })),
    table(shape).map((t) => ({ kind: 'restoreStarted' as const, table: t })),
    fc.constant({ kind: 'tagged' as const }),
    fc.option(table(shape), { nil: undefined, freq: 4 }).map((t) => ({ kind: 'described' as const, table: t })),
    fc.option(observedSettings(shape), { nil: undefined, freq: 6 }).map((settings) => ({ kind: 'settingsDescribed' as const, settings })),
    fc.constantFrom(...SETTINGS).map((setting) => ({ kind: 'settingChanged' as const, setting })),
    fc.constant({ kind: 'tableDeleted' as const }),
    fc.constant({ kind: 'slotGranted' as const }),
    fc.constant({ kind: 'claimGranted' as const }),
    fc.constantFrom('sim/other', 'elsewhere/other').map((holder) => ({ kind: 'claimHeld' as const, holder })),
    fc
      .record({ position: fc.integer({ min: 1, max: 500 }), inUse: fc.integer({ min: 0, max: 50 }), capacity: fc.integer({ min: 1, max: 50 }) })
      .map((slot) => ({ kind: 'slotQueued' as const, ...slot })),
    error.map((e) => ({ kind: 'failed' as const, error: e })),
  );
}

export const planOptions: fc.Arbitrary<PlanOptions> = fc.record(
  {
    pollMinMs: fc.constant(2_000),
    pollMaxMs: fc.constant(120_000),
    adoptionSkewMs: fc.constantFrom(0, 5_000),
    defaultRegion: fc.constantFrom(...REGIONS),
    allowUngovernedNamespaces: fc.boolean(),
  },
  { requiredKeys: ['pollMinMs', 'pollMaxMs', 'adoptionSkewMs', 'allowUngovernedNamespaces'], noNullPrototype: true },
);

// --- policies ---------------------------------------------------------------------------------------------------

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pattern = (pool: readonly string[]) => fc.oneof(fc.constantFrom(...pool, '.*', '(', '['), fc.string({ minLength: 1, maxLength: 20 }));
/** A DynamoDBRestorePolicy its CRD admits; patterns include ones that do not compile. */
export const policy = (name: fc.Arbitrary<string> = fc.string({ unit: chars(`${LOWER}-`), minLength: 1, maxLength: 20 })): fc.Arbitrary<DynamoDBRestorePolicy> =>
  fc
    .record({
      name,
      spec: fc.record(
        {
          namespaces: fc.array(pattern(['team-a', 'team-.*', 'team-b', 'other']), { minLength: 1, maxLength: 3 }),
          allowedRegions: fc.subarray([...REGIONS, 'ap-southeast-2'], { minLength: 1 }),
          allowedSources: fc.array(pattern([...BACKUP_ARNS.map(escape), 'arn:aws:dynamodb:us-east-1:.*', ...SOURCE_TABLE_ARNS.map(escape), 'Music']), { minLength: 1, maxLength: 3 }),
          allowedRoleArns: fc.array(pattern(['arn:aws:iam::123456789012:role/.*']), { minLength: 1, maxLength: 2 }),
          targetTableNamePattern: pattern(['$(namespace)-.*', 'Music.*', 'team-a-Music']),
          allowedDeletionPolicies: fc.subarray(['Retain' as const, 'Delete' as const], { minLength: 1 }),
          maxProvisionedThroughput: record({ readCapacityUnits: fc.integer({ min: 1, max: 1_000 }), writeCapacityUnits: fc.integer({ min: 1, max: 1_000 }) }),
        },
        { requiredKeys: ['namespaces'], noNullPrototype: true },
      ),
    })
    .map(({ name: n, spec }) => ({ apiVersion: 'dynamodb.restore.dev/v1alpha1', kind: 'DynamoDBRestorePolicy' as const, metadata: { name: n }, spec }));
/** Policies with unique names (they are cluster-scoped objects). */
export const policies = fc.uniqueArray(policy(), { selector: (p) => p.metadata.name, maxLength: 3 });
/** A policy at the CRD's limits: up to 100 allowedSources patterns of up to 1024 characters, none matching. */
export const bigPolicy: fc.Arbitrary<DynamoDBRestorePolicy> = fc
  .tuple(fc.array(fc.tuple(fc.string({ unit: chars(LOWER), minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 1_024 })), { minLength: 1, maxLength: 100 }))
  .map(([pieces]) => ({
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestorePolicy' as const,
    metadata: { name: 'big' },
    spec: { namespaces: ['.*'], allowedSources: pieces.map(([p, n]) => `x${p.repeat(n)}`.slice(0, n)) },
  }));

// --- close calls of ownership ---------------------------------------------------------------------------------------

const shiftIso = (iso: string | undefined, ms: number) => new Date((Date.parse(iso ?? '') || T0) + ms).toISOString();

/**
 * A table that is almost or exactly this resource's restore: ACTIVE mostly, restored from its source or another, made
 * just before or after it asked (within and beyond the adoption skew), tagged with its uid, another's or none.
 */
export function nearlyOurTable(r: DynamoDBRestore): fc.Arbitrary<{ table: TableState; tags: Record<string, string> }> {
  const pit = r.spec.source.pointInTime;
  const ourSource = pit
    ? { sourceTableArn: pit.sourceTableArn ?? `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${pit.sourceTableName ?? ''}` }
    : { sourceBackupArn: r.spec.source.backupArn ?? r.status?.backupArn ?? BACKUP_ARNS[0] };
  return fc.record({
    table: fc.record(
      {
        name: fc.constant(r.spec.targetTableName),
        arn: tableArn,
        // Mostly the table it recorded (if any); else another table under the same name.
        id: fc.constantFrom(r.status?.tableId ?? TABLE_IDS[0], r.status?.tableId ?? TABLE_IDS[0], TABLE_IDS[1]),
        status: fc.oneof({ weight: 4, arbitrary: fc.constant('ACTIVE') }, { weight: 1, arbitrary: tableStatus }),
        createdAt: fc.integer({ min: -150, max: 150 }).map((s) => shiftIso(r.status?.restoreRequestedAt, s * 1_000)),
        restoreSummary: fc.oneof({ weight: 3, arbitrary: fc.constant(ourSource) }, { weight: 1, arbitrary: summary }),
        deletionProtection: fc.boolean(),
      },
      { requiredKeys: ['name', 'status'], noNullPrototype: true },
    ),
    tags: fc
      .constantFrom(r.metadata.uid, r.metadata.uid, 'someone-else', '', undefined)
      .map((uid): Record<string, string> => (uid === undefined ? { team: 'a' } : { [OWNER_UID_TAG]: uid, [OWNER_TAG]: `${r.metadata.namespace}/restore` })),
  });
}

/** What the ownership decisions turn on: a near-miss table, as DescribeTable, a restore's answer or a settings read. */
export function nearlyOurs(r: DynamoDBRestore): fc.Arbitrary<Observation> {
  return nearlyOurTable(r).chain(({ table: t, tags: tg }) =>
    fc.constantFrom<Observation>(
      { kind: 'described', table: t },
      { kind: 'described', table: t, tags: tg },
      { kind: 'restoreStarted', table: t },
      { kind: 'settingsDescribed', settings: { table: t, tags: tg } },
    ),
  );
}

/** A resource that has asked AWS for its restore (mostly), and an answer that may or may not be about its table. */
export function ownershipCase(
  opts: { status?: fc.Arbitrary<DynamoDBRestoreStatus | undefined>; answer?: (r: DynamoDBRestore) => fc.Arbitrary<Observation> } = {},
): fc.Arbitrary<[DynamoDBRestore, Observation]> {
  const asked = validStatus.chain((s) => isoNear.map((at) => ({ ...s, restoreRequestedAt: s.restoreRequestedAt ?? at })));
  const answer = opts.answer ?? nearlyOurs;
  return restore({ status: opts.status ?? fc.oneof({ weight: 4, arbitrary: asked }, { weight: 1, arbitrary: fc.option(validStatus, { nil: undefined }) }) }).chain((r) =>
    fc.tuple(fc.constant(r), fc.oneof({ weight: 3, arbitrary: answer(r) }, { weight: 1, arbitrary: observation() })),
  );
}
