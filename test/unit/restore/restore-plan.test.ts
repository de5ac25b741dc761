import assert from 'node:assert/strict';
import type { Condition, DynamoDBRestore, DynamoDBRestoreSpec, DynamoDBRestoreStatus, Phase } from '../../../src/api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy } from '../../../src/api/dynamodb-restore-policy.ts';
import { AwsError, type BackupState, type TableState } from '../../../src/aws/dynamodb-port.ts';
import { OWNER_TAG, OWNER_UID_TAG, ownerTags, adoptable } from '../../../src/restore/restore-ownership.ts';
import { arnRegion, planRestore, pollDelay } from '../../../src/restore/restore-plan.ts';
import { formatDuration } from '../../../src/restore/restore-status.ts';
import { BACKUP_NOT_READY_DELAY_MS, QUEUED_RECHECK_MS, DEFAULT_PLAN_OPTIONS, type Action, type Observation, type PlanOptions, type Step } from '../../../src/restore/restore-vocabulary.ts';
import { restoreRequest } from '../../../src/restore/restore-request.ts';
import { AWS_ERROR_CLASSES, UNKNOWN_CLASS, UNKNOWN_CODE } from './aws-error-classes.ts';

const BACKUP_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const OTHER_BACKUP_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01581080476474-e177ebe2';
/** The same kind of backup, kept in another Region. */
const EU_BACKUP_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music';
/** The TableId our own restore call's answer carried. */
const TABLE_ID = 'b5e3a9a0-0000-4000-8000-000000000001';
/** The operator's default Region is the backup's: only a backup reported elsewhere is cross-Region. */
const OPTIONS: PlanOptions = { pollMinMs: 2_000, pollMaxMs: 120_000, adoptionSkewMs: 5_000, defaultRegion: 'us-east-1', allowUngovernedNamespaces: true };
const GENERATION = 3;

const VALIDATING_SINCE = '2025-03-01T09:59:58.000Z';
const REQUESTED_AT = '2025-03-01T10:00:00.000Z';
const STARTED_AT = '2025-03-01T10:00:02.000Z';
const NOW = new Date('2025-03-01T10:05:02.000Z'); // five minutes after STARTED_AT
const at = (iso: string, deltaMs: number) => new Date(Date.parse(iso) + deltaMs).toISOString();

const readyCondition = (status: 'True' | 'False', reason: string, lastTransitionTime: string): Condition => ({
  type: 'Ready',
  status,
  reason,
  message: `${reason}.`,
  lastTransitionTime,
  observedGeneration: GENERATION,
});

const SPEC: DynamoDBRestoreSpec = { targetTableName: 'Music', source: { backupArn: BACKUP_ARN }, overrides: { billingMode: 'PAY_PER_REQUEST' } };

function restoreWith(status: DynamoDBRestoreStatus | undefined, generation = GENERATION, spec: DynamoDBRestoreSpec = SPEC): DynamoDBRestore {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { name: 'music', namespace: 'team-a', uid: 'uid-1', generation, resourceVersion: '42' },
    spec: structuredClone(spec),
    ...(status ? { status } : {}),
  };
}

// The states a resource can be in when a reconcile starts.
const PHASES = {
  'no status': undefined,
  Validating: {
    phase: 'Validating',
    observedGeneration: GENERATION,
    backupArn: BACKUP_ARN,
    conditions: [readyCondition('False', 'Validating', VALIDATING_SINCE)],
  },
  Queued: {
    phase: 'Queued',
    observedGeneration: GENERATION,
    backupArn: BACKUP_ARN,
    queuePosition: 3,
    conditions: [readyCondition('False', 'Queued', VALIDATING_SINCE)],
  },
  'Restoring without startTime': {
    phase: 'Restoring',
    observedGeneration: GENERATION,
    backupArn: BACKUP_ARN,
    restoreRequestedAt: REQUESTED_AT,
    conditions: [readyCondition('False', 'RestoreRequested', VALIDATING_SINCE)],
  },
  'Restoring with startTime': {
    phase: 'Restoring',
    observedGeneration: GENERATION,
    backupArn: BACKUP_ARN,
    restoreRequestedAt: REQUESTED_AT,
    startTime: STARTED_AT,
    tableArn: TABLE_ARN,
    tableId: TABLE_ID,
    tableStatus: 'CREATING',
    conditions: [readyCondition('False', 'Restoring', VALIDATING_SINCE)],
  },
  Configuring: {
    phase: 'Configuring',
    observedGeneration: GENERATION,
    backupArn: BACKUP_ARN,
    restoreRequestedAt: REQUESTED_AT,
    startTime: STARTED_AT,
    tableArn: TABLE_ARN,
    tableId: TABLE_ID,
    tableStatus: 'ACTIVE',
    conditions: [readyCondition('False', 'Configuring', at(STARTED_AT, 60_000))],
  },
  Completed: {
    phase: 'Completed',
    observedGeneration: GENERATION,
    backupArn: BACKUP_ARN,
    restoreRequestedAt: REQUESTED_AT,
    startTime: STARTED_AT,
    completionTime: at(STARTED_AT, 60_000),
    tableArn: TABLE_ARN,
    tableStatus: 'ACTIVE',
    conditions: [readyCondition('True', 'RestoreCompleted', at(STARTED_AT, 60_000))],
  },
  Failed: {
    phase: 'Failed',
    observedGeneration: GENERATION,
    backupArn: BACKUP_ARN,
    completionTime: VALIDATING_SINCE,
    lastError: { code: 'BackupNotFoundException', message: 'Backup does not exist.', retryable: false },
    conditions: [readyCondition('False', 'BackupNotFound', VALIDATING_SINCE)],
  },
} satisfies Record<string, DynamoDBRestoreStatus | undefined>;
type PhaseName = keyof typeof PHASES;
const NON_FINAL = ['no status', 'Validating', 'Queued', 'Restoring without startTime', 'Restoring with startTime', 'Configuring'] as const;
type NonFinal = (typeof NON_FINAL)[number];
const FINAL = ['Completed', 'Failed'] as const;

/** The backup's own time: what RestoreSummary.RestoreDateTime reports for a restore from a backup. */
const BACKUP_TIME = '2025-02-01T00:00:00.000Z';

/** A table as DescribeTable reports it; restoredAt is when its restore ran (its CreationDateTime). */
const table = (status: string, summary?: { sourceBackupArn?: string; restoredAt?: string; restoreInProgress?: boolean }, id = TABLE_ID): TableState => ({
  name: 'Music',
  arn: TABLE_ARN,
  id,
  status,
  ...(summary?.restoredAt ? { createdAt: summary.restoredAt } : {}),
  ...(summary
    ? { restoreSummary: { restoreDateTime: BACKUP_TIME, ...(summary.sourceBackupArn ? { sourceBackupArn: summary.sourceBackupArn } : {}), ...(summary.restoreInProgress !== undefined ? { restoreInProgress: summary.restoreInProgress } : {}) } }
    : {}),
});
/** Restored from our backup after we asked: what our own call creates. */
const OWNED = table('CREATING', { sourceBackupArn: BACKUP_ARN, restoredAt: at(REQUESTED_AT, 1_000), restoreInProgress: true });
/** Restored from our backup slightly before restoreRequestedAt by our clock, within the 5 s skew: may be ours. */
const ADOPTABLE = table('ACTIVE', { sourceBackupArn: BACKUP_ARN, restoredAt: at(REQUESTED_AT, -3_000), restoreInProgress: false });
/** Our restore, finished. */
const OURS_ACTIVE = table('ACTIVE', { sourceBackupArn: BACKUP_ARN, restoredAt: at(REQUESTED_AT, 1_000), restoreInProgress: false });
/** Someone else's table of the same name. */
const FOREIGN = table('ACTIVE', undefined, 'b5e3a9a0-0000-4000-8000-00000000f0e1');

const backup = (status: string, arn = BACKUP_ARN): BackupState => ({ arn, name: 'MusicBackup', status, sourceTableName: 'Music' });

const OBSERVATIONS = {
  nothing: { kind: 'nothing' },
  'backupDescribed AVAILABLE': { kind: 'backupDescribed', backup: backup('AVAILABLE') },
  'backupDescribed CREATING': { kind: 'backupDescribed', backup: backup('CREATING') },
  'backupDescribed DELETED': { kind: 'backupDescribed', backup: backup('DELETED') },
  // The target Region is OPTIONS.defaultRegion (us-east-1); the spec has no overrides.sse.
  'backupDescribed AVAILABLE in eu-west-1': { kind: 'backupDescribed', backup: backup('AVAILABLE', EU_BACKUP_ARN) },
  'restoreStarted CREATING': { kind: 'restoreStarted', table: table('CREATING') },
  'restoreStarted ACTIVE': { kind: 'restoreStarted', table: table('ACTIVE') },
  'restoreStarted INACCESSIBLE_ENCRYPTION_CREDENTIALS': { kind: 'restoreStarted', table: table('INACCESSIBLE_ENCRYPTION_CREDENTIALS') },
  'restoreStarted DELETING': { kind: 'restoreStarted', table: table('DELETING') },
  'described undefined': { kind: 'described', table: undefined },
  'described owned': { kind: 'described', table: OWNED },
  'described owned, tags read: none': { kind: 'described', table: OWNED, tags: {} },
  "described owned, tags read: another resource's uid": { kind: 'described', table: OWNED, tags: { [OWNER_UID_TAG]: 'uid-2' } },
  'described adoptable': { kind: 'described', table: ADOPTABLE },
  'described adoptable, tags read: ours': { kind: 'described', table: ADOPTABLE, tags: { [OWNER_UID_TAG]: 'uid-1' } },
  'described foreign': { kind: 'described', table: FOREIGN },
  'described foreign, tags read: none': { kind: 'described', table: FOREIGN, tags: {} },
  tagged: { kind: 'tagged' },
  'settingsDescribed gone': { kind: 'settingsDescribed', settings: undefined },
  'settingsDescribed ACTIVE': { kind: 'settingsDescribed', settings: { table: OURS_ACTIVE } },
  settingChanged: { kind: 'settingChanged', setting: 'tags' },
  tableDeleted: { kind: 'tableDeleted' },
  slotGranted: { kind: 'slotGranted' },
  slotQueued: { kind: 'slotQueued', position: 7, inUse: 50, capacity: 50 },
  claimGranted: { kind: 'claimGranted' },
  'claimHeld in this namespace': { kind: 'claimHeld', holder: 'team-a/older' },
  'claimHeld in another namespace': { kind: 'claimHeld', holder: 'team-b/theirs' },
} satisfies Record<string, Observation>;
type ObservationName = keyof typeof OBSERVATIONS;

