// The pure core with spec.source.recoveryPoint: every phase a recovery point restore can be in × every observation,
// the expected step written down; then the request's fields, and the sentences of the recovery point's refusals and
// the job's failures.
import assert from 'node:assert/strict';
import type { Condition, DynamoDBRestore, DynamoDBRestoreSpec, DynamoDBRestoreStatus, Phase } from '../../../src/api/dynamodb-restore.ts';
import { AwsError, type TableState } from '../../../src/aws/dynamodb-port.ts';
import { planRestore } from '../../../src/restore/restore-plan.ts';
import type { Action, Observation, PlanOptions } from '../../../src/restore/restore-vocabulary.ts';

const RECOVERY_POINT = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';
const ROLE = 'arn:aws:iam::123456789012:role/aws-backup-restore';
const VAULT = 'team-a-vault';
const TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Music';
const TABLE_ID = 'b5e3a9a0-0000-4000-8000-000000000001';
const JOB = 'A7F5C1B2-0000-4000-8000-000000000001';
const UID = 'uid-1';
const GENERATION = 2;
const OPTIONS: PlanOptions = { pollMinMs: 2_000, pollMaxMs: 120_000, adoptionSkewMs: 5_000, defaultRegion: 'us-east-1', allowUngovernedNamespaces: true };
const REQUESTED_AT = '2025-03-01T10:00:00.000Z';
const STARTED_AT = '2025-03-01T10:00:01.000Z';
const NOW = new Date('2025-03-01T10:05:01.000Z');

const SPEC: DynamoDBRestoreSpec = { targetTableName: 'Music', region: 'eu-west-1', source: { recoveryPoint: { recoveryPointArn: RECOVERY_POINT, backupVaultName: VAULT, iamRoleArn: ROLE } } };

const condition = (status: 'True' | 'False', reason: string): Condition => ({
  type: 'Ready',
  status,
  reason,
  message: `${reason}.`,
  lastTransitionTime: REQUESTED_AT,
  observedGeneration: GENERATION,
});

function restoreWith(status: DynamoDBRestoreStatus | undefined): DynamoDBRestore {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { name: 'music', namespace: 'team-a', uid: UID, generation: GENERATION, resourceVersion: '7' },
    spec: structuredClone(SPEC),
    ...(status && { status }),
  };
}

const requested = { observedGeneration: GENERATION, source: RECOVERY_POINT, restoreRequestedAt: REQUESTED_AT };
const PHASES = {
  'no status': undefined,
  Queued: { observedGeneration: GENERATION, source: RECOVERY_POINT, phase: 'Queued', queuePosition: 2, conditions: [condition('False', 'Queued')] },
  'Restoring, no job recorded': { ...requested, phase: 'Restoring', conditions: [condition('False', 'RestoreRequested')] },
  'Restoring, job RUNNING': { ...requested, phase: 'Restoring', restoreJobId: JOB, restoreJobStatus: 'RUNNING', startTime: STARTED_AT, conditions: [condition('False', 'Restoring')] },
  'Restoring, job COMPLETED': {
    ...requested,
    phase: 'Restoring',
    restoreJobId: JOB,
    restoreJobStatus: 'COMPLETED',
    startTime: STARTED_AT,
    tableArn: TABLE_ARN,
    conditions: [condition('False', 'Restoring')],
  },
  'Restoring, table recorded': {
    ...requested,
    phase: 'Restoring',
    restoreJobId: JOB,
    restoreJobStatus: 'COMPLETED',
    startTime: STARTED_AT,
    tableArn: TABLE_ARN,
    tableId: TABLE_ID,
    tableStatus: 'CREATING',
    conditions: [condition('False', 'Restoring')],
  },
  Configuring: {
    ...requested,
    phase: 'Configuring',
    restoreJobId: JOB,
    restoreJobStatus: 'COMPLETED',
    startTime: STARTED_AT,
    tableArn: TABLE_ARN,
    tableId: TABLE_ID,
    tableStatus: 'ACTIVE',
    conditions: [condition('False', 'Configuring')],
  },
  Completed: { ...requested, phase: 'Completed', restoreJobId: JOB, tableId: TABLE_ID, completionTime: STARTED_AT, conditions: [condition('True', 'RestoreCompleted')] },
  Failed: { ...requested, phase: 'Failed', completionTime: STARTED_AT, conditions: [condition('False', 'RestoreJobFailed')] },
} satisfies Record<string, DynamoDBRestoreStatus | undefined>;
type PhaseName = keyof typeof PHASES;