interface Expected {
  phase: Phase | undefined;
  action: Action['kind'];
  /** The Ready condition's status and reason; undefined: no Ready condition. */
  ready: ['True' | 'False', string] | undefined;
  /** status.lastError.retryable; undefined: no lastError. */
  retryable?: boolean;
}

const restoring = (reason: string): Expected => ({ phase: 'Restoring', action: 'requeue', ready: ['False', reason] });
const requestingRestore: Expected = { phase: 'Restoring', action: 'restoreFromBackup', ready: ['False', 'RestoreRequested'] };
const tagging: Expected = { phase: 'Restoring', action: 'tagTable', ready: ['False', 'Restoring'] };
const completed: Expected = { phase: 'Completed', action: 'done', ready: ['True', 'RestoreCompleted'] };
const configuring: Expected = { phase: 'Configuring', action: 'describeSettings', ready: ['False', 'Configuring'] };
const failed = (reason: string): Expected => ({ phase: 'Failed', action: 'done', ready: ['False', reason], retryable: false });

// DescribeBackup's answer is judged the same way in every phase; an AVAILABLE one asks for a slot before the restore
// (once restoreRequestedAt exists, the restore is asked again: the reconciler describes the backup only before, so
// the Restoring rows pin what the plan does with it anyway).
const AFTER_BACKUP_DESCRIBED = {
  'backupDescribed AVAILABLE': requestingRestore,
  'backupDescribed CREATING': { phase: 'Validating', action: 'requeue', ready: ['False', 'BackupNotReady'] },
  'backupDescribed DELETED': failed('BackupNotFound'),
  'backupDescribed AVAILABLE in eu-west-1': failed('CrossRegionNeedsSSE'),
} satisfies Partial<Record<ObservationName, Expected>>;

// Whatever the phase, a restore call's answer is tracked: ACTIVE is tagged, a lost key or table fails, else poll.
const AFTER_RESTORE_STARTED = {
  'restoreStarted CREATING': restoring('Restoring'),
  'restoreStarted ACTIVE': tagging,
  'restoreStarted INACCESSIBLE_ENCRYPTION_CREDENTIALS': failed('KMSKeyUnavailable'),
  'restoreStarted DELETING': failed('TableLost'),
} satisfies Partial<Record<ObservationName, Expected>>;

// Answers of the settings or deletion steps outside Configuring are no basis for a decision: as if nothing was seen.
const asNothing = (nothing: Expected) => ({ nothing, 'settingsDescribed gone': nothing, 'settingsDescribed ACTIVE': nothing, settingChanged: nothing, tableDeleted: nothing });
// Once the restore is asked for, a slot or claim answer is stale news: as if nothing was seen.
const slotAsNothing = (nothing: Expected) => ({
  ...asNothing(nothing),
  slotGranted: nothing,
  slotQueued: nothing,
  claimGranted: nothing,
  'claimHeld in this namespace': nothing,
  'claimHeld in another namespace': nothing,
});

const queued: Expected = { phase: 'Queued', action: 'requeue', ready: ['False', 'Queued'] };
const awaitingSlot = (phase: Phase | undefined, reason: string | undefined): Expected => ({ phase, action: 'acquireSlot', ready: reason ? ['False', reason] : undefined });

// Before restoreRequestedAt exists nothing proves a found table ours. A reconcile begins with the claim on the
// table's name (status as it was), and goes on once it is granted.
const beforeRestoreRequested = (claiming: Expected, slotWait: Expected, granted: Expected = { phase: 'Validating', action: 'describeBackup', ready: ['False', 'Validating'] }): Record<ObservationName, Expected> => ({
  ...asNothing(claiming),
  claimGranted: granted,
  'claimHeld in this namespace': failed('TableClaimed'),
  'claimHeld in another namespace': failed('TableClaimed'),
  ...AFTER_BACKUP_DESCRIBED,
  'backupDescribed AVAILABLE': slotWait,
  'backupDescribed AVAILABLE in eu-west-1': failed('CrossRegionNeedsSSE'),
  slotGranted: requestingRestore,
  slotQueued: queued,
  ...AFTER_RESTORE_STARTED,
  'described undefined': requestingRestore,
  'described owned': failed('TableAlreadyExists'),
  'described owned, tags read: none': failed('TableAlreadyExists'),
  "described owned, tags read: another resource's uid": failed('TableAlreadyExists'),
  'described adoptable': failed('TableAlreadyExists'),
  'described adoptable, tags read: ours': failed('TableAlreadyExists'),
  'described foreign': failed('TableAlreadyExists'),
  'described foreign, tags read: none': failed('TableAlreadyExists'),
  tagged: completed,
});

// Once the restore has begun (startTime recorded), whatever DescribeTable or tagging reports is judged the same.
const AFTER_RESTORE_BEGAN = {
  ...AFTER_BACKUP_DESCRIBED,
  ...AFTER_RESTORE_STARTED,
  'described undefined': failed('TableLost'),
  'described owned': restoring('Restoring'),
  'described owned, tags read: none': restoring('Restoring'),
  "described owned, tags read: another resource's uid": restoring('Restoring'),
  'described adoptable': tagging,
  'described adoptable, tags read: ours': tagging,
  // Our restore was accepted, yet the table under the name has another TableId: it was replaced; never tag it.
  'described foreign': failed('TableLost'),
  'described foreign, tags read: none': failed('TableLost'),
  tagged: completed,
} satisfies Partial<Record<ObservationName, Expected>>;

const EXPECTED: Record<NonFinal, Record<ObservationName, Expected>> = {
  'no status': beforeRestoreRequested({ phase: undefined, action: 'claimTable', ready: undefined }, awaitingSlot(undefined, undefined)),
  Validating: beforeRestoreRequested({ phase: 'Validating', action: 'claimTable', ready: ['False', 'Validating'] }, awaitingSlot('Validating', 'Validating')),
  // Validated before it queued: waiting costs no AWS call, only a look at the claim and the slots.
  Queued: beforeRestoreRequested({ phase: 'Queued', action: 'claimTable', ready: ['False', 'Queued'] }, awaitingSlot('Queued', 'Queued'), awaitingSlot('Queued', 'Queued')),
  // A crash may have lost our call's answer: a found table is adopted only with its tags read and no one else's
  // owner-uid tag on it, restored from our backup, made after we asked (within the skew).
  'Restoring without startTime': {
    ...slotAsNothing({ phase: 'Restoring', action: 'describeTable', ready: ['False', 'RestoreRequested'] }),
    ...AFTER_BACKUP_DESCRIBED,
    ...AFTER_RESTORE_STARTED,
    'described undefined': requestingRestore,
    'described owned': failed('TableAlreadyExists'),
    'described owned, tags read: none': restoring('Restoring'),
    "described owned, tags read: another resource's uid": failed('TableAlreadyExists'),
    'described adoptable': failed('TableAlreadyExists'),
    'described adoptable, tags read: ours': tagging,
    'described foreign': failed('TableAlreadyExists'),
    'described foreign, tags read: none': failed('TableAlreadyExists'),
    tagged: completed,
  },
  'Restoring with startTime': {
    ...slotAsNothing({ phase: 'Restoring', action: 'describeTable', ready: ['False', 'Restoring'] }),
    ...AFTER_RESTORE_BEGAN,
  },
  // The spec asks for no tableSettings: the first read back completes the restore.
  Configuring: {
    nothing: configuring,
    ...AFTER_RESTORE_BEGAN,
    'settingsDescribed gone': failed('TableLost'),
    'settingsDescribed ACTIVE': completed,
    settingChanged: configuring,
    tableDeleted: configuring,
    slotGranted: configuring,
    slotQueued: configuring,
    claimGranted: configuring,
    'claimHeld in this namespace': configuring,
    'claimHeld in another namespace': configuring,
  },
};

// The calls whose errors can reach the plan in each phase: DescribeBackup while validating, the restore call and
// DescribeTable once restoreRequestedAt is written, DescribeTable and TagResource once the restore has started.
const OPERATIONS: Record<NonFinal, readonly string[]> = {
  'no status': ['DescribeBackup'],
  Validating: ['DescribeBackup'],
  Queued: ['DescribeBackup'],
  'Restoring without startTime': ['RestoreTableFromBackup', 'DescribeTable'],
  'Restoring with startTime': ['DescribeTable', 'TagResource'],
  Configuring: ['DescribeTable', 'ListTagsOfResource', 'DescribeTimeToLive', 'DescribeContinuousBackups', 'TagResource', 'UpdateTimeToLive', 'UpdateTable', 'UpdateContinuousBackups'],
};

/** Every code of the reviewed table (aws-error-classes.ts), and one no document lists. */
const FAILED_CODES = [...Object.keys(AWS_ERROR_CLASSES), UNKNOWN_CODE];
const failedObservation = (code: string, message = 'detail', operation = 'RestoreTableFromBackup'): Observation => ({
  kind: 'failed',
  error: new AwsError(code, message, operation),
});

/** Every observation the plan can be given, the failed ones for every code and operation. */
const ALL_OBSERVATIONS: Array<[string, Observation]> = [
  ...Object.entries(OBSERVATIONS),
  ...['DescribeBackup', 'RestoreTableFromBackup', 'DescribeTable', 'TagResource'].flatMap((operation) =>
    FAILED_CODES.map((code): [string, Observation] => [`failed ${operation} ${code}`, failedObservation(code, 'detail', operation)]),
  ),
];

/** An observation as plain JSON, AwsError's own fields included (structuredClone would lose them). */
const snapshot = (observation: Observation): string =>
  JSON.stringify(observation, (_key, value: unknown) => (value instanceof AwsError ? { code: value.code, message: value.message, operation: value.operation } : value));

function plan(phase: PhaseName, observation: Observation, now = NOW, options = OPTIONS, spec = SPEC) {
  const restore = restoreWith(structuredClone(PHASES[phase]), GENERATION, spec);
  const before = structuredClone(restore);
  const observed = snapshot(observation);
  const step = planRestore(restore, observation, now, options);
  assert.deepEqual(restore, before, 'planRestore modified its input');
  assert.equal(snapshot(observation), observed, 'planRestore modified the observation');
  return { restore, step };
}

function readyOf(status: DynamoDBRestoreStatus): Condition | undefined {
  return status.conditions?.find((c) => c.type === 'Ready');
}

function assertStep(status: DynamoDBRestoreStatus, action: Action, expected: Expected): void {
  assert.equal(status.phase, expected.phase, 'phase');
  assert.equal(action.kind, expected.action, 'action');
  const ready = readyOf(status);
  assert.deepEqual(ready && [ready.status, ready.reason], expected.ready, 'Ready condition');
  assert.equal(status.lastError?.retryable, expected.retryable, 'lastError.retryable');
  assert.equal(status.conditions?.filter((c) => c.type === 'Ready').length ?? 0, expected.ready ? 1 : 0, 'one Ready condition');
}

/** The resource as the next plan sees it once the step's status is written. */
const written = (restore: DynamoDBRestore, step: Step): DynamoDBRestore => ({ ...restore, status: step.status });

/** Plans; a step that asks for a restore slot (asking nothing of AWS yet) is granted one and planned on. */
function throughSlot(restore: DynamoDBRestore, observation: Observation, now = NOW, options = OPTIONS, policies: Parameters<typeof planRestore>[4] = []): Step {
  const step = planRestore(restore, observation, now, options, policies);
  if (step.action.kind !== 'acquireSlot') return step;
  assert.equal(step.status.restoreRequestedAt, undefined, 'no restoreRequestedAt before a slot is granted');
  return planRestore(written(restore, step), { kind: 'slotGranted' }, now, options, policies);
}