const table = (status: string, id = TABLE_ID): TableState => ({ name: 'Music', arn: TABLE_ARN, id, status, createdAt: STARTED_AT });
const point = (status: string, resourceType = 'DynamoDB', statusMessage?: string): Observation => ({
  kind: 'recoveryPointDescribed',
  recoveryPoint: { arn: RECOVERY_POINT, backupVaultName: VAULT, status, resourceType, ...(statusMessage !== undefined && { statusMessage }) },
});
const job = (status: string, extra: { createdResourceArn?: string; statusMessage?: string } = {}): Observation => ({ kind: 'restoreJobDescribed', job: { id: JOB, status, ...extra } });

const OBSERVATIONS = {
  nothing: { kind: 'nothing' },
  claimGranted: { kind: 'claimGranted' },
  slotGranted: { kind: 'slotGranted' },
  'point COMPLETED': point('COMPLETED'),
  'point AVAILABLE': point('AVAILABLE'),
  'point CREATING': point('CREATING'),
  'point EXPIRED': point('EXPIRED'),
  'point of an EBS volume': point('COMPLETED', 'EBS'),
  slotQueued: { kind: 'slotQueued', position: 3, inUse: 50, capacity: 50 },
  restoreJobStarted: { kind: 'restoreJobStarted', restoreJobId: JOB },
  'job PENDING': job('PENDING'),
  'job RUNNING': job('RUNNING'),
  'job COMPLETED, our table': job('COMPLETED', { createdResourceArn: TABLE_ARN }),
  'job COMPLETED, another table': job('COMPLETED', { createdResourceArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/Other' }),
  'job FAILED': job('FAILED', { statusMessage: 'Table already exists: Music' }),
  'job ABORTED': job('ABORTED', { statusMessage: 'Aborted by a user' }),
  'described ACTIVE': { kind: 'described', table: table('ACTIVE') },
  'described CREATING': { kind: 'described', table: table('CREATING') },
  'described replaced': { kind: 'described', table: table('ACTIVE', 'b5e3a9a0-0000-4000-8000-00000000f0e1') },
  'described undefined': { kind: 'described', table: undefined },
  tagged: { kind: 'tagged' },
  'DescribeRecoveryPoint ResourceNotFoundException': { kind: 'failed', error: new AwsError('ResourceNotFoundException', 'Recovery point not found.', 'DescribeRecoveryPoint') },
  'StartRestoreJob ResourceNotFoundException': { kind: 'failed', error: new AwsError('ResourceNotFoundException', 'Recovery point not found.', 'StartRestoreJob') },
  'DescribeRestoreJob ServiceUnavailableException': { kind: 'failed', error: new AwsError('ServiceUnavailableException', 'Try again.', 'DescribeRestoreJob') },
} satisfies Record<string, Observation>;
type ObservationName = keyof typeof OBSERVATIONS;

interface Expected {
  phase: Phase | undefined;
  action: Action['kind'];
  /** The Ready condition's reason; undefined: none. */
  reason: string | undefined;
}

const e = (phase: Phase | undefined, action: Action['kind'], reason: string | undefined): Expected => ({ phase, action, reason });
const startingJob = e('Restoring', 'startRestoreJob', 'RestoreRequested');
const failed = (reason: string) => e('Failed', 'done', reason);
const notFound = failed('RecoveryPointNotFound');
const unavailable = (phase: Phase | undefined) => e(phase, 'backoff', 'AWSInternalError');
const notRestorable = failed('RecoveryPointNotRestorable');
/** A recovery point's answer once the restore is asked for: no news, the stage goes on as with nothing. */
const pointAnswers = (follow: Expected) => ({
  'point COMPLETED': follow,
  'point AVAILABLE': follow,
  'point CREATING': follow,
  'point EXPIRED': follow,
  'point of an EBS volume': follow,
});

/** Before the restore is asked for: the validating steps; a restoring answer is no news (nothing: claim the name). */
const validating = (phase: Phase | undefined, reason: string | undefined): Record<ObservationName, Expected> => ({
  nothing: e(phase, 'claimTable', reason),
  // The name is ours: the recovery point is checked in its vault (once: a Queued resource was checked before queueing).
  claimGranted: phase === 'Queued' ? e(phase, 'acquireSlot', reason) : e('Validating', 'describeRecoveryPoint', 'Validating'),
  slotGranted: startingJob,
  'point COMPLETED': e(phase, 'acquireSlot', reason),
  'point AVAILABLE': e(phase, 'acquireSlot', reason),
  'point CREATING': e('Validating', 'requeue', 'BackupNotReady'),
  'point EXPIRED': notRestorable,
  'point of an EBS volume': notRestorable,
  slotQueued: e('Queued', 'requeue', 'Queued'),
  restoreJobStarted: e(phase, 'claimTable', reason),
  'job PENDING': e(phase, 'claimTable', reason),
  'job RUNNING': e(phase, 'claimTable', reason),
  'job COMPLETED, our table': e(phase, 'claimTable', reason),
  'job COMPLETED, another table': e(phase, 'claimTable', reason),
  'job FAILED': e(phase, 'claimTable', reason),
  'job ABORTED': e(phase, 'claimTable', reason),
  'described ACTIVE': e(phase, 'claimTable', reason),
  'described CREATING': e(phase, 'claimTable', reason),
  'described replaced': e(phase, 'claimTable', reason),
  'described undefined': e(phase, 'claimTable', reason),
  tagged: e(phase, 'claimTable', reason),
  'DescribeRecoveryPoint ResourceNotFoundException': notFound,
  'StartRestoreJob ResourceNotFoundException': notFound,
  // A retryable error before any phase is written reads as Validating.
  'DescribeRestoreJob ServiceUnavailableException': unavailable(phase ?? 'Validating'),
});

/** The job's answers, judged the same in every restoring phase. */
const JOB_ANSWERS = {
  restoreJobStarted: e('Restoring', 'describeRestoreJob', 'RestoreRequested'),
  'job PENDING': e('Restoring', 'requeue', 'Restoring'),
  'job RUNNING': e('Restoring', 'requeue', 'Restoring'),
  'job COMPLETED, our table': e('Restoring', 'describeTable', 'Restoring'),
  'job COMPLETED, another table': failed('RestoreJobFailed'),
  'job FAILED': failed('RestoreJobFailed'),
  'job ABORTED': failed('RestoreJobFailed'),
  'DescribeRecoveryPoint ResourceNotFoundException': notFound,
  'StartRestoreJob ResourceNotFoundException': notFound,
  'DescribeRestoreJob ServiceUnavailableException': unavailable('Restoring'),
} as const;

/** Before the job has reported its table: a table of the name is no news, so the job is followed as with nothing. */
const beforeTheTable = (follow: Expected): Record<ObservationName, Expected> => ({
  nothing: follow,
  claimGranted: follow,
  slotGranted: follow,
  slotQueued: follow,
  ...pointAnswers(follow),
  ...JOB_ANSWERS,
  'described ACTIVE': follow,
  'described CREATING': follow,
  'described replaced': follow,
  'described undefined': follow,
  tagged: e('Completed', 'done', 'RestoreCompleted'),
});

const EXPECTED: Record<PhaseName, Record<ObservationName, Expected>> = {
  'no status': validating(undefined, undefined),
  Queued: validating('Queued', 'Queued'),
  'Restoring, no job recorded': beforeTheTable(startingJob),
  'Restoring, job RUNNING': { ...beforeTheTable(e('Restoring', 'describeRestoreJob', 'Restoring')), restoreJobStarted: e('Restoring', 'describeRestoreJob', 'Restoring') },
  'Restoring, job COMPLETED': {
    ...beforeTheTable(e('Restoring', 'describeTable', 'Restoring')),
    restoreJobStarted: e('Restoring', 'describeRestoreJob', 'Restoring'),
    // The first look at the job's table records its identity.
    'described ACTIVE': e('Restoring', 'tagTable', 'Restoring'),
    'described CREATING': e('Restoring', 'requeue', 'Restoring'),
    'described replaced': e('Restoring', 'tagTable', 'Restoring'),
    'described undefined': failed('TableLost'),
  },
  'Restoring, table recorded': {
    ...beforeTheTable(e('Restoring', 'describeTable', 'Restoring')),
    restoreJobStarted: e('Restoring', 'describeRestoreJob', 'Restoring'),
    'described ACTIVE': e('Restoring', 'tagTable', 'Restoring'),
    'described CREATING': e('Restoring', 'requeue', 'Restoring'),
    'described replaced': failed('TableLost'),
    'described undefined': failed('TableLost'),
  },
  // Configuring: the job and the claim are behind it; a stray table or tag answer takes the restoring path's reading.
  Configuring: {
    nothing: e('Configuring', 'describeSettings', 'Configuring'),
    claimGranted: e('Configuring', 'describeSettings', 'Configuring'),
    slotGranted: e('Configuring', 'describeSettings', 'Configuring'),
    slotQueued: e('Configuring', 'describeSettings', 'Configuring'),
    ...pointAnswers(e('Configuring', 'describeSettings', 'Configuring')),
    restoreJobStarted: e('Configuring', 'describeSettings', 'Configuring'),
    'job PENDING': e('Configuring', 'describeSettings', 'Configuring'),
    'job RUNNING': e('Configuring', 'describeSettings', 'Configuring'),
    'job COMPLETED, our table': e('Configuring', 'describeSettings', 'Configuring'),
    'job COMPLETED, another table': e('Configuring', 'describeSettings', 'Configuring'),
    'job FAILED': e('Configuring', 'describeSettings', 'Configuring'),
    'job ABORTED': e('Configuring', 'describeSettings', 'Configuring'),
    'described ACTIVE': e('Restoring', 'tagTable', 'Restoring'),
    'described CREATING': e('Restoring', 'requeue', 'Restoring'),
    'described replaced': failed('TableLost'),
    'described undefined': failed('TableLost'),
    tagged: e('Completed', 'done', 'RestoreCompleted'),
    'DescribeRecoveryPoint ResourceNotFoundException': notFound,
    'StartRestoreJob ResourceNotFoundException': notFound,
    'DescribeRestoreJob ServiceUnavailableException': unavailable('Configuring'),
  },
  Completed: Object.fromEntries(Object.keys(OBSERVATIONS).map((o) => [o, e('Completed', 'done', 'RestoreCompleted')])) as Record<ObservationName, Expected>,
  Failed: Object.fromEntries(Object.keys(OBSERVATIONS).map((o) => [o, e('Failed', 'done', 'RestoreJobFailed')])) as Record<ObservationName, Expected>,
};

describe('planRestore with source.recoveryPoint: every phase × every observation', () => {
  for (const [phase, status] of Object.entries(PHASES) as Array<[PhaseName, DynamoDBRestoreStatus | undefined]>) {
    for (const [name, observation] of Object.entries(OBSERVATIONS) as Array<[ObservationName, Observation]>) {
      const expected = EXPECTED[phase][name];
      it(`${phase} + ${name} → ${expected.action}, phase ${expected.phase ?? 'none'}, reason ${expected.reason ?? 'none'}`, () => {
        const step = planRestore(restoreWith(structuredClone(status)), observation, NOW, OPTIONS);
        const ready = step.status.conditions?.find((c) => c.type === 'Ready');
        assert.deepEqual({ phase: step.status.phase, action: step.action.kind, reason: ready?.reason }, expected);
      });
    }
  }
});

describe('planRestore with source.recoveryPoint: what it asks and records', () => {
  it('asks AWS Backup for exactly the documented StartRestoreJob fields: the recovery point, the role, a token from the uid, ResourceType DynamoDB, targetTableName', () => {
    const step = planRestore(restoreWith(undefined), { kind: 'slotGranted' }, NOW, OPTIONS);
    assert.deepEqual(step.action, {
      kind: 'startRestoreJob',
      request: {
        RecoveryPointArn: RECOVERY_POINT,
        IamRoleArn: ROLE,
        IdempotencyToken: 'dynamodb-restore-uid-1',
        ResourceType: 'DynamoDB',
        Metadata: { targetTableName: 'Music' },
      },
    });
    assert.equal(step.status.restoreRequestedAt, NOW.toISOString(), 'the moment of asking is written before the call');
  });

  it('checks the recovery point in the named vault once the name is claimed: DescribeRecoveryPoint(vault, ARN), saying so', () => {
    const step = planRestore(restoreWith(undefined), { kind: 'claimGranted' }, NOW, OPTIONS);
    assert.deepEqual(step.action, { kind: 'describeRecoveryPoint', backupVaultName: VAULT, recoveryPointArn: RECOVERY_POINT });
    assert.equal(step.status.conditions?.find((c) => c.type === 'Ready')?.message, `Checking recovery point ${RECOVERY_POINT} in backup vault team-a-vault.`);
  });

  it('looks at a recovery point still CREATING again after 30 s, keeping the reason between looks', () => {
    const step = planRestore(restoreWith(undefined), point('CREATING'), NOW, OPTIONS);
    assert.deepEqual(step.action, { kind: 'requeue', afterMs: 30_000 });
    assert.equal(step.status.conditions?.find((c) => c.type === 'Ready')?.message, `Recovery point ${RECOVERY_POINT} in backup vault team-a-vault is still being created; the operator looks again in 30s.`);
    const again = planRestore(restoreWith(step.status), { kind: 'claimGranted' }, NOW, OPTIONS);
    assert.deepEqual([again.action.kind, again.status.conditions?.find((c) => c.type === 'Ready')?.reason], ['describeRecoveryPoint', 'BackupNotReady']);
  });

  const refusals = [
    [
      point('EXPIRED', 'DynamoDB', 'Retention period passed'),
      'RecoveryPointNotAvailable',
      `Recovery point ${RECOVERY_POINT} in backup vault team-a-vault is EXPIRED (Retention period passed), not COMPLETED or AVAILABLE; choose another recovery point in a new DynamoDBRestore.`,
    ],
    [point('PARTIAL'), 'RecoveryPointNotAvailable', `Recovery point ${RECOVERY_POINT} in backup vault team-a-vault is PARTIAL, not COMPLETED or AVAILABLE; choose another recovery point in a new DynamoDBRestore.`],
    [
      point('COMPLETED', 'EBS'),
      'RecoveryPointNotDynamoDB',
      `Recovery point ${RECOVERY_POINT} in backup vault team-a-vault is a backup of resource type EBS, not of a DynamoDB table; choose a DynamoDB recovery point in a new DynamoDBRestore.`,
    ],
  ] as const;
  for (const [observation, code, message] of refusals) {
    it(`refuses a recovery point as ${code} (${observation.kind === 'recoveryPointDescribed' ? `${observation.recoveryPoint.status} ${observation.recoveryPoint.resourceType ?? ''}` : ''}) before any restore job, saying why`, () => {
      const step = planRestore(restoreWith(undefined), observation, NOW, OPTIONS);
      assert.deepEqual(step.status.lastError, { code, message, retryable: false });
      assert.deepEqual([step.status.phase, step.action.kind, step.status.restoreRequestedAt], ['Failed', 'done', undefined]);
      assert.equal(step.status.conditions?.find((c) => c.type === 'Failed')?.reason, 'RecoveryPointNotRestorable');
    });
  }

  it("records the job's id (and the start) before asking about it", () => {
    const step = planRestore(restoreWith(PHASES['Restoring, no job recorded']), { kind: 'restoreJobStarted', restoreJobId: JOB }, NOW, OPTIONS);
    assert.deepEqual([step.status.restoreJobId, step.status.startTime, step.action], [JOB, NOW.toISOString(), { kind: 'describeRestoreJob', restoreJobId: JOB }]);
  });

  it("records the table the completed job names, then that table's TableId at the first look", () => {
    const completed = planRestore(restoreWith(PHASES['Restoring, job RUNNING']), job('COMPLETED', { createdResourceArn: TABLE_ARN }), NOW, OPTIONS);
    assert.deepEqual([completed.status.restoreJobStatus, completed.status.tableArn, completed.status.tableId], ['COMPLETED', TABLE_ARN, undefined]);
    const looked = planRestore(restoreWith(completed.status), { kind: 'described', table: table('ACTIVE') }, NOW, OPTIONS);
    assert.deepEqual([looked.status.tableId, looked.status.tableCreatedAt, looked.action.kind], [TABLE_ID, STARTED_AT, 'tagTable']);
  });

  it('says how long the job has run while it is RUNNING, and looks again at a tenth of that', () => {
    const step = planRestore(restoreWith(PHASES['Restoring, job RUNNING']), job('RUNNING'), NOW, OPTIONS);
    assert.equal(step.status.conditions?.find((c) => c.type === 'Ready')?.message, `AWS Backup restore job ${JOB} is RUNNING (5m0s).`);
    assert.deepEqual(step.action, { kind: 'requeue', afterMs: 30_000 });
  });

  const endings = [
    [
      job('FAILED', { statusMessage: 'Table already exists: Music' }),
      'RestoreJobFailed',
      `AWS Backup restore job ${JOB} of recovery point ${RECOVERY_POINT} ended FAILED: Table already exists: Music. Fix what it names, then create a new DynamoDBRestore; a table Music that this job did not create is left untouched.`,
    ],
    [
      job('ABORTED'),
      'RestoreJobAborted',
      `AWS Backup restore job ${JOB} of recovery point ${RECOVERY_POINT} ended ABORTED: AWS Backup gave no status message. Fix what it names, then create a new DynamoDBRestore; a table Music that this job did not create is left untouched.`,
    ],
    [
      job('COMPLETED', { createdResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music' }),
      'RestoreJobCreatedOtherResource',
      `AWS Backup restore job ${JOB} completed but reports creating arn:aws:dynamodb:us-east-1:123456789012:table/Music, not table Music in eu-west-1; no table is adopted.`,
    ],
    [
      job('COMPLETED', { createdResourceArn: 'arn:aws:backup:eu-west-1:123456789012:table/Music' }),
      'RestoreJobCreatedOtherResource',
      `AWS Backup restore job ${JOB} completed but reports creating arn:aws:backup:eu-west-1:123456789012:table/Music, not table Music in eu-west-1; no table is adopted.`,
    ],
    [
      // CreatedResourceArn is optional in DescribeRestoreJob's answer.
      job('COMPLETED'),
      'RestoreJobCreatedOtherResource',
      `AWS Backup restore job ${JOB} completed but reports creating nothing, not table Music in eu-west-1; no table is adopted.`,
    ],
  ] as const;
  for (const [observation, code, message] of endings) {
    it(`ends ${code} with a sentence that says what AWS Backup reported`, () => {
      const step = planRestore(restoreWith(PHASES['Restoring, job RUNNING']), observation, NOW, OPTIONS);
      assert.deepEqual(step.status.lastError, { code, message, retryable: false });
      assert.equal(step.status.conditions?.find((c) => c.type === 'Failed')?.reason, 'RestoreJobFailed');
    });
  }

  it("says the completed job's table is being checked, and looks at it", () => {
    const step = planRestore(restoreWith(PHASES['Restoring, job RUNNING']), job('COMPLETED', { createdResourceArn: TABLE_ARN }), NOW, OPTIONS);
    assert.equal(step.status.conditions?.find((c) => c.type === 'Ready')?.message, `AWS Backup restore job ${JOB} completed; checking table Music.`);
    assert.deepEqual(step.action, { kind: 'describeTable', tableName: 'Music' });
  });

  it("never adopts a table of the name whose ARN is not the one the completed job reported (another account's): TableNotFound, saying which job and ARN", () => {
    const elsewhere = { ...table('ACTIVE'), arn: 'arn:aws:dynamodb:eu-west-1:999999999999:table/Music' };
    const step = planRestore(restoreWith(PHASES['Restoring, job COMPLETED']), { kind: 'described', table: elsewhere }, NOW, OPTIONS);
    assert.deepEqual(step.status.lastError, {
      code: 'TableNotFound',
      message:
        `Table Music, which AWS Backup restore job ${JOB} reported creating (${TABLE_ARN}), does not exist any more; ` +
        'nothing else of that name is adopted. Create a new DynamoDBRestore to try again.',
      retryable: false,
    });
    assert.equal(step.status.tableId, undefined);
  });

  it('says "(none stated)" for a recovery point whose resource type AWS Backup leaves out, and starts no job', () => {
    const untyped: Observation = { kind: 'recoveryPointDescribed', recoveryPoint: { arn: RECOVERY_POINT, backupVaultName: VAULT, status: 'COMPLETED' } };
    const step = planRestore(restoreWith(undefined), untyped, NOW, OPTIONS);
    assert.equal(step.status.lastError?.code, 'RecoveryPointNotDynamoDB');
    assert.match(step.status.lastError?.message ?? '', /is a backup of resource type \(none stated\), not of a DynamoDB table;/);
  });
});