describe('planRestore', () => {
  describe('every non-final phase × every observation', () => {
    for (const phase of NON_FINAL) {
      for (const [name, observation] of Object.entries(OBSERVATIONS) as Array<[ObservationName, Observation]>) {
        const expected = EXPECTED[phase][name];
        it(`${phase} × ${name} → ${expected.phase ?? 'no phase'}, ${expected.action}, Ready ${expected.ready?.join('/') ?? 'absent'}`, () => {
          const { restore, step } = plan(phase, observation);
          assertStep(step.status, step.action, expected);
          // Asking for the claim on the table's name writes nothing: the status is the one the resource had.
          if (expected.action === 'claimTable') return assert.deepEqual(step.status, restore.status ?? {});
          assert.equal(step.status.observedGeneration, GENERATION);
          assert.equal(step.status.backupArn, BACKUP_ARN);
          if (expected.phase === 'Failed' || expected.phase === 'Completed') assert.equal(step.status.completionTime, NOW.toISOString());
          else assert.equal(step.status.completionTime, undefined);
        });
      }

      for (const operation of OPERATIONS[phase]) {
        for (const code of FAILED_CODES) {
          it(`${phase} × failed ${operation} ${code} → ${code === 'TableAlreadyExistsException' ? 'describeTable first' : `${(AWS_ERROR_CLASSES[code] ?? UNKNOWN_CLASS).retry}, Ready False ${(AWS_ERROR_CLASSES[code] ?? UNKNOWN_CLASS).reason}`}`, () => {
            const { step } = plan(phase, failedObservation(code, 'detail', operation));
            const current = PHASES[phase];
            if (code === 'TableAlreadyExistsException') {
              // The name is taken: by our own earlier call or by someone else. Look before judging; change nothing yet.
              // Before our call was answered, a found table may only be adopted: its tags are read with it.
              const answered = current !== undefined && 'startTime' in current;
              assert.deepEqual(step.action, { kind: 'describeTable', tableName: 'Music', ...(!answered && { withTags: true }) });
              assert.equal(step.status.phase, current?.phase);
              assert.deepEqual(step.status.conditions, current?.conditions);
              assert.equal(step.status.lastError, undefined);
              return;
            }
            // What the code must become, from the table a person reviews against AWS's documents.
            const expected = AWS_ERROR_CLASSES[code] ?? UNKNOWN_CLASS;
            const terminal = expected.retry === 'terminal';
            assertStep(step.status, step.action, {
              // A retryable error keeps the phase the resource had; before any status that is Validating.
              phase: terminal ? 'Failed' : (current?.phase ?? 'Validating'),
              action: terminal ? 'done' : expected.retry === 'after' ? 'requeue' : 'backoff',
              ready: ['False', expected.reason],
              retryable: !terminal,
            });
            if (expected.retry === 'after') assert.deepEqual(step.action, { kind: 'requeue', afterMs: expected.afterMs });
            assert.equal(step.status.lastError?.code, code);
            // One sentence, in the status and the condition alike.
            assert.ok((step.status.lastError?.message.length ?? 0) > 10);
            assert.equal(readyOf(step.status)?.message, step.status.lastError?.message);
            assert.equal(step.status.completionTime, terminal ? NOW.toISOString() : undefined);
            assert.equal(step.status.restoreRequestedAt, current && 'restoreRequestedAt' in current ? current.restoreRequestedAt : undefined);
          });
        }
      }
    }

    it('spot checks of the map: KMS, unknown codes, DescribeBackup, TagResource', () => {
      const kms = plan('Restoring without startTime', failedObservation('ValidationException', 'KMS key is disabled')).step;
      assertStep(kms.status, kms.action, failed('KMSKeyUnavailable'));
      const unknown = plan('Restoring without startTime', failedObservation(UNKNOWN_CODE)).step;
      assertStep(unknown.status, unknown.action, { phase: 'Restoring', action: 'backoff', ready: ['False', 'UnexpectedError'], retryable: true });

      const missing = plan('no status', failedObservation('BackupNotFoundException', 'Backup not found', 'DescribeBackup')).step;
      assertStep(missing.status, missing.action, failed('BackupNotFound'));
      assert.ok(readyOf(missing.status)?.message.includes(BACKUP_ARN));
      const throttled = plan('Validating', failedObservation('ThrottlingException', '', 'DescribeBackup')).step;
      assertStep(throttled.status, throttled.action, { phase: 'Validating', action: 'requeue', ready: ['False', 'Throttled'], retryable: true });
      assert.deepEqual(throttled.action, { kind: 'requeue', afterMs: 5_000 });
      const denied = plan('Validating', failedObservation('AccessDeniedException', 'not authorized', 'DescribeBackup')).step;
      assertStep(denied.status, denied.action, failed('AccessDenied'));
      assert.ok(readyOf(denied.status)?.message.includes('grant dynamodb:DescribeBackup'));

      const busy = plan('Restoring with startTime', failedObservation('ResourceInUseException', '', 'TagResource')).step;
      assertStep(busy.status, busy.action, { phase: 'Restoring', action: 'requeue', ready: ['False', 'ResourceInUse'], retryable: true });
      assert.deepEqual(busy.action, { kind: 'requeue', afterMs: 15_000 });
      const untaggable = plan('Restoring with startTime', failedObservation('AccessDeniedException', '', 'TagResource')).step;
      assertStep(untaggable.status, untaggable.action, failed('AccessDenied'));
      assert.ok(readyOf(untaggable.status)?.message.includes('grant dynamodb:TagResource'));
    });
  });

  describe('final phases', () => {
    for (const phase of FINAL) {
      it(`${phase}: done with the status unchanged, whatever the observation`, () => {
        for (const [name, observation] of ALL_OBSERVATIONS) {
          const { restore, step } = plan(phase, observation);
          assert.deepEqual(step.action, { kind: 'done' }, name);
          assert.deepStrictEqual(step.status, PHASES[phase], name);
          assert.deepStrictEqual(step.status, restore.status, name);
        }
      });
    }
  });

  describe('validating the backup', () => {
    it('is the first step once the table is claimed: phase Validating, Ready False Validating, DescribeBackup of the spec\'s backup', () => {
      const { step } = plan('no status', { kind: 'claimGranted' });
      assert.deepEqual(step.action, { kind: 'describeBackup', backupArn: BACKUP_ARN, region: 'us-east-1' });
      assert.equal(step.status.phase, 'Validating');
      const ready = readyOf(step.status);
      assert.deepEqual([ready?.status, ready?.reason, ready?.lastTransitionTime], ['False', 'Validating', NOW.toISOString()]);
      assert.ok(ready?.message.includes(BACKUP_ARN), ready?.message);
    });

    it('asks in the backup\'s own Region, not in spec.region', () => {
      const spec: DynamoDBRestoreSpec = { targetTableName: 'Music', region: 'us-east-1', source: { backupArn: EU_BACKUP_ARN }, overrides: { sse: { enabled: true } } };
      const { step } = plan('no status', { kind: 'claimGranted' }, NOW, OPTIONS, spec);
      assert.deepEqual(step.action, { kind: 'describeBackup', backupArn: EU_BACKUP_ARN, region: 'eu-west-1' });
    });

    it('looks again after BACKUP_NOT_READY_DELAY_MS while the backup is CREATING, naming the backup', () => {
      const { step } = plan('Validating', { kind: 'backupDescribed', backup: backup('CREATING') });
      assert.deepEqual(step.action, { kind: 'requeue', afterMs: BACKUP_NOT_READY_DELAY_MS });
      assert.equal(step.status.restoreRequestedAt, undefined);
      assert.equal(step.status.lastError, undefined);
      const ready = readyOf(step.status);
      assert.ok(ready?.message.includes('MusicBackup'), ready?.message);
      // Still False: the condition's transition time stays that of the first Validating.
      assert.equal(ready?.lastTransitionTime, VALIDATING_SINCE);
    });

    for (const status of ['DELETED', 'UNKNOWN']) {
      it(`fails BackupNotFound, terminally, for a backup that is ${status}`, () => {
        const { step } = plan('Validating', { kind: 'backupDescribed', backup: backup(status) });
        assertStep(step.status, step.action, failed('BackupNotFound'));
        assert.equal(step.status.restoreRequestedAt, undefined);
        assert.equal(step.status.completionTime, NOW.toISOString());
        assert.ok(readyOf(step.status)?.message.includes(status));
        assert.equal(step.status.lastError?.message, readyOf(step.status)?.message);
      });
    }

    it('requests the restore once the backup is AVAILABLE and a slot is granted, with the request built from the spec', () => {
      const { restore, step: validated } = plan('Validating', { kind: 'backupDescribed', backup: backup('AVAILABLE') });
      assert.deepEqual(validated.action, { kind: 'acquireSlot' });
      const step = planRestore(written(restore, validated), { kind: 'slotGranted' }, NOW, OPTIONS);
      assert.deepEqual(step.action, { kind: 'restoreFromBackup', request: restoreRequest(restore.spec, restore.spec.source.backupArn ?? '') });
      assert.equal(step.action.kind === 'restoreFromBackup' && step.action.request.BillingModeOverride, 'PAY_PER_REQUEST');
      const message = readyOf(step.status)?.message ?? '';
      assert.ok(message.includes('Music') && message.includes(BACKUP_ARN), message);
    });
  });

  describe('a backup in another Region', () => {
    const SSE = { enabled: true, sseType: 'KMS' as const, kmsMasterKeyId: 'alias/restores' };
    const cases: Array<[string, { region?: string; sse?: boolean; defaultRegion?: string; backupArn: string }, 'restore' | 'CrossRegionNeedsSSE']> = [
      ['spec.region differs, no sse', { region: 'us-east-1', backupArn: EU_BACKUP_ARN }, 'CrossRegionNeedsSSE'],
      ['spec.region differs, with sse', { region: 'us-east-1', sse: true, backupArn: EU_BACKUP_ARN }, 'restore'],
      ['no spec.region, the default Region differs, no sse', { defaultRegion: 'us-east-1', backupArn: EU_BACKUP_ARN }, 'CrossRegionNeedsSSE'],
      ['no spec.region, the default Region differs, with sse', { defaultRegion: 'us-east-1', sse: true, backupArn: EU_BACKUP_ARN }, 'restore'],
      ['no spec.region and no default Region: nothing to compare', { backupArn: EU_BACKUP_ARN }, 'restore'],
      ['spec.region equal, the default Region differs: spec.region wins', { region: 'eu-west-1', defaultRegion: 'us-east-1', backupArn: EU_BACKUP_ARN }, 'restore'],
      ['spec.region differs, the default Region equal: spec.region wins', { region: 'us-east-1', defaultRegion: 'eu-west-1', backupArn: EU_BACKUP_ARN }, 'CrossRegionNeedsSSE'],
      ['the same Region', { region: 'us-east-1', defaultRegion: 'us-east-1', backupArn: BACKUP_ARN }, 'restore'],
    ];
    for (const [what, c, expected] of cases) {
      it(`${what} → ${expected}`, () => {
        const spec: DynamoDBRestoreSpec = {
          targetTableName: 'Music',
          ...(c.region ? { region: c.region } : {}),
          source: { backupArn: c.backupArn },
          ...(c.sse ? { overrides: { sse: SSE } } : {}),
        };
        const options: PlanOptions = { ...OPTIONS, defaultRegion: c.defaultRegion };
        const restore = restoreWith(structuredClone(PHASES.Validating), GENERATION, spec);
        const step = throughSlot(restore, { kind: 'backupDescribed', backup: backup('AVAILABLE', c.backupArn) }, NOW, options);
        if (expected === 'restore') {
          assert.deepEqual(step.action, { kind: 'restoreFromBackup', request: restoreRequest(restore.spec, restore.spec.source.backupArn ?? '') });
          assert.equal(step.status.phase, 'Restoring');
          if (c.sse) assert.deepEqual(step.action.kind === 'restoreFromBackup' && step.action.request.SSESpecificationOverride, { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: 'alias/restores' });
          return;
        }
        assertStep(step.status, step.action, failed('CrossRegionNeedsSSE'));
        assert.equal(step.status.restoreRequestedAt, undefined);
        const message = readyOf(step.status)?.message ?? '';
        assert.ok(message.includes('eu-west-1') && message.includes('us-east-1') && message.includes('overrides.sse'), message);
      });
    }
  });

  describe('restoreRequestedAt', () => {
    it('is not written while the backup is being validated', () => {
      for (const observation of [OBSERVATIONS.nothing, OBSERVATIONS['backupDescribed CREATING'], failedObservation('ThrottlingException', '', 'DescribeBackup')]) {
        assert.equal(plan('no status', observation).step.status.restoreRequestedAt, undefined, observation.kind);
        assert.equal(plan('Validating', observation).step.status.restoreRequestedAt, undefined, observation.kind);
      }
    });

    it('is written with the restore call once the backup is AVAILABLE and a slot granted', () => {
      const step = throughSlot(restoreWith(structuredClone(PHASES.Validating)), OBSERVATIONS['backupDescribed AVAILABLE']);
      assert.equal(step.action.kind, 'restoreFromBackup');
      assert.equal(step.status.restoreRequestedAt, NOW.toISOString());
    });

    it('is set in the status of every step that calls restore, and never moved forward', () => {
      let calls = 0;
      for (const phase of NON_FINAL) {
        for (const [name, observation] of ALL_OBSERVATIONS) {
          const { step } = plan(phase, observation);
          if (step.action.kind !== 'restoreFromBackup') continue;
          calls++;
          const requestedAt = step.status.restoreRequestedAt;
          assert.ok(requestedAt !== undefined, `${phase} × ${name}: restore called without restoreRequestedAt`);
          // A retried call keeps the first moment: the first call may yet have created the table, which stays ours.
          const before = PHASES[phase];
          const first = before && 'restoreRequestedAt' in before ? before.restoreRequestedAt : undefined;
          assert.equal(requestedAt, first ?? NOW.toISOString(), `${phase} × ${name}`);
        }
      }
      assert.ok(calls >= 7, `only ${calls} steps call restore: the walk checks too little`);
    });

    it('is never changed once written, whatever the observation', () => {
      for (const phase of ['Restoring without startTime', 'Restoring with startTime'] as const) {
        for (const [name, observation] of ALL_OBSERVATIONS) {
          assert.equal(plan(phase, observation).step.status.restoreRequestedAt, REQUESTED_AT, `${phase} × ${name}`);
        }
      }
    });
  });

  describe('the restore call', () => {
    it('is made again, with the same request, when the table never appeared', () => {
      const { restore, step } = plan('Restoring without startTime', { kind: 'described', table: undefined });
      assert.deepEqual(step.action, { kind: 'restoreFromBackup', request: restoreRequest(restore.spec, restore.spec.source.backupArn ?? '') });
      assert.equal(readyOf(step.status)?.reason, 'RestoreRequested');
    });

    it('records startTime, table ARN and status from its answer', () => {
      const { step } = plan('Restoring without startTime', { kind: 'restoreStarted', table: table('CREATING') });
      assert.equal(step.status.startTime, NOW.toISOString());
      assert.equal(step.status.tableArn, TABLE_ARN);
      assert.equal(step.status.tableStatus, 'CREATING');
      assert.deepEqual(step.action, { kind: 'requeue', afterMs: OPTIONS.pollMinMs });
    });
  });

  describe('an ACTIVE table', () => {
    const OWNER_TAGS = { [OWNER_TAG]: 'team-a/music', [OWNER_UID_TAG]: 'uid-1' };

    it('is tagged with the owner tags before the restore is called Completed', () => {
      const { step } = plan('Restoring with startTime', { kind: 'described', table: OURS_ACTIVE });
      assert.deepEqual(step.action, { kind: 'tagTable', tableArn: TABLE_ARN, tags: OWNER_TAGS });
      assertStep(step.status, step.action, tagging);
      assert.equal(step.status.tableStatus, 'ACTIVE');
      assert.equal(step.status.completionTime, undefined);
      assert.equal(step.status.startTime, STARTED_AT);
    });

    it('is never tagged as ours when its TableId is not the recorded one, even restored from this backup after startTime', () => {
      const strangers: TableState[] = [FOREIGN, table('ACTIVE', { sourceBackupArn: BACKUP_ARN, restoredAt: at(STARTED_AT, 1_000) }, 'b5e3a9a0-0000-4000-8000-0000000000aa')];
      for (const found of strangers) {
        const { step } = plan('Restoring with startTime', { kind: 'described', table: found });
        assertStep(step.status, step.action, failed('TableLost'));
        assert.equal(step.status.lastError?.code, 'TableReplaced');
      }
    });

    it('without a recorded TableId (a status from before it was kept), is never tagged when DynamoDB says it was not restored from this backup', () => {
      const { tableId: _none, ...legacy } = PHASES['Restoring with startTime'];
      const strangers: TableState[] = [FOREIGN, table('ACTIVE', { sourceBackupArn: OTHER_BACKUP_ARN, restoredAt: at(STARTED_AT, 1_000) })];
      for (const found of strangers) {
        const step = planRestore(restoreWith(structuredClone(legacy)), { kind: 'described', table: found }, NOW, OPTIONS);
        assert.notEqual(step.action.kind, 'tagTable', JSON.stringify(found));
        assert.notEqual(step.status.phase, 'Completed');
      }
    });

    it('is tagged with the ARN from the restore call\'s answer', () => {
      const arn = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music2';
      const { step } = plan('Restoring without startTime', { kind: 'restoreStarted', table: { ...table('ACTIVE'), arn } });
      assert.deepEqual(step.action, { kind: 'tagTable', tableArn: arn, tags: OWNER_TAGS });
      assert.equal(step.status.tableArn, arn);
    });

    it('is tagged after adoption, with the start time and identity from its CreationDateTime and TableId', () => {
      const { step } = plan('Restoring without startTime', { kind: 'described', table: ADOPTABLE, tags: {} });
      assert.deepEqual(step.action, { kind: 'tagTable', tableArn: TABLE_ARN, tags: OWNER_TAGS });
      assert.equal(step.status.startTime, ADOPTABLE.createdAt);
      assert.equal(step.status.tableId, TABLE_ID);
      assert.equal(step.status.tableCreatedAt, ADOPTABLE.createdAt);
    });

    it('once tagged, completes: Ready True RestoreCompleted, completionTime now, lastError cleared, the rest kept', () => {
      const status = { ...PHASES['Restoring with startTime'], tableStatus: 'ACTIVE', lastError: { code: 'ResourceInUseException', message: 'Busy.', retryable: true } };
      const step = planRestore(restoreWith(structuredClone(status)), { kind: 'tagged' }, NOW, OPTIONS);
      assertStep(step.status, step.action, completed);
      assert.equal('lastError' in step.status, false);
      assert.equal(step.status.completionTime, NOW.toISOString());
      const { lastError: _cleared, ...kept } = status;
      assert.deepEqual({ ...step.status, conditions: [] }, { ...kept, source: BACKUP_ARN, phase: 'Completed', completionTime: NOW.toISOString(), conditions: [] });
      const ready = readyOf(step.status);
      assert.equal(ready?.lastTransitionTime, NOW.toISOString());
      assert.ok(ready?.message.includes('Music') && ready.message.includes(BACKUP_ARN), ready?.message);
    });
  });

  describe('adoption of a table found after a crash', () => {
    it('takes the start time from the table\'s CreationDateTime and its summary into the status', () => {
      const { step } = plan('Restoring without startTime', { kind: 'described', table: OWNED, tags: {} });
      assert.equal(step.status.startTime, OWNED.createdAt);
      assert.deepEqual(step.status.restoreSummary, OWNED.restoreSummary);
      const elapsed = NOW.getTime() - Date.parse(OWNED.createdAt ?? '');
      assert.deepEqual(step.action, { kind: 'requeue', afterMs: pollDelay(elapsed, OPTIONS) });
    });

    const notOurs: Array<[string, TableState]> = [
      ['restored from another backup', table('ACTIVE', { sourceBackupArn: OTHER_BACKUP_ARN, restoredAt: at(REQUESTED_AT, 1_000) })],
      ['restored from our backup long before we asked', table('ACTIVE', { sourceBackupArn: BACKUP_ARN, restoredAt: at(REQUESTED_AT, -OPTIONS.adoptionSkewMs - 1) })],
      ['without a restore summary', table('ACTIVE')],
      ['with a summary but no CreationDateTime', table('ACTIVE', { sourceBackupArn: BACKUP_ARN })],
    ];
    it("fails TableAlreadyExists for our backup's table made after we asked, when it carries another resource's owner-uid tag", () => {
      const { step } = plan('Restoring without startTime', { kind: 'described', table: OWNED, tags: { [OWNER_UID_TAG]: 'uid-2', [OWNER_TAG]: 'team-b/theirs' } });
      assertStep(step.status, step.action, failed('TableAlreadyExists'));
      assert.equal(step.status.tableId, undefined, 'its identity is not taken over');
    });
    for (const [what, found] of notOurs) {
      it(`fails TableAlreadyExists, touching nothing, for a table ${what}`, () => {
        const { step } = plan('Restoring without startTime', { kind: 'described', table: found, tags: {} });
        assertStep(step.status, step.action, failed('TableAlreadyExists'));
        assert.equal(step.status.lastError?.code, 'TableAlreadyExistsException');
        assert.ok(readyOf(step.status)?.message.includes('Music'));
      });
    }
  });

  describe('a whole restore, as the reconciler feeds the plan', () => {
    it('goes Validating → (slot) → Restoring (restore call) → Restoring (polling) → Restoring (tagging) → Completed', () => {
      let restore = restoreWith(undefined);
      const steps: Array<[Observation, Date, Action, Phase | undefined, string | undefined]> = [
        [{ kind: 'nothing' }, new Date(REQUESTED_AT), { kind: 'claimTable' }, undefined, undefined],
        [OBSERVATIONS.claimGranted, new Date(REQUESTED_AT), { kind: 'describeBackup', backupArn: BACKUP_ARN, region: 'us-east-1' }, 'Validating', 'Validating'],
        [OBSERVATIONS['backupDescribed AVAILABLE'], new Date(REQUESTED_AT), { kind: 'acquireSlot' }, 'Validating', 'Validating'],
        [OBSERVATIONS.slotGranted, new Date(REQUESTED_AT), { kind: 'restoreFromBackup', request: restoreRequest(SPEC, BACKUP_ARN) }, 'Restoring', 'RestoreRequested'],
        [{ kind: 'restoreStarted', table: OWNED }, new Date(STARTED_AT), { kind: 'requeue', afterMs: OPTIONS.pollMinMs }, 'Restoring', 'Restoring'],
        // The next reconcile.
        [{ kind: 'nothing' }, NOW, { kind: 'describeTable', tableName: 'Music' }, 'Restoring', 'Restoring'],
        [{ kind: 'described', table: table('ACTIVE', OWNED.restoreSummary) }, NOW, { kind: 'tagTable', tableArn: TABLE_ARN, tags: ownerTags(restore) }, 'Restoring', 'Restoring'],
        [{ kind: 'tagged' }, NOW, { kind: 'done' }, 'Completed', 'RestoreCompleted'],
      ];
      for (const [i, [observation, now, action, phase, reason]] of steps.entries()) {
        const step = planRestore(restore, observation, now, OPTIONS);
        assert.deepEqual(step.action, action, `step ${i}`);
        assert.equal(step.status.phase, phase, `step ${i}`);
        assert.equal(readyOf(step.status)?.reason, reason, `step ${i}`);
        assert.equal(step.status.restoreRequestedAt, i <= 2 ? undefined : REQUESTED_AT, `step ${i}`);
        restore = written(restore, step);
      }
      assert.equal(restore.status?.startTime, STARTED_AT);
      assert.equal(restore.status?.tableId, TABLE_ID, "the identity from our call's answer");
      assert.equal(restore.status?.completionTime, NOW.toISOString());
      assert.equal(restore.status?.tableStatus, 'ACTIVE');
    });
  });

  describe('status bookkeeping', () => {
    it('carries observedGeneration from metadata.generation into the status and the Ready condition', () => {
      const restore = restoreWith(structuredClone({ ...PHASES['Restoring with startTime'], observedGeneration: 1 }), 5);
      const step = planRestore(restore, { kind: 'described', table: table('CREATING') }, NOW, OPTIONS);
      assert.equal(step.status.observedGeneration, 5);
      assert.equal(readyOf(step.status)?.observedGeneration, 5);

      const first = planRestore(restoreWith(undefined, 7), { kind: 'claimGranted' }, NOW, OPTIONS);
      assert.equal(first.status.observedGeneration, 7);
      assert.equal(readyOf(first.status)?.observedGeneration, 7);

      const tagged = planRestore(restoreWith(structuredClone(PHASES['Restoring with startTime']), 9), { kind: 'tagged' }, NOW, OPTIONS);
      assert.equal(tagged.status.observedGeneration, 9);
      assert.equal(readyOf(tagged.status)?.observedGeneration, 9);
    });

    it('keeps Ready\'s lastTransitionTime while it stays False, even at ACTIVE, and moves it when Completed', () => {
      const creating = plan('Restoring without startTime', { kind: 'restoreStarted', table: table('CREATING') }).step;
      assert.equal(readyOf(creating.status)?.lastTransitionTime, VALIDATING_SINCE);
      const active = plan('Restoring with startTime', { kind: 'described', table: OURS_ACTIVE }).step;
      assert.equal(readyOf(active.status)?.lastTransitionTime, VALIDATING_SINCE);
      assert.equal(active.status.completionTime, undefined);
      const done = plan('Restoring with startTime', { kind: 'tagged' }).step;
      assert.equal(readyOf(done.status)?.lastTransitionTime, NOW.toISOString());
    });

    it('says how long the restore has run in the Ready message and polls at a tenth of it', () => {
      const { step } = plan('Restoring with startTime', { kind: 'described', table: table('CREATING') });
      assert.equal(readyOf(step.status)?.message, 'Table Music is CREATING (5m0s).');
      assert.deepEqual(step.action, { kind: 'requeue', afterMs: 30_000 });
    });

    it('fails with TableLost when the table disappears after the restore started', () => {
      const { step } = plan('Restoring with startTime', { kind: 'described', table: undefined });
      assert.equal(step.status.lastError?.code, 'TableNotFound');
      assert.equal(step.status.completionTime, NOW.toISOString());
    });
  });
});

describe('ownerTags', () => {
  it('names the resource as namespace/name and proves it by uid', () => {
    assert.deepEqual(ownerTags(restoreWith(undefined)), { 'dynamodb.restore.dev/owner': 'team-a/music', 'dynamodb.restore.dev/owner-uid': 'uid-1' });
    assert.equal(OWNER_TAG, 'dynamodb.restore.dev/owner');
    assert.equal(OWNER_UID_TAG, 'dynamodb.restore.dev/owner-uid');
  });

  it('cuts the name to AWS\'s 256-character tag value limit and keeps the uid whole', () => {
    const restore = restoreWith(undefined);
    restore.metadata = { ...restore.metadata, namespace: 'n'.repeat(63), name: 'm'.repeat(253), uid: '6f1c1f0e-2b5a-4f7e-9d43-0f6f3f1c2a10' };
    const tags = ownerTags(restore);
    assert.equal(tags[OWNER_TAG], `${'n'.repeat(63)}/${'m'.repeat(192)}`);
    assert.equal(tags[OWNER_UID_TAG], '6f1c1f0e-2b5a-4f7e-9d43-0f6f3f1c2a10');
    assert.deepEqual(Object.keys(tags).sort(), [OWNER_TAG, OWNER_UID_TAG].sort());
  });
});

describe('arnRegion', () => {
  const cases: Array<[string, string]> = [
    [BACKUP_ARN, 'us-east-1'],
    [EU_BACKUP_ARN, 'eu-west-1'],
    [TABLE_ARN, 'us-east-1'],
    ['arn:aws-cn:dynamodb:cn-north-1:123456789012:table/Music/backup/01489173575360-b308cd7d', 'cn-north-1'],
    ['arn:aws-us-gov:dynamodb:us-gov-west-1:123456789012:table/Music', 'us-gov-west-1'],
    ['arn:aws:dynamodb::123456789012:table/Music', ''],
    ['not-an-arn', ''],
    ['', ''],
  ];
  for (const [arn, region] of cases) {
    it(`${arn || '(empty)'} → ${region || '(empty)'}`, () => {
      assert.equal(arnRegion(arn), region);
    });
  }
});

describe('the Failed condition', () => {
  it('a terminal failure sets Failed True beside Ready False, with the same reason and sentence, at the resource generation', () => {
    const { step } = plan('Validating', { kind: 'failed', error: new AwsError('BackupNotFoundException', 'gone', 'DescribeBackup') });
    const failed = step.status.conditions?.find((c) => c.type === 'Failed');
    const ready = readyOf(step.status);
    assert.deepEqual(failed && { ...failed }, {
      type: 'Failed',
      status: 'True',
      reason: 'BackupNotFound',
      message: ready?.message,
      observedGeneration: GENERATION,
      lastTransitionTime: NOW.toISOString(),
    });
    assert.deepEqual(ready && [ready.status, ready.reason], ['False', 'BackupNotFound']);
  });

  it('no Failed condition while the restore goes on or once it completed', () => {
    for (const { step } of [plan('Validating', { kind: 'backupDescribed', backup: backup('CREATING') }), plan('Restoring with startTime', { kind: 'tagged' })]) {
      assert.equal(step.status.conditions?.some((c) => c.type === 'Failed'), false);
    }
  });
});

describe('adoptable: a table found after a crash is the lost answer to our own restore call', () => {
  const asked: DynamoDBRestoreStatus = { phase: 'Restoring', backupArn: BACKUP_ARN, restoreRequestedAt: REQUESTED_AT };
  const ours = (createdAt: string | undefined, sourceBackupArn = BACKUP_ARN): TableState => table('CREATING', { sourceBackupArn, ...(createdAt ? { restoredAt: createdAt } : {}) });
  const untagged = { team: 'a' };
  const OPTS = { adoptionSkewMs: 5_000, defaultRegion: 'us-east-1' };

  const cases: Array<[string, TableState, Record<string, string> | undefined, DynamoDBRestoreStatus, boolean]> = [
    ['our backup, created after we asked, untagged', ours(at(REQUESTED_AT, 2_000)), untagged, asked, true],
    ['our backup, created after we asked, already tagged with our uid', ours(at(REQUESTED_AT, 2_000)), { [OWNER_UID_TAG]: 'uid-1' }, asked, true],
    ['our backup, created exactly the 5 s skew before we asked', ours(at(REQUESTED_AT, -5_000)), untagged, asked, true],
    ['our backup, created 1 ms more than the skew before we asked', ours(at(REQUESTED_AT, -5_001)), untagged, asked, false],
    ['our backup, created 30 s before we asked (another restore of it)', ours(at(REQUESTED_AT, -30_000)), untagged, asked, false],
    ["our backup, after we asked, but tagged with another resource's uid", ours(at(REQUESTED_AT, 2_000)), { [OWNER_UID_TAG]: 'uid-2' }, asked, false],
    ['our backup, after we asked, with an empty owner-uid tag', ours(at(REQUESTED_AT, 2_000)), { [OWNER_UID_TAG]: '' }, asked, false],
    ['our backup, after we asked, but its tags were not read', ours(at(REQUESTED_AT, 2_000)), undefined, asked, false],
    ['another backup, after we asked', ours(at(REQUESTED_AT, 2_000), OTHER_BACKUP_ARN), untagged, asked, false],
    ['our backup, but we never asked', ours(at(REQUESTED_AT, 2_000)), untagged, { backupArn: BACKUP_ARN }, false],
    ['our backup, but our call was answered already (startTime)', ours(at(REQUESTED_AT, 2_000)), untagged, { ...asked, startTime: STARTED_AT }, false],
    ['our backup without a CreationDateTime', ours(undefined), untagged, asked, false],
    ['no restore summary', table('ACTIVE', undefined), untagged, asked, false],
  ];
  for (const [what, found, tags, status, expected] of cases) {
    it(`${what} → ${expected}`, () => {
      assert.equal(adoptable(restoreWith(status), status, found, tags, OPTS), expected);
    });
  }

  it("judges by the table's creation, not RestoreSummary.RestoreDateTime (the backup's own, older time)", () => {
    const found = ours(at(REQUESTED_AT, 2_000));
    assert.ok(Date.parse(found.restoreSummary?.restoreDateTime ?? '') < Date.parse(REQUESTED_AT) - 5_000);
    assert.equal(adoptable(restoreWith(asked), asked, found, untagged, OPTS), true);
  });

  describe('a point-in-time source matches exactly', () => {
    const byName = (sourceTableName: string, region?: string): DynamoDBRestore =>
      restoreWith(asked, GENERATION, { targetTableName: 'Music', ...(region && { region }), source: { pointInTime: { sourceTableName, useLatestRestorableTime: true } } });
    const byArn = restoreWith(asked, GENERATION, { targetTableName: 'Music', source: { pointInTime: { sourceTableArn: TABLE_ARN, useLatestRestorableTime: true } } });
    const restoredFrom = (sourceTableArn: string): TableState => ({ name: 'Music', arn: TABLE_ARN, status: 'CREATING', createdAt: at(REQUESTED_AT, 2_000), restoreSummary: { sourceTableArn } });
    const pitCases: Array<[string, DynamoDBRestore, string, boolean]> = [
      ['by name Music, restored from table/Music in the operator Region', byName('Music'), 'arn:aws:dynamodb:us-east-1:123456789012:table/Music', true],
      ['by name Music, restored from table/OldMusic (a name ending the same way)', byName('Music'), 'arn:aws:dynamodb:us-east-1:123456789012:table/OldMusic', false],
      ['by name Music, restored from table/Music2 (a name starting the same way)', byName('Music'), 'arn:aws:dynamodb:us-east-1:123456789012:table/Music2', false],
      ['by name Music in eu-west-1, restored from us-east-1 table/Music', byName('Music', 'eu-west-1'), 'arn:aws:dynamodb:us-east-1:123456789012:table/Music', false],
      ['by ARN, restored from exactly that ARN', byArn, TABLE_ARN, true],
      ['by ARN, restored from the same name in another account', byArn, 'arn:aws:dynamodb:us-east-1:210987654321:table/Music', false],
    ];
    for (const [what, r, sourceTableArn, expected] of pitCases) {
      it(`${what} → ${expected}`, () => {
        assert.equal(adoptable(r, asked, restoredFrom(sourceTableArn), untagged, OPTS), expected);
      });
    }
    it('by name Music, with no Region in the spec or the options, restored from table/Music in eu-west-1 → true (no Region to compare)', () => {
      assert.equal(adoptable(byName('Music'), asked, restoredFrom('arn:aws:dynamodb:eu-west-1:123456789012:table/Music'), untagged, { ...OPTS, defaultRegion: undefined }), true);
    });
  });
});

describe('pollDelay', () => {
  const cases: Array<[number, number]> = [
    [0, 2_000],
    [-5_000, 2_000],
    [19_000, 2_000],
    [20_000, 2_000],
    [30_000, 3_000],
    [300_000, 30_000],
    [1_200_000, 120_000],
    [5 * 3_600_000, 120_000],
  ];
  for (const [elapsed, expected] of cases) {
    it(`${elapsed} ms elapsed → ${expected} ms (min 2 s, a tenth, max 2 min)`, () => {
      assert.equal(pollDelay(elapsed, OPTIONS), expected);
    });
  }

  it('polls within the default bounds', () => {
    assert.equal(pollDelay(0, DEFAULT_PLAN_OPTIONS), DEFAULT_PLAN_OPTIONS.pollMinMs);
    assert.equal(pollDelay(Number.MAX_SAFE_INTEGER, DEFAULT_PLAN_OPTIONS), DEFAULT_PLAN_OPTIONS.pollMaxMs);
  });
});

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [999, '0s'],
    [-1_000, '0s'],
    [59_999, '59s'],
    [60_000, '1m0s'],
    [252_000, '4m12s'], // as in "Table Music is CREATING (4m12s)"
    [3_599_000, '59m59s'],
    [3_600_000, '1h0m'],
    [3_723_000, '1h2m'],
    [26 * 3_600_000, '26h0m'],
  ];
  for (const [ms, expected] of cases) {
    it(`${ms} ms → ${expected}`, () => {
      assert.equal(formatDuration(ms), expected);
    });
  }
});

describe('planRestore with DynamoDBRestorePolicies', () => {
  const policy = (name: string, spec: DynamoDBRestorePolicy['spec']): DynamoDBRestorePolicy => ({ apiVersion: 'dynamodb.restore.dev/v1alpha1', kind: 'DynamoDBRestorePolicy', metadata: { name }, spec });
  const regionsOnly = [policy('team-a', { namespaces: ['team-a'], allowedRegions: ['eu-west-1'] })];

  it('refuses a denied restore before any AWS call, saying which policy and rule', () => {
    const step = planRestore(restoreWith(undefined), { kind: 'nothing' }, NOW, { ...OPTIONS, defaultRegion: 'us-east-1' }, regionsOnly);
    assert.equal(step.action.kind, 'done');
    assert.equal(step.status.phase, 'Failed');
    assert.deepEqual(readyOf(step.status) && [readyOf(step.status)?.reason, step.status.lastError?.code, step.status.lastError?.retryable], ['PolicyDenied', 'PolicyDenied', false]);
    assert.match(readyOf(step.status)?.message ?? '', /DynamoDBRestorePolicy team-a denies this restore \(allowedRegions\): Region us-east-1 is not one of eu-west-1/);
  });

  it('lets an allowed restore go on to claim its table, and then to validate its backup', () => {
    const step = planRestore(restoreWith(undefined), { kind: 'nothing' }, NOW, { ...OPTIONS, defaultRegion: 'eu-west-1' }, regionsOnly);
    assert.deepEqual(step.action, { kind: 'claimTable' });
    assert.equal(step.status.phase, undefined);
    const next = planRestore(written(restoreWith(undefined), step), { kind: 'claimGranted' }, NOW, { ...OPTIONS, defaultRegion: 'eu-west-1' }, regionsOnly);
    assert.equal(next.action.kind, 'describeBackup');
  });

  it('default-deny: refuses, before any AWS call or claim, a restore in a namespace no policy governs, naming who can fix it', () => {
    const elsewhere = [policy('team-b', { namespaces: ['team-b'] })];
    for (const policies of [[], elsewhere]) {
      const step = planRestore(restoreWith(undefined), { kind: 'nothing' }, NOW, { ...OPTIONS, allowUngovernedNamespaces: false }, policies);
      assertStep(step.status, step.action, failed('PolicyRequired'));
      assert.equal(step.status.lastError?.code, 'PolicyRequired');
      assert.equal(
        readyOf(step.status)?.message,
        'No DynamoDBRestorePolicy governs namespace team-a, and this operator restores only in governed namespaces. ' +
          'A cluster administrator (the platform team) can create one that lists it in spec.namespaces; a team cannot.',
      );
    }
  });

  it('default-deny: a governed namespace goes on to claim its table; an ungoverned one does when the operator allows it', () => {
    const governing = [policy('teams', { namespaces: ['team-.*'] })];
    assert.deepEqual(planRestore(restoreWith(undefined), { kind: 'nothing' }, NOW, { ...OPTIONS, allowUngovernedNamespaces: false }, governing).action, { kind: 'claimTable' });
    assert.deepEqual(planRestore(restoreWith(undefined), { kind: 'nothing' }, NOW, { ...OPTIONS, allowUngovernedNamespaces: true }, []).action, { kind: 'claimTable' });
  });

  it('default-deny does not abort a restore already requested (the policy may have been deleted since)', () => {
    const step = planRestore(restoreWith(structuredClone(PHASES['Restoring with startTime'])), { kind: 'nothing' }, NOW, { ...OPTIONS, allowUngovernedNamespaces: false }, []);
    assert.equal(step.action.kind, 'describeTable');
  });

  it('does not abort a restore already requested when a policy changes later', () => {
    const step = planRestore(restoreWith(structuredClone(PHASES['Restoring with startTime'])), { kind: 'nothing' }, NOW, { ...OPTIONS, defaultRegion: 'us-east-1' }, regionsOnly);
    assert.equal(step.action.kind, 'describeTable');
  });
});

describe('planRestore with a backup looked up by name or as the latest', () => {
  const TABLE = 'Music';
  const withLookup = (backup: { backupName?: string; latest?: boolean }, status?: DynamoDBRestoreStatus): DynamoDBRestore => ({
    ...restoreWith(status),
    spec: { targetTableName: 'Music', region: 'us-east-1', source: { backup: { tableName: TABLE, ...backup } } },
  });
  const backup = (name: string, arn: string, createdAt: string, status = 'AVAILABLE', sourceTableName = TABLE) => ({ arn, name, status, sourceTableName, createdAt });
  const OLD = backup('MusicBackup', BACKUP_ARN, '2025-01-01T00:00:00Z');
  const NEW = backup('MusicBackup', OTHER_BACKUP_ARN, '2025-02-01T00:00:00Z');
  const NEWEST_CREATING = backup('MusicBackup', 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01600000000000-aaaaaaaa', '2025-03-01T00:00:00Z', 'CREATING');
  const OTHER_NAME = backup('Nightly', 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01590000000000-bbbbbbbb', '2025-02-15T00:00:00Z');
  const OTHER_TABLE = backup('MusicBackup', 'arn:aws:dynamodb:us-east-1:123456789012:table/Orders/backup/01610000000000-cccccccc', '2025-04-01T00:00:00Z', 'AVAILABLE', 'Orders');
  const LISTED: Observation = { kind: 'backupsListed', backups: [OLD, NEWEST_CREATING, NEW, OTHER_NAME, OTHER_TABLE] };

  it('lists the table\'s backups in the target Region first, saying what it looks for', () => {
    const step = planRestore(withLookup({ backupName: 'MusicBackup' }), { kind: 'claimGranted' }, NOW, OPTIONS);
    assert.deepEqual(step.action, { kind: 'listBackups', tableName: TABLE, region: 'us-east-1' });
    assert.equal(step.status.phase, 'Validating');
    assert.equal(readyOf(step.status)?.message, 'Looking for the newest AVAILABLE backup named MusicBackup of table Music.');
  });

  it('picks the newest AVAILABLE backup of that name and table, records it, and restores it', () => {
    const step = throughSlot(withLookup({ backupName: 'MusicBackup' }), LISTED);
    assert.equal(step.status.backupArn, NEW.arn);
    assert.ok(step.status.restoreRequestedAt);
    assert.deepEqual(step.action, { kind: 'restoreFromBackup', request: { TargetTableName: 'Music', BackupArn: NEW.arn } });
  });

  it('with latest: true, picks the newest AVAILABLE backup of the table whatever its name', () => {
    const step = planRestore(withLookup({ latest: true }), LISTED, NOW, OPTIONS);
    assert.equal(step.status.backupArn, OTHER_NAME.arn);
  });

  it('fails, saying what it looked for, when no AVAILABLE backup matches', () => {
    const step = planRestore(withLookup({ backupName: 'Weekly' }), LISTED, NOW, OPTIONS);
    assert.equal(step.status.phase, 'Failed');
    assert.equal(readyOf(step.status)?.reason, 'BackupNotFound');
    assert.equal(readyOf(step.status)?.message, 'No AVAILABLE backup named Weekly of table Music in us-east-1; check `aws dynamodb list-backups --table-name Music`.');
  });

  it('never looks up again once a backup was recorded: a newer one changes nothing', () => {
    const recorded = withLookup({ backupName: 'MusicBackup' }, { phase: 'Validating', observedGeneration: GENERATION, backupArn: OLD.arn });
    assert.deepEqual(planRestore(recorded, { kind: 'claimGranted' }, NOW, OPTIONS).action, { kind: 'describeBackup', backupArn: OLD.arn, region: 'us-east-1' });
    const requested = withLookup({ backupName: 'MusicBackup' }, { phase: 'Restoring', observedGeneration: GENERATION, backupArn: OLD.arn, restoreRequestedAt: REQUESTED_AT });
    const again = planRestore(requested, { kind: 'described', table: undefined }, NOW, OPTIONS);
    assert.deepEqual(again.action, { kind: 'restoreFromBackup', request: { TargetTableName: 'Music', BackupArn: OLD.arn } });
  });

  it("checks allowedSources against the backup it found, and names it by the tenant's table name only", () => {
    const policies = [{ apiVersion: 'dynamodb.restore.dev/v1alpha1', kind: 'DynamoDBRestorePolicy' as const, metadata: { name: 'p' }, spec: { namespaces: ['team-a'], allowedSources: ['.*/backup/01489173575360-.*'] } }];
    assert.equal(planRestore(withLookup({ backupName: 'MusicBackup' }), { kind: 'claimGranted' }, NOW, OPTIONS, policies).action.kind, 'listBackups');
    const step = planRestore(withLookup({ backupName: 'MusicBackup' }), LISTED, NOW, OPTIONS, policies);
    assert.equal(readyOf(step.status)?.reason, 'PolicyDenied');
    assert.equal(
      readyOf(step.status)?.message,
      'DynamoDBRestorePolicy p denies this restore (allowedSources): the backup found for table Music matches none of .*/backup/01489173575360-.*. Change the spec in a new DynamoDBRestore, or ask the platform team.',
    );
    assert.ok(!JSON.stringify(step.status).includes(NEW.arn), 'the status does not show the found backup');
  });
});

describe('planRestore for a point-in-time restore', () => {
  const SOURCE_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Music';
  const pitr = (pointInTime: NonNullable<DynamoDBRestore['spec']['source']['pointInTime']>, status?: DynamoDBRestoreStatus): DynamoDBRestore => ({
    ...restoreWith(status),
    spec: { targetTableName: 'Music-restored', region: 'us-east-1', source: { pointInTime }, overrides: { billingMode: 'PAY_PER_REQUEST' } },
  });
  const ENABLED: Observation = { kind: 'continuousBackupsDescribed', pitr: { status: 'ENABLED', earliest: '2025-03-01T00:00:00.000Z', latest: '2025-03-01T09:55:00.000Z' } };

  it("checks the source table's point-in-time recovery first, in the source's Region", () => {
    assert.deepEqual(planRestore(pitr({ sourceTableArn: SOURCE_ARN, useLatestRestorableTime: true }), { kind: 'claimGranted' }, NOW, OPTIONS).action, {
      kind: 'describeContinuousBackups',
      table: SOURCE_ARN,
      region: 'eu-west-1',
    });
    assert.deepEqual(planRestore(pitr({ sourceTableName: 'Music', useLatestRestorableTime: true }), { kind: 'claimGranted' }, NOW, OPTIONS).action, {
      kind: 'describeContinuousBackups',
      table: 'Music',
      region: 'us-east-1',
    });
  });

  it('restores to the latest restorable time with exactly the CLI\'s fields', () => {
    const step = throughSlot(pitr({ sourceTableName: 'Music', useLatestRestorableTime: true }), ENABLED);
    assert.deepEqual(step.action, {
      kind: 'restoreToPointInTime',
      request: { TargetTableName: 'Music-restored', SourceTableName: 'Music', UseLatestRestorableTime: true, BillingModeOverride: 'PAY_PER_REQUEST' },
    });
    assert.ok(step.status.restoreRequestedAt);
    assert.equal(readyOf(step.status)?.message, 'Restoring table Music-restored from table Music as of the latest restorable time.');
  });

  it('restores to a moment inside the window, and refuses one outside it', () => {
    const inside = throughSlot(pitr({ sourceTableArn: SOURCE_ARN, restoreDateTime: '2025-03-01T08:00:00.000Z' }), ENABLED);
    assert.deepEqual(inside.action, {
      kind: 'restoreToPointInTime',
      request: { TargetTableName: 'Music-restored', SourceTableArn: SOURCE_ARN, RestoreDateTime: '2025-03-01T08:00:00.000Z', BillingModeOverride: 'PAY_PER_REQUEST' },
    });
    for (const at of ['2025-02-28T23:59:59.000Z', '2025-03-01T09:56:00.000Z']) {
      const outside = planRestore(pitr({ sourceTableArn: SOURCE_ARN, restoreDateTime: at }), ENABLED, NOW, OPTIONS);
      assert.equal(outside.status.phase, 'Failed');
      assert.equal(readyOf(outside.status)?.reason, 'InvalidRestoreTime');
      assert.match(readyOf(outside.status)?.message ?? '', /can be restored to a moment between 2025-03-01T00:00:00.000Z and 2025-03-01T09:55:00.000Z, not/);
    }
  });

  it('fails when point-in-time recovery is not enabled on the source', () => {
    const step = planRestore(pitr({ sourceTableName: 'Music', useLatestRestorableTime: true }), { kind: 'continuousBackupsDescribed', pitr: { status: 'DISABLED' } }, NOW, OPTIONS);
    assert.equal(readyOf(step.status)?.reason, 'PointInTimeRecoveryUnavailable');
    assert.equal(step.status.lastError?.code, 'PointInTimeRecoveryUnavailableException');
  });

  it('adopts after a crash only a table restored from exactly its source table and created after the request', () => {
    const requested = pitr({ sourceTableName: 'Music', useLatestRestorableTime: true }, { phase: 'Restoring', observedGeneration: GENERATION, restoreRequestedAt: REQUESTED_AT });
    const restored = (sourceTableArn: string, createdAt: string): TableState => ({ name: 'Music-restored', arn: TABLE_ARN, status: 'ACTIVE', createdAt, restoreSummary: { sourceTableArn, restoreDateTime: BACKUP_TIME } });
    const ours = planRestore(requested, { kind: 'described', table: restored('arn:aws:dynamodb:us-east-1:123456789012:table/Music', at(REQUESTED_AT, 1_000)), tags: {} }, NOW, OPTIONS);
    assert.equal(ours.action.kind, 'tagTable');
    for (const other of ['Orders', 'OldMusic', 'team-x.Music']) {
      const step = planRestore(requested, { kind: 'described', table: restored(`arn:aws:dynamodb:us-east-1:123456789012:table/${other}`, at(REQUESTED_AT, 1_000)), tags: {} }, NOW, OPTIONS);
      assert.equal(readyOf(step.status)?.reason, 'TableAlreadyExists', other);
    }
  });
});

describe('planRestore: Configuring (spec.tableSettings)', () => {
  const WITH_SETTINGS: DynamoDBRestoreSpec = { ...SPEC, tableSettings: { tags: { team: 'a' }, timeToLive: { attributeName: 'expiresAt' }, deletionProtection: true } };
  const configuringPlan = (observation: Observation, status: DynamoDBRestoreStatus = PHASES.Configuring) =>
    planRestore(restoreWith(structuredClone(status), GENERATION, WITH_SETTINGS), observation, NOW, OPTIONS);
  const seen = (extra: Record<string, unknown> = {}, tableExtra: Partial<TableState> = {}): Observation => ({
    kind: 'settingsDescribed',
    settings: { table: { ...OURS_ACTIVE, ...tableExtra }, tags: {}, timeToLive: { status: 'DISABLED' }, ...extra },
  });

  it('once tagged, enters Configuring and reads back what the settings need', () => {
    const step = planRestore(restoreWith(structuredClone(PHASES['Restoring with startTime']), GENERATION, WITH_SETTINGS), { kind: 'tagged' }, NOW, OPTIONS);
    assertStep(step.status, step.action, configuring);
    assert.deepEqual(step.action, { kind: 'describeSettings', tableName: 'Music', read: ['tags', 'timeToLive'] });
  });

  it('a reconcile that finds Configuring reads back again (no restore call, no re-tagging)', () => {
    assert.deepEqual(configuringPlan({ kind: 'nothing' }).action, { kind: 'describeSettings', tableName: 'Music', read: ['tags', 'timeToLive'] });
  });

  it('changes the first setting not in place, recording those that are', () => {
    const step = configuringPlan(seen({ tags: { team: 'a' } }));
    assert.deepEqual(step.action, { kind: 'changeSetting', tableName: 'Music', tableArn: TABLE_ARN, change: { setting: 'timeToLive', attributeName: 'expiresAt' } });
    assert.deepEqual(step.status.appliedSettings, ['tags']);
    assert.equal(readyOf(step.status)?.message, 'Applying tableSettings.timeToLive (1 of 3 tableSettings in place).');
  });

  it('after a change, reads back rather than assuming it took', () => {
    assert.equal(configuringPlan({ kind: 'settingChanged', setting: 'tags' }).action.kind, 'describeSettings');
  });

  it('completes only when every setting reads back in place, naming them', () => {
    const step = configuringPlan(seen({ tags: { team: 'a' }, timeToLive: { status: 'ENABLED', attributeName: 'expiresAt' } }, { deletionProtection: true }));
    assertStep(step.status, step.action, completed);
    assert.deepEqual(step.status.appliedSettings, ['tags', 'timeToLive', 'deletionProtection']);
    assert.match(readyOf(step.status)?.message ?? '', /tableSettings applied: tags, timeToLive, deletionProtection\.$/);
  });

  it('waits while the table is UPDATING from an earlier change', () => {
    const step = configuringPlan(seen({ tags: { team: 'a' } }, { status: 'UPDATING' }));
    assert.deepEqual(step.action, { kind: 'requeue', afterMs: 5_000 });
    assert.equal(step.status.phase, 'Configuring');
    assert.equal(step.status.tableStatus, 'UPDATING');
  });

  it('fails, table left as it is, when a setting was made otherwise by someone else', () => {
    const step = configuringPlan(seen({ tags: { team: 'a' }, timeToLive: { status: 'ENABLED', attributeName: 'ttl' } }));
    assertStep(step.status, step.action, failed('SettingConflict'));
    assert.match(step.status.lastError?.message ?? '', /tableSettings\.timeToLive cannot be applied: time to live is on attribute ttl, not expiresAt/);
  });

  it('fails TableLost when the table is gone', () => {
    const step = configuringPlan({ kind: 'settingsDescribed', settings: undefined });
    assertStep(step.status, step.action, failed('TableLost'));
  });

  it('a setting call\'s error is judged by the one map and keeps the phase', () => {
    const busy = configuringPlan(failedObservation('ContinuousBackupsUnavailableException', '', 'UpdateContinuousBackups'));
    assertStep(busy.status, busy.action, { phase: 'Configuring', action: 'requeue', ready: ['False', 'ContinuousBackupsUnavailable'], retryable: true });
    const denied = configuringPlan(failedObservation('AccessDeniedException', '', 'UpdateTimeToLive'));
    assertStep(denied.status, denied.action, failed('AccessDenied'));
    assert.match(denied.status.lastError?.message ?? '', /grant dynamodb:UpdateTimeToLive/);
  });

  it('status.source names the point in time for a point-in-time restore', () => {
    const pit: DynamoDBRestoreSpec = { targetTableName: 'Music', source: { pointInTime: { sourceTableName: 'Music', useLatestRestorableTime: true } } };
    const step = planRestore(restoreWith(undefined, GENERATION, pit), { kind: 'claimGranted' }, NOW, OPTIONS);
    assert.equal(step.status.source, 'Music@latest');
  });
});

describe('planRestore: waiting for a restore slot (Queued)', () => {
  const queuedAnswer: Observation = { kind: 'slotQueued', position: 7, inUse: 50, capacity: 50 };

  it('queues with its position, the slots in use and the Region, looking again after QUEUED_RECHECK_MS', () => {
    const step = planRestore(restoreWith(structuredClone(PHASES.Validating)), queuedAnswer, NOW, OPTIONS);
    assert.equal(step.status.phase, 'Queued');
    assert.equal(step.status.queuePosition, 7);
    assert.equal(step.status.restoreRequestedAt, undefined);
    assert.deepEqual(step.action, { kind: 'requeue', afterMs: QUEUED_RECHECK_MS });
    assert.equal(
      readyOf(step.status)?.message,
      'Waiting for a restore slot in us-east-1: 50 of 50 restores are in progress; this one is number 7 in the queue (served in turn across namespaces).',
    );
  });

  it('a moving position keeps the Ready reason and its transition time (no event per move)', () => {
    const step = planRestore(restoreWith(structuredClone(PHASES.Queued)), queuedAnswer, NOW, OPTIONS);
    assert.equal(readyOf(step.status)?.lastTransitionTime, VALIDATING_SINCE);
    assert.equal(step.status.queuePosition, 7);
  });

  it('once granted, restores and drops the position', () => {
    const step = planRestore(restoreWith(structuredClone(PHASES.Queued)), { kind: 'slotGranted' }, NOW, OPTIONS);
    assert.equal(step.action.kind, 'restoreFromBackup');
    assert.equal('queuePosition' in step.status, false);
    assert.equal(step.status.restoreRequestedAt, NOW.toISOString());
  });

  it('a policy that now denies ends the wait before any AWS call', () => {
    const policies = [{ apiVersion: 'dynamodb.restore.dev/v1alpha1', kind: 'DynamoDBRestorePolicy' as const, metadata: { name: 'p' }, spec: { namespaces: ['team-a'], allowedRegions: ['eu-west-1'] } }];
    const step = planRestore(restoreWith(structuredClone(PHASES.Queued)), { kind: 'nothing' }, NOW, OPTIONS, policies);
    assert.equal(readyOf(step.status)?.reason, 'PolicyDenied');
    assert.equal(step.status.phase, 'Failed');
  });
});
