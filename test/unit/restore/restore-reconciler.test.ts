// The reconciler against in-memory fakes of the apiserver (optimistic locking), DynamoDB and the event sink: every
// status write and every DynamoDB call lands in one log, so the order in which they happen is what is asserted.
import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import winston, { type Logger } from 'winston';
import type { Condition, DynamoDBRestore, DynamoDBRestoreSpec, DynamoDBRestoreStatus } from '../../../src/api/dynamodb-restore.ts';
import {
  AwsError,
  type BackupState,
  type DynamoDBPort,
  type PointInTimeRecovery,
  type RestoreFromBackupRequest,
  type SettingChange,
  type TableState,
  type TimeToLive,
} from '../../../src/aws/dynamodb-port.ts';
import type { BackupPort, RestoreJobRequest } from '../../../src/aws/backup-port.ts';
import { classifyError } from '../../../src/restore/restore-errors.ts';
import { OWNER_TAG, OWNER_UID_TAG } from '../../../src/restore/restore-ownership.ts';
import { pollDelay } from '../../../src/restore/restore-plan.ts';
import type { PlanOptions } from '../../../src/restore/restore-vocabulary.ts';
import { restoreReconciler, type RestoreReconcilerDeps, type RestoreStore } from '../../../src/restore/restore-reconciler.ts';
import { RestoreReservations } from '../../../src/restore/restore-slots.ts';
import { restoreRequest } from '../../../src/restore/restore-request.ts';
import { ConflictError } from '../../../src/runtime/custom-objects.ts';
import type { EventSink, EventType } from '../../../src/runtime/event-recorder.ts';

const ACCOUNT = '123456789012';
const BACKUP_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Music/backup/01489173575360-b308cd7d`;
const EU_BACKUP_ARN = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/Music/backup/01489173575360-b308cd7d`;
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Music`;
const KEY = 'team-a/music';
const UID = '0c6f5a0e-9d1b-4c3e-8a57-2f4b1d9e7c11';
const T0 = new Date('2026-11-20T10:00:00.000Z');
const OPTIONS: PlanOptions = { pollMinMs: 2_000, pollMaxMs: 120_000, adoptionSkewMs: 5_000, defaultRegion: 'us-east-1', allowUngovernedNamespaces: true };
const SPEC: DynamoDBRestoreSpec = { targetTableName: 'Music', region: 'us-east-1', source: { backupArn: BACKUP_ARN }, overrides: { billingMode: 'PAY_PER_REQUEST' } };
const OWNER_TAGS = { [OWNER_TAG]: KEY, [OWNER_UID_TAG]: UID };

const silent = winston.createLogger({ silent: true });
/** AWS Backup for the restores from a backup or a point in time, which never ask for it. */
const noBackup = (): never => {
  throw new Error('AWS Backup is not used by this test');
};
const clone = <T>(value: T): T => structuredClone(value);

function newRestore(spec: DynamoDBRestoreSpec = SPEC, status?: DynamoDBRestoreStatus): DynamoDBRestore {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { name: 'music', namespace: 'team-a', uid: UID, generation: 1, resourceVersion: '1' },
    spec: clone(spec),
    ...(status ? { status: clone(status) } : {}),
  };
}

/** One thing that happened, in the order it happened: a store operation or a DynamoDB call. */
type Entry =
  | { op: 'write'; asOf: string; resourceVersion: string; status: DynamoDBRestoreStatus }
  | { op: 'conflict'; asOf: string; status: DynamoDBRestoreStatus }
  | { op: 'fresh'; found: DynamoDBRestore | undefined }
  | { op: 'describeBackup'; region: string | undefined; backupArn: string }
  | { op: 'listBackups'; region: string | undefined; tableName: string }
  | { op: 'restoreTableFromBackup'; region: string | undefined; request: RestoreFromBackupRequest }
  | { op: 'describeTable'; region: string | undefined; tableName: string }
  | { op: 'tagResource'; region: string | undefined; resourceArn: string; tags: Record<string, string> }
  | { op: 'listTags'; region: string | undefined; resourceArn: string }
  | { op: 'describeTimeToLive'; region: string | undefined; tableName: string }
  | { op: 'describeContinuousBackups'; region: string | undefined; tableName: string }
  | { op: 'changeSetting'; region: string | undefined; tableName: string; change: SettingChange }
  | { op: 'deleteTable'; region: string | undefined; tableName: string }
  | { op: 'finalizer'; present: boolean; finalizers: string[] };

type DynamoDBOp =
  | 'describeBackup'
  | 'listBackups'
  | 'restoreTableFromBackup'
  | 'describeTable'
  | 'tagResource'
  | 'listTags'
  | 'describeTimeToLive'
  | 'describeContinuousBackups'
  | 'changeSetting'
  | 'deleteTable';
const DYNAMODB_OPS: ReadonlySet<Entry['op']> = new Set<DynamoDBOp>([
  'describeBackup',
  'listBackups',
  'restoreTableFromBackup',
  'describeTable',
  'tagResource',
  'listTags',
  'describeTimeToLive',
  'describeContinuousBackups',
  'changeSetting',
  'deleteTable',
]);
const MUTATING_OPS: ReadonlySet<Entry['op']> = new Set<DynamoDBOp>(['restoreTableFromBackup', 'tagResource', 'changeSetting', 'deleteTable']);

const readyOf = (status: DynamoDBRestoreStatus | undefined): Condition | undefined => status?.conditions?.find((c) => c.type === 'Ready');

/** A log entry in a word: `write <phase>/<Ready reason>`, `<call>@<region>`, `conflict`, `fresh`. */
function brief(entry: Entry): string {
  switch (entry.op) {
    case 'write':
      return `write ${entry.status.phase ?? '-'}/${readyOf(entry.status)?.reason ?? '-'}`;
    case 'conflict':
    case 'fresh':
      return entry.op;
    case 'finalizer':
      return `finalizer ${entry.present ? '+' : '-'}`;
    case 'changeSetting':
      return `changeSetting ${entry.change.setting}@${entry.region ?? 'default'}`;
    default:
      return `${entry.op}@${entry.region ?? 'default'}`;
  }
}

/** The apiserver, with the status subresource's optimistic locking, and an informer cache that lags until synced. */
class FakeStore implements RestoreStore {
  server: DynamoDBRestore | undefined;
  cache: DynamoDBRestore | undefined;
  private injectedConflicts: Array<(status: DynamoDBRestoreStatus) => boolean> = [];

  constructor(
    private readonly log: Entry[],
    initial: DynamoDBRestore | undefined,
  ) {
    this.server = clone(initial);
    this.cache = clone(initial);
  }

  /** The next write whose status matches throws ConflictError, once, whatever its resourceVersion. */
  conflictOnce(when: (status: DynamoDBRestoreStatus) => boolean = () => true): void {
    this.injectedConflicts.push(when);
  }

  /** Another writer (a second replica): the apiserver's object moves on, the cache does not know yet. */
  writeBySomeoneElse(status: DynamoDBRestoreStatus): void {
    assert.ok(this.server);
    this.server = { ...this.server, metadata: { ...this.server.metadata, resourceVersion: bump(this.server.metadata.resourceVersion) }, status: clone(status) };
  }

  /** The informer catches up. */
  sync(): void {
    this.cache = clone(this.server);
  }

  cached(key: string): DynamoDBRestore | undefined {
    assert.equal(key, KEY);
    return clone(this.cache);
  }

  fresh(key: string): Promise<DynamoDBRestore | undefined> {
    assert.equal(key, KEY);
    this.log.push({ op: 'fresh', found: clone(this.server) });
    return Promise.resolve(clone(this.server));
  }

  writeStatus(restore: DynamoDBRestore, status: DynamoDBRestoreStatus): Promise<DynamoDBRestore> {
    const asOf = restore.metadata.resourceVersion;
    const injected = this.injectedConflicts.findIndex((when) => when(status));
    if (injected >= 0 || !this.server || asOf !== this.server.metadata.resourceVersion) {
      if (injected >= 0) this.injectedConflicts.splice(injected, 1);
      this.log.push({ op: 'conflict', asOf, status: clone(status) });
      return Promise.reject(new ConflictError(KEY));
    }
    // The status subresource: only status changes, and the object gets a new resourceVersion.
    const resourceVersion = bump(asOf);
    this.server = { ...this.server, metadata: { ...this.server.metadata, resourceVersion }, status: clone(status) };
    this.log.push({ op: 'write', asOf, resourceVersion, status: clone(status) });
    return Promise.resolve(clone(this.server));
  }

  /** Like the JSON Patch: another's finalizers stay; an object changed since it was read is a conflict. */
  setFinalizer(restore: DynamoDBRestore, finalizer: string, present: boolean): Promise<DynamoDBRestore | undefined> {
    if (!this.server) return Promise.resolve(undefined);
    if (restore.metadata.resourceVersion !== this.server.metadata.resourceVersion) {
      this.log.push({ op: 'conflict', asOf: restore.metadata.resourceVersion, status: clone(restore.status ?? {}) });
      return Promise.reject(new ConflictError(KEY));
    }
    const others = (this.server.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    const finalizers = present ? [...others, finalizer] : others;
    this.log.push({ op: 'finalizer', present, finalizers: [...finalizers] });
    // The last finalizer of an object being deleted gone: the apiserver deletes it.
    if (finalizers.length === 0 && this.server.metadata.deletionTimestamp) {
      this.server = undefined;
      return Promise.resolve(undefined);
    }
    this.server = { ...this.server, metadata: { ...this.server.metadata, finalizers, resourceVersion: bump(this.server.metadata.resourceVersion) } };
    return Promise.resolve(clone(this.server));
  }
}

/** The backup's own time, which RestoreSummary.RestoreDateTime reports for a restore from a backup. */
const BACKUP_TIME = '2017-03-10T18:19:35.360Z';
const bump = (resourceVersion: string) => String(Number(resourceVersion) + 1);

interface Answers {
  describeBackup: BackupState;
  listBackups: BackupState[];
  restoreTableFromBackup: TableState;
  describeTable: TableState | undefined;
  tagResource: undefined;
  listTags: Record<string, string>;
  describeTimeToLive: TimeToLive;
  describeContinuousBackups: PointInTimeRecovery;
  changeSetting: undefined;
  deleteTable: undefined;
}

interface FakeTable extends TableState {
  region: string;
  tags: Record<string, string>;
  ttl?: TimeToLive;
  pitr?: boolean;
}

/**
 * One AWS account: backups, tables, and what each call does to them. A scripted answer (or AwsError) for a call
 * takes precedence over the simulation, once. Every call moves the clock on by a second, as a real call takes time.
 */
class FakeDynamoDB {
  readonly backups = new Map<string, BackupState>();
  readonly tables = new Map<string, FakeTable>();
  /** Runs at the start of a call, before it is answered: another actor's doing while the call is in flight. */
  beforeCall?: (op: DynamoDBOp) => void;
  private tablesMade = 0;
  private readonly scripts: { [M in DynamoDBOp]: Array<Answers[M] | AwsError> } = {
    describeBackup: [],
    listBackups: [],
    restoreTableFromBackup: [],
    describeTable: [],
    tagResource: [],
    listTags: [],
    describeTimeToLive: [],
    describeContinuousBackups: [],
    changeSetting: [],
    deleteTable: [],
  };

  constructor(
    private readonly log: Entry[],
    private readonly clock: { now: Date },
  ) {}

  script<M extends DynamoDBOp>(op: M, ...answers: Array<Answers[M] | AwsError>): void {
    (this.scripts[op] as Array<Answers[M] | AwsError>).push(...answers);
  }

  /** Every restore in progress finishes. */
  finishRestores(): void {
    for (const t of this.tables.values()) {
      if (t.status !== 'CREATING') continue;
      t.status = 'ACTIVE';
      if (t.restoreSummary) t.restoreSummary = { ...t.restoreSummary, restoreInProgress: false };
    }
  }

  port(region: string | undefined): DynamoDBPort {
    return {
      describeBackup: (backupArn) =>
        this.call('describeBackup', { op: 'describeBackup', region, backupArn }, () => {
          const backup = this.backups.get(backupArn);
          if (!backup) throw new AwsError('BackupNotFoundException', `Backup not found: ${backupArn}`, 'DescribeBackup');
          return clone(backup);
        }),
      restoreTableToPointInTime: () => Promise.reject(new Error('not used by these tests')),
      describeContinuousBackups: (tableName) =>
        this.call('describeContinuousBackups', { op: 'describeContinuousBackups', region, tableName }, () => ({
          status: this.table(tableName, 'DescribeContinuousBackups').pitr ? 'ENABLED' : 'DISABLED',
        })),
      listTags: (resourceArn) =>
        this.call('listTags', { op: 'listTags', region, resourceArn }, () => {
          const found = [...this.tables.values()].find((t) => t.arn === resourceArn);
          if (!found) throw new AwsError('ResourceNotFoundException', `Requested resource not found: ${resourceArn}`, 'ListTagsOfResource');
          return clone(found.tags);
        }),
      describeTimeToLive: (tableName) =>
        this.call('describeTimeToLive', { op: 'describeTimeToLive', region, tableName }, () => clone(this.table(tableName, 'DescribeTimeToLive').ttl ?? { status: 'DISABLED' })),
      changeSetting: (tableName, _tableArn, change) =>
        this.call('changeSetting', { op: 'changeSetting', region, tableName, change: clone(change) }, () => {
          const t = this.table(tableName, 'UpdateTable');
          if (t.status !== 'ACTIVE') throw new AwsError('ResourceInUseException', `Table is ${t.status}: ${tableName}`, 'UpdateTable');
          if (change.setting === 'tags') Object.assign(t.tags, change.tags);
          if (change.setting === 'timeToLive') t.ttl = { status: 'ENABLED', attributeName: change.attributeName };
          if (change.setting === 'stream') t.streamViewType = change.viewType;
          if (change.setting === 'pointInTimeRecovery') t.pitr = change.enabled;
          if (change.setting === 'deletionProtection') t.deletionProtection = change.enabled;
          return undefined;
        }),
      deleteTable: (tableName) =>
        this.call('deleteTable', { op: 'deleteTable', region, tableName }, () => {
          const t = this.tables.get(tableName);
          if (!t) return undefined;
          if (t.status !== 'ACTIVE') throw new AwsError('ResourceInUseException', `Table is ${t.status}: ${tableName}`, 'DeleteTable');
          if (t.deletionProtection) throw new AwsError('ValidationException', 'Resource cannot be deleted as it is currently protected against deletion.', 'DeleteTable');
          this.tables.delete(tableName);
          return undefined;
        }),
      listBackups: (tableName) =>
        this.call('listBackups', { op: 'listBackups', region, tableName }, () =>
          [...this.backups.values()].filter((b) => b.sourceTableName === tableName).map(clone),
        ),
      restoreTableFromBackup: (request) =>
        this.call('restoreTableFromBackup', { op: 'restoreTableFromBackup', region, request: clone(request) }, () => {
          const name = request.TargetTableName;
          if (this.tables.has(name)) throw new AwsError('TableAlreadyExistsException', `Table already exists: ${name}`, 'RestoreTableFromBackup');
          const created: FakeTable = {
            name,
            arn: `arn:aws:dynamodb:${region ?? 'us-east-1'}:${ACCOUNT}:table/${name}`,
            // Unique to each table made, as DynamoDB's TableId is.
            id: `table-id-${++this.tablesMade}`,
            status: 'CREATING',
            createdAt: this.clock.now.toISOString(),
            // As DynamoDB reports it: the backup's own (older) time, not the restore's.
            restoreSummary: { sourceBackupArn: request.BackupArn, restoreDateTime: BACKUP_TIME, restoreInProgress: true },
            region: region ?? 'us-east-1',
            tags: {},
          };
          this.tables.set(name, created);
          return tableState(created);
        }),
      describeTable: (tableName) =>
        this.call('describeTable', { op: 'describeTable', region, tableName }, () => {
          const found = this.tables.get(tableName);
          return found && tableState(found);
        }),
      tagResource: (resourceArn, tags) =>
        this.call('tagResource', { op: 'tagResource', region, resourceArn, tags: clone(tags) }, () => {
          const found = [...this.tables.values()].find((t) => t.arn === resourceArn);
          if (!found) throw new AwsError('ResourceNotFoundException', `Requested resource not found: ${resourceArn}`, 'TagResource');
          Object.assign(found.tags, tags);
          return undefined;
        }),
    };
  }

  private table(name: string, operation: string): FakeTable {
    const t = this.tables.get(name);
    if (!t) throw new AwsError('ResourceNotFoundException', `Requested resource not found: Table: ${name} not found`, operation);
    return t;
  }

  private call<M extends DynamoDBOp>(op: M, entry: Entry, simulate: () => Answers[M]): Promise<Answers[M]> {
    this.log.push(entry);
    this.beforeCall?.(op);
    const queue = this.scripts[op] as Array<Answers[M] | AwsError>;
    try {
      if (queue.length > 0) {
        const answer = queue.shift() as Answers[M] | AwsError;
        if (answer instanceof AwsError) throw answer;
        return Promise.resolve(clone(answer));
      }
      return Promise.resolve(simulate());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.clock.now = new Date(this.clock.now.getTime() + 1_000);
    }
  }
}

function tableState(t: FakeTable): TableState {
  return clone({
    name: t.name,
    arn: t.arn,
    ...(t.id ? { id: t.id } : {}),
    status: t.status,
    ...(t.createdAt ? { createdAt: t.createdAt } : {}),
    ...(t.restoreSummary ? { restoreSummary: t.restoreSummary } : {}),
    ...(t.streamViewType ? { streamViewType: t.streamViewType } : {}),
    ...(t.deletionProtection !== undefined ? { deletionProtection: t.deletionProtection } : {}),
  });
}

interface RecordedEvent {
  type: EventType;
  reason: string;
  message: string;
  /** The object the event is about, as it was when emitted. */
  resourceVersion: string | undefined;
  uid: string | undefined;
}

class RecordingEvents implements EventSink {
  readonly events: RecordedEvent[] = [];
  emit(obj: KubernetesObject, type: EventType, reason: string, message: string): Promise<void> {
    this.events.push({ type, reason, message, resourceVersion: obj.metadata?.resourceVersion, uid: obj.metadata?.uid });
    return Promise.resolve();
  }
}

function harness(start: DynamoDBRestore | 'absent' = newRestore(), extra: Partial<RestoreReconcilerDeps> = {}) {
  const initial = start === 'absent' ? undefined : start;
  const log: Entry[] = [];
  const clock = { now: new Date(T0) };
  const store = new FakeStore(log, initial);
  const aws = new FakeDynamoDB(log, clock);
  const events = new RecordingEvents();
  const regions: Array<string | undefined> = [];
  aws.backups.set(BACKUP_ARN, { arn: BACKUP_ARN, name: 'MusicBackup', status: 'AVAILABLE', sourceTableName: 'Music' });
  aws.backups.set(EU_BACKUP_ARN, { arn: EU_BACKUP_ARN, name: 'MusicBackupEU', status: 'AVAILABLE', sourceTableName: 'Music' });
  const reconcile = restoreReconciler({
    store,
    dynamodb: (region) => {
      regions.push(region);
      return aws.port(region);
    },
    backup: noBackup,
    events,
    now: () => clock.now,
    options: OPTIONS,
    ...extra,
  });
  return {
    log,
    clock,
    store,
    aws,
    events,
    regions,
    run: (logger: Logger = silent) => reconcile(KEY, logger),
    /** The log since `from`, in words. */
    sequence: (from = 0) => log.slice(from).map(brief),
    writes: (from = 0) => log.slice(from).filter((e): e is Extract<Entry, { op: 'write' }> => e.op === 'write'),
    advance: (ms: number) => (clock.now = new Date(clock.now.getTime() + ms)),
  };
}

/**
 * The reconciler's safety rule, checked over a whole log: a restore call is made only while the apiserver is known
 * to hold restoreRequestedAt for the object being acted on — after our successful write of it, or after a fresh read
 * that found it — never after a conflict that left the object in doubt.
 */
function assertRestoreCallsGuarded(log: readonly Entry[], initial: DynamoDBRestore | undefined): void {
  let persisted = initial?.status?.restoreRequestedAt !== undefined;
  for (const [i, entry] of log.entries()) {
    if (entry.op === 'write') persisted = entry.status.restoreRequestedAt !== undefined;
    else if (entry.op === 'conflict') persisted = false;
    else if (entry.op === 'fresh') persisted = entry.found?.status?.restoreRequestedAt !== undefined;
    else if (entry.op === 'restoreTableFromBackup') assert.ok(persisted, `restore call at ${i} without a persisted restoreRequestedAt: ${log.map(brief).join(', ')}`);
  }
}

describe('restoreReconciler', () => {
  describe('a new resource, from start to Completed', () => {
    it('validates, records restoreRequestedAt, restores, then polls, tags and completes', async () => {
      const h = harness();
      const result = await h.run();

      assert.deepEqual(h.sequence(), [
        'finalizer +',
        'write Validating/Validating',
        'describeBackup@us-east-1',
        'write Restoring/RestoreRequested',
        'restoreTableFromBackup@us-east-1',
        'write Restoring/Restoring',
      ]);
      assert.deepEqual(result, { requeueAfterMs: OPTIONS.pollMinMs });

      const [validating, requested, started] = h.writes();
      assert.ok(validating && requested && started);
      assert.equal(validating.status.restoreRequestedAt, undefined);
      assert.equal(validating.status.observedGeneration, 1);
      assert.equal(validating.status.backupArn, BACKUP_ARN);
      // Each write is as of the object the previous one returned (the finalizer patch made version 2): no conflict, no re-read.
      assert.deepEqual(h.writes().map((w) => [w.asOf, w.resourceVersion]), [['2', '3'], ['3', '4'], ['4', '5']]);
      // Asked for at T0 + 1 s (DescribeBackup took a second); the restore call was made at that moment.
      assert.equal(requested.status.restoreRequestedAt, '2026-11-20T10:00:01.000Z');
      const call = h.log.find((e) => e.op === 'restoreTableFromBackup');
      assert.deepEqual(call?.op === 'restoreTableFromBackup' && call.request, restoreRequest(SPEC, BACKUP_ARN));
      assert.equal(started.status.tableStatus, 'CREATING');
      assert.equal(started.status.tableArn, TABLE_ARN);
      assert.equal(started.status.startTime, '2026-11-20T10:00:02.000Z');
      assert.equal(started.status.restoreRequestedAt, requested.status.restoreRequestedAt);
      assert.equal(h.store.server?.status?.phase, 'Restoring');

      // The restore finishes; the next reconcile sees the object as written.
      h.aws.finishRestores();
      h.store.sync();
      h.advance(600_000);
      const mark = h.log.length;
      const second = await h.run();

      assert.deepEqual(h.sequence(mark), ['describeTable@us-east-1', 'write Restoring/Restoring', 'tagResource@us-east-1', 'write Completed/RestoreCompleted', 'finalizer -']);
      assert.deepEqual(second, {});
      const tag = h.log.find((e) => e.op === 'tagResource');
      assert.deepEqual(tag?.op === 'tagResource' && [tag.resourceArn, tag.tags], [TABLE_ARN, OWNER_TAGS]);
      assert.deepEqual(h.aws.tables.get('Music')?.tags, OWNER_TAGS);

      const [active, done] = h.writes(mark);
      assert.equal(active?.status.tableStatus, 'ACTIVE');
      assert.equal(active?.status.completionTime, undefined);
      assert.equal(done?.status.phase, 'Completed');
      assert.equal(done?.status.completionTime, h.clock.now.toISOString());
      assert.deepEqual([readyOf(done?.status)?.status, readyOf(done?.status)?.reason], ['True', 'RestoreCompleted']);
      assert.equal(done?.status.startTime, started.status.startTime);
      assert.equal(done?.status.restoreRequestedAt, requested.status.restoreRequestedAt);
      assertRestoreCallsGuarded(h.log, newRestore());
    });

    it('writes restoreRequestedAt strictly before the restore call, and no later than the call is made', async () => {
      const h = harness();
      await h.run();
      const writeAt = h.log.findIndex((e) => e.op === 'write' && e.status.restoreRequestedAt !== undefined);
      const callAt = h.log.findIndex((e) => e.op === 'restoreTableFromBackup');
      assert.ok(writeAt >= 0 && callAt >= 0);
      assert.ok(writeAt < callAt, `write at ${writeAt}, restore call at ${callAt}`);
      // Nothing between the write and the call: no other write, no re-read.
      assert.equal(callAt, writeAt + 1);
      // The table AWS creates is created at or after restoreRequestedAt: provably ours after a crash.
      const requestedAt = h.store.server?.status?.restoreRequestedAt ?? '';
      const restoredAt = h.aws.tables.get('Music')?.createdAt ?? '';
      assert.ok(Date.parse(restoredAt) >= Date.parse(requestedAt), `${restoredAt} < ${requestedAt}`);
    });

    it('polls a table still CREATING without an event, at a tenth of the time elapsed', async () => {
      const h = harness();
      await h.run();
      h.store.sync();
      h.advance(300_000);
      const mark = h.log.length;
      const eventsBefore = h.events.events.length;
      const result = await h.run();
      assert.deepEqual(h.sequence(mark), ['describeTable@us-east-1', 'write Restoring/Restoring']);
      // Planned once DescribeTable answered: 301 s after startTime.
      const started = Date.parse(h.store.server?.status?.startTime ?? '');
      assert.equal(h.clock.now.getTime() - started, 301_000);
      assert.deepEqual(result, { requeueAfterMs: pollDelay(301_000, OPTIONS) });
      assert.equal(result.requeueAfterMs, 30_100);
      assert.equal(h.events.events.length, eventsBefore, 'a new Ready message with the same reason is no event');
    });
  });

  describe('status conflicts', () => {
    it('re-reads after a conflict on the restoreRequestedAt write and makes no restore call with the stale object', async () => {
      const h = harness();
      h.store.conflictOnce((status) => status.restoreRequestedAt !== undefined);
      const result = await h.run();

      assert.deepEqual(h.sequence(), [
        'finalizer +',
        'write Validating/Validating',
        'describeBackup@us-east-1',
        'conflict',
        'fresh',
        'describeBackup@us-east-1',
        'write Restoring/RestoreRequested',
        'restoreTableFromBackup@us-east-1',
        'write Restoring/Restoring',
      ]);
      assert.deepEqual(result, { requeueAfterMs: OPTIONS.pollMinMs });
      assert.equal(h.log.filter((e) => e.op === 'restoreTableFromBackup').length, 1);
      assertRestoreCallsGuarded(h.log, newRestore());
    });

    it('adopts the table when the fresh object already has restoreRequestedAt and the table proves ours', async () => {
      const h = harness();
      // While our DescribeBackup is in flight, another replica records restoreRequestedAt and makes the restore call.
      h.aws.beforeCall = (op) => {
        if (op !== 'describeBackup') return;
        h.aws.beforeCall = undefined;
        const requestedAt = h.clock.now.toISOString();
        h.store.writeBySomeoneElse({ ...h.store.server?.status, phase: 'Restoring', restoreRequestedAt: requestedAt });
        h.aws.tables.set('Music', {
          name: 'Music',
          arn: TABLE_ARN,
          status: 'CREATING',
          createdAt: new Date(h.clock.now.getTime() + 500).toISOString(),
          restoreSummary: { sourceBackupArn: BACKUP_ARN, restoreDateTime: BACKUP_TIME, restoreInProgress: true },
          region: 'us-east-1',
          tags: {},
        });
      };
      const result = await h.run();

      assert.deepEqual(h.sequence(), [
        'finalizer +',
        'write Validating/Validating',
        'describeBackup@us-east-1',
        'conflict',
        'fresh',
        'describeTable@us-east-1',
        'listTags@us-east-1',
        'write Restoring/Restoring',
      ]);
      assert.equal(h.log.filter((e) => MUTATING_OPS.has(e.op)).length, 0, 'no restore call, no tag');
      const adopted = h.store.server?.status;
      assert.equal(adopted?.startTime, h.aws.tables.get('Music')?.createdAt);
      assert.equal(adopted?.tableArn, TABLE_ARN);
      assert.equal(adopted?.tableStatus, 'CREATING');
      assert.ok(result.requeueAfterMs !== undefined && result.requeueAfterMs >= OPTIONS.pollMinMs);
      // The conflicting write was ours as of the stale version; the adopting one as of the other replica's.
      const conflict = h.log.find((e) => e.op === 'conflict');
      assert.deepEqual(conflict?.op === 'conflict' && [conflict.asOf, conflict.status.restoreRequestedAt !== undefined], ['3', true]);
      assert.equal(h.writes()[1]?.asOf, '4');
      assertRestoreCallsGuarded(h.log, newRestore());
    });

    it('adopts, tags and completes a table already ACTIVE found after a conflict', async () => {
      const h = harness();
      h.aws.beforeCall = (op) => {
        if (op !== 'describeBackup') return;
        h.aws.beforeCall = undefined;
        h.store.writeBySomeoneElse({ ...h.store.server?.status, phase: 'Restoring', restoreRequestedAt: h.clock.now.toISOString() });
        h.aws.tables.set('Music', {
          name: 'Music',
          arn: TABLE_ARN,
          status: 'ACTIVE',
          createdAt: h.clock.now.toISOString(),
          restoreSummary: { sourceBackupArn: BACKUP_ARN, restoreDateTime: BACKUP_TIME, restoreInProgress: false },
          region: 'us-east-1',
          tags: {},
        });
      };
      const result = await h.run();
      assert.deepEqual(h.sequence(), [
        'finalizer +',
        'write Validating/Validating',
        'describeBackup@us-east-1',
        'conflict',
        'fresh',
        'describeTable@us-east-1',
        'listTags@us-east-1',
        'write Restoring/Restoring',
        'tagResource@us-east-1',
        'write Completed/RestoreCompleted',
        'finalizer -',
      ]);
      assert.deepEqual(result, {});
      assert.deepEqual(h.aws.tables.get('Music')?.tags, OWNER_TAGS);
    });

    it('a stale cache at the next reconcile costs a re-read, not a second restore call', async () => {
      const h = harness();
      await h.run();
      // The informer has not seen any of our writes yet.
      const mark = h.log.length;
      await h.run();
      assert.deepEqual(h.sequence(mark), ['conflict', 'fresh', 'describeTable@us-east-1', 'write Restoring/Restoring']);
      assert.equal(h.log.filter((e) => e.op === 'restoreTableFromBackup').length, 1);
      assertRestoreCallsGuarded(h.log, newRestore());
    });

    it('stops, without calling AWS again, when the fresh object is final', async () => {
      const h = harness();
      h.aws.beforeCall = () => {
        h.aws.beforeCall = undefined;
        h.store.writeBySomeoneElse({ phase: 'Failed', observedGeneration: 1, conditions: [] });
      };
      const result = await h.run();
      assert.deepEqual(h.sequence(), ['finalizer +', 'write Validating/Validating', 'describeBackup@us-east-1', 'conflict', 'fresh', 'finalizer -']);
      assert.deepEqual(result, {});
    });

    it('gives up with the ConflictError when every write conflicts', async () => {
      const h = harness();
      for (let i = 0; i < 20; i++) h.store.conflictOnce();
      await assert.rejects(h.run(), ConflictError);
      assert.equal(h.log.filter((e) => DYNAMODB_OPS.has(e.op)).length, 0);
    });
  });

  describe('final resources', () => {
    const finals: Array<[string, DynamoDBRestoreStatus]> = [
      ['Completed', { phase: 'Completed', observedGeneration: 1, restoreRequestedAt: T0.toISOString(), startTime: T0.toISOString(), completionTime: T0.toISOString(), tableArn: TABLE_ARN, tableStatus: 'ACTIVE' }],
      ['Failed', { phase: 'Failed', observedGeneration: 1, completionTime: T0.toISOString(), lastError: { code: 'BackupNotFoundException', message: 'Gone.', retryable: false } }],
    ];
    for (const [phase, status] of finals) {
      it(`${phase}: no DynamoDB call, no write, no event`, async () => {
        const h = harness(newRestore(SPEC, status));
        assert.deepEqual(await h.run(), {});
        assert.deepEqual(h.log, []);
        assert.deepEqual(h.regions, []);
        assert.deepEqual(h.events.events, []);
        assert.deepEqual(h.store.server?.status, status);
      });
    }

    it('Completed, then its deletionPolicy edited (generation 2): one status write acknowledging generation 2 in the status and every condition, no DynamoDB call, no event', async () => {
      const ready = { type: 'Ready', status: 'True' as const, reason: 'RestoreCompleted', message: 'Done.', lastTransitionTime: T0.toISOString(), observedGeneration: 1 };
      const completed: DynamoDBRestoreStatus = { phase: 'Completed', observedGeneration: 1, completionTime: T0.toISOString(), tableStatus: 'ACTIVE', conditions: [ready] };
      const edited = newRestore(SPEC, completed);
      edited.metadata.generation = 2;
      const h = harness(edited);
      assert.deepEqual(await h.run(), {});
      assert.deepEqual(h.sequence(), ['write Completed/RestoreCompleted']);
      assert.deepEqual(h.store.server?.status, { ...completed, observedGeneration: 2, conditions: [{ ...ready, observedGeneration: 2 }] });
      assert.deepEqual(h.events.events, []);
      assert.deepEqual(h.regions, []);
    });

    it('a resource gone from the cache: nothing at all', async () => {
      const h = harness('absent');
      assert.deepEqual(await h.run(), {});
      assert.deepEqual(h.log, []);
    });
  });

  describe('a table of the same name that is not ours', () => {
    it('fails TableAlreadyExists after looking, with no tag and no other mutating call', async () => {
      const h = harness();
      h.aws.tables.set('Music', { name: 'Music', arn: TABLE_ARN, status: 'ACTIVE', region: 'us-east-1', tags: { team: 'b' } });
      const result = await h.run();

      assert.deepEqual(h.sequence(), [
        'finalizer +',
        'write Validating/Validating',
        'describeBackup@us-east-1',
        'write Restoring/RestoreRequested',
        'restoreTableFromBackup@us-east-1',
        'describeTable@us-east-1',
        'listTags@us-east-1',
        'write Failed/TableAlreadyExists',
        'finalizer -',
      ]);
      assert.deepEqual(result, {});
      assert.deepEqual(h.log.filter((e) => MUTATING_OPS.has(e.op)).map((e) => e.op), ['restoreTableFromBackup'], 'only the rejected restore call');
      assert.deepEqual(h.aws.tables.get('Music'), { name: 'Music', arn: TABLE_ARN, status: 'ACTIVE', region: 'us-east-1', tags: { team: 'b' } });
      const status = h.store.server?.status;
      assert.equal(status?.phase, 'Failed');
      assert.deepEqual([status?.lastError?.code, status?.lastError?.retryable], ['TableAlreadyExistsException', false]);
      assert.equal(status?.completionTime, h.clock.now.toISOString());

      // Final now: the next reconcile leaves it alone.
      h.store.sync();
      const mark = h.log.length;
      assert.deepEqual(await h.run(), {});
      assert.deepEqual(h.sequence(mark), []);
    });
  });

  describe('AWS errors', () => {
    it('a retryable error: requeue after the error map\'s wait, lastError retryable, restoreRequestedAt kept for the retry', async () => {
      const h = harness();
      const error = new AwsError('LimitExceededException', 'Too many operations', 'RestoreTableFromBackup');
      h.aws.script('restoreTableFromBackup', error);
      const result = await h.run();

      const classified = classifyError(error, { tableName: 'Music', backupArn: BACKUP_ARN });
      assert.equal(classified.retry.kind, 'after');
      assert.deepEqual(result, { requeueAfterMs: classified.retry.kind === 'after' ? classified.retry.delayMs : -1 });
      assert.deepEqual(h.sequence(), [
        'finalizer +',
        'write Validating/Validating',
        'describeBackup@us-east-1',
        'write Restoring/RestoreRequested',
        'restoreTableFromBackup@us-east-1',
        'write Restoring/LimitExceeded',
      ]);
      const status = h.store.server?.status;
      assert.deepEqual(status?.lastError, { code: 'LimitExceededException', message: classified.message, retryable: true });
      const requestedAt = status?.restoreRequestedAt;
      assert.ok(requestedAt);

      // The retry: the table never appeared, so the restore call is made again, as of the first moment.
      h.store.sync();
      h.advance(60_000);
      const mark = h.log.length;
      assert.deepEqual(await h.run(), { requeueAfterMs: OPTIONS.pollMinMs });
      assert.deepEqual(h.sequence(mark), ['describeTable@us-east-1', 'write Restoring/RestoreRequested', 'restoreTableFromBackup@us-east-1', 'write Restoring/Restoring']);
      assert.equal(h.store.server?.status?.restoreRequestedAt, requestedAt);
      assertRestoreCallsGuarded(h.log, newRestore());
    });

    it('a backoff error: the status is written, then the reconcile returns a retry with backoff (no exception)', async () => {
      const h = harness();
      h.aws.script('describeBackup', new AwsError('InternalServerError', 'boom', 'DescribeBackup'));
      assert.deepEqual(await h.run(), { backoff: true });
      assert.deepEqual(h.sequence(), ['finalizer +', 'write Validating/Validating', 'describeBackup@us-east-1', 'write Validating/AWSInternalError']);
      // A DescribeBackup error keeps the phase the resource had.
      assert.deepEqual(h.store.server?.status?.lastError && { ...h.store.server.status.lastError, message: '' }, { code: 'InternalServerError', message: '', retryable: true });
      assert.equal(h.store.server?.status?.restoreRequestedAt, undefined);
    });

    it('a terminal error fails the resource and ends the reconcile without throwing', async () => {
      const h = harness(newRestore({ ...SPEC, source: { backupArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Music/backup/01489173575360-deadbeef` } }));
      assert.deepEqual(await h.run(), {});
      assert.deepEqual(h.sequence(), ['finalizer +', 'write Validating/Validating', 'describeBackup@us-east-1', 'write Failed/BackupNotFound', 'finalizer -']);
      assert.equal(h.store.server?.status?.lastError?.code, 'BackupNotFoundException');
    });

    it('a non-AWS error from the port propagates as it is, after nothing else', async () => {
      const h = harness();
      h.aws.beforeCall = (op) => {
        if (op === 'describeBackup') throw new TypeError('bug in the port');
      };
      await assert.rejects(h.run(), TypeError);
      assert.deepEqual(h.sequence(), ['finalizer +', 'write Validating/Validating', 'describeBackup@us-east-1']);
    });

    it('a backup still CREATING: requeue after the plan\'s wait, Validating, no restore call', async () => {
      const h = harness();
      h.aws.backups.set(BACKUP_ARN, { arn: BACKUP_ARN, name: 'MusicBackup', status: 'CREATING' });
      const result = await h.run();
      assert.deepEqual(h.sequence(), ['finalizer +', 'write Validating/Validating', 'describeBackup@us-east-1', 'write Validating/BackupNotReady']);
      assert.equal(typeof result.requeueAfterMs, 'number');
      assert.ok((result.requeueAfterMs ?? 0) >= 1_000);
    });
  });

  describe('events', () => {
    it('one Normal event per Ready reason through a whole restore, about the object as written', async () => {
      const h = harness();
      await h.run();
      h.aws.finishRestores();
      h.store.sync();
      h.advance(60_000);
      await h.run();

      assert.deepEqual(
        h.events.events.map((e) => [e.type, e.reason]),
        [
          ['Normal', 'Validating'],
          ['Normal', 'RestoreRequested'],
          ['Normal', 'Restoring'],
          ['Normal', 'RestoreCompleted'],
        ],
      );
      // Each event follows its write, is about the version that write produced, and says what Ready says.
      const writes = h.writes().filter((w, i, all) => readyOf(w.status)?.reason !== readyOf(all[i - 1]?.status)?.reason);
      assert.deepEqual(h.events.events.map((e) => e.resourceVersion), writes.map((w) => w.resourceVersion));
      assert.deepEqual(h.events.events.map((e) => e.message), writes.map((w) => readyOf(w.status)?.message));
      assert.ok(h.events.events.every((e) => e.uid === UID));
    });

    it('a Warning for a failure', async () => {
      const h = harness();
      h.aws.tables.set('Music', { name: 'Music', arn: TABLE_ARN, status: 'ACTIVE', region: 'us-east-1', tags: {} });
      await h.run();
      assert.deepEqual(h.events.events.map((e) => [e.type, e.reason]), [
        ['Normal', 'Validating'],
        ['Normal', 'RestoreRequested'],
        ['Warning', 'TableAlreadyExists'],
      ]);
    });

    it('a Warning for a retryable error', async () => {
      const h = harness();
      h.aws.script('restoreTableFromBackup', new AwsError('LimitExceededException', '', 'RestoreTableFromBackup'));
      await h.run();
      assert.deepEqual(h.events.events.map((e) => [e.type, e.reason]), [
        ['Normal', 'Validating'],
        ['Normal', 'RestoreRequested'],
        ['Warning', 'LimitExceeded'],
      ]);
    });

    it('no event when the Ready reason stays the same (throttled again, on another call)', async () => {
      const h = harness();
      h.aws.script('restoreTableFromBackup', new AwsError('ThrottlingException', '', 'RestoreTableFromBackup'));
      await h.run();
      h.store.sync();
      h.aws.script('describeTable', new AwsError('ThrottlingException', '', 'DescribeTable'));
      const before = h.events.events.length;
      const mark = h.log.length;
      await h.run();
      // The message names the other call, so the status is written; the reason is the same, so no event.
      assert.deepEqual(h.sequence(mark), ['describeTable@us-east-1', 'write Restoring/Throttled']);
      assert.ok(readyOf(h.store.server?.status)?.message.includes('DescribeTable'));
      assert.equal(h.events.events.length, before);
    });

    it('Normal again once the restore moves on after a retryable error', async () => {
      const h = harness();
      h.aws.script('describeBackup', new AwsError('ThrottlingException', 'Rate exceeded', 'DescribeBackup'));
      await h.run();
      h.store.sync();
      await h.run();
      assert.deepEqual(h.events.events.map((e) => [e.type, e.reason]), [
        ['Normal', 'Validating'],
        ['Warning', 'Throttled'],
        ['Normal', 'RestoreRequested'],
        ['Normal', 'Restoring'],
      ]);
    });
  });

  describe('Regions', () => {
    it('describes the backup in its ARN\'s Region and does everything else in spec.region', async () => {
      const spec: DynamoDBRestoreSpec = { targetTableName: 'Music', region: 'us-east-1', source: { backupArn: EU_BACKUP_ARN }, overrides: { sse: { enabled: true } } };
      const h = harness(newRestore(spec));
      await h.run();
      h.aws.finishRestores();
      h.store.sync();
      await h.run();
      assert.deepEqual(h.sequence().filter((s) => !s.startsWith('write')), [
        'finalizer +',
        'describeBackup@eu-west-1',
        'restoreTableFromBackup@us-east-1',
        'describeTable@us-east-1',
        'tagResource@us-east-1',
        'finalizer -',
      ]);
      assert.deepEqual(h.regions, ['eu-west-1', 'us-east-1', 'us-east-1', 'us-east-1']);
      assert.equal(h.store.server?.status?.phase, 'Completed');
    });

    it('without spec.region: the backup\'s Region for DescribeBackup, the default port (undefined) for the rest', async () => {
      const { region: _none, ...spec } = SPEC;
      const h = harness(newRestore(spec));
      await h.run();
      assert.deepEqual(h.regions, ['us-east-1', undefined]);
      assert.deepEqual(h.sequence().filter((s) => !s.startsWith('write')), ['finalizer +', 'describeBackup@us-east-1', 'restoreTableFromBackup@default']);
    });

    it('a backup in another Region without overrides.sse fails before any restore call', async () => {
      const spec: DynamoDBRestoreSpec = { targetTableName: 'Music', region: 'us-east-1', source: { backupArn: EU_BACKUP_ARN } };
      const h = harness(newRestore(spec));
      assert.deepEqual(await h.run(), {});
      assert.deepEqual(h.sequence(), [
        'finalizer +',
        'write Validating/Validating',
        'describeBackup@eu-west-1',
        'write Failed/CrossRegionNeedsSSE',
        'finalizer -',
      ]);
      assert.deepEqual(h.events.events.at(-1) && [h.events.events.at(-1)?.type, h.events.events.at(-1)?.reason], ['Warning', 'CrossRegionNeedsSSE']);
    });
  });
});

describe('restoreReconciler: tableSettings', () => {
  const SETTINGS_SPEC: DynamoDBRestoreSpec = {
    ...SPEC,
    tableSettings: { tags: { team: 'a' }, timeToLive: { attributeName: 'expiresAt' }, stream: { viewType: 'NEW_IMAGE' }, pointInTimeRecovery: true, deletionProtection: true },
  };

  it('applies each setting once, in order, reading back after each, then completes with all recorded', async () => {
    const h = harness(newRestore(SETTINGS_SPEC));
    await h.run();
    h.aws.finishRestores();
    h.store.sync();
    const mark = h.log.length;
    assert.deepEqual(await h.run(), {});
    const changes = h.log.slice(mark).filter((e) => e.op === 'changeSetting').map((e) => e.op === 'changeSetting' && e.change.setting);
    assert.deepEqual(changes, ['tags', 'timeToLive', 'stream', 'pointInTimeRecovery', 'deletionProtection']);
    // The ownership tags come first, before any setting: only a marked table is ever configured.
    const firstTag = h.log.findIndex((e) => e.op === 'tagResource');
    const firstChange = h.log.findIndex((e) => e.op === 'changeSetting');
    assert.ok(firstTag >= 0 && firstTag < firstChange);
    const table = h.aws.tables.get('Music');
    assert.deepEqual(table?.tags, { ...OWNER_TAGS, team: 'a' });
    assert.deepEqual([table?.ttl, table?.streamViewType, table?.pitr, table?.deletionProtection], [{ status: 'ENABLED', attributeName: 'expiresAt' }, 'NEW_IMAGE', true, true]);
    const done = h.store.server?.status;
    assert.equal(done?.phase, 'Completed');
    assert.deepEqual(done?.appliedSettings, ['tags', 'timeToLive', 'stream', 'pointInTimeRecovery', 'deletionProtection']);
    // Configuring showed progress on the way.
    const configuring = h.writes(mark).filter((w) => w.status.phase === 'Configuring').map((w) => w.status.appliedSettings?.length ?? 0);
    assert.deepEqual(configuring.slice(-5), [0, 1, 2, 3, 4]);
  });

  it('after a crash mid-way, repeats no change already in place', async () => {
    const h = harness(newRestore(SETTINGS_SPEC));
    await h.run();
    h.aws.finishRestores();
    h.store.sync();
    // The operator dies after the third change reached AWS, before it recorded anything more.
    let changes = 0;
    h.aws.beforeCall = (op) => {
      if (op === 'changeSetting' && ++changes === 4) throw new Error('killed');
    };
    await assert.rejects(h.run(), /killed/);
    h.aws.beforeCall = undefined;
    h.store.sync();
    const mark = h.log.length;
    await h.run();
    const again = h.log.slice(mark).filter((e) => e.op === 'changeSetting').map((e) => e.op === 'changeSetting' && e.change.setting);
    assert.deepEqual(again, ['pointInTimeRecovery', 'deletionProtection']);
    assert.equal(h.log.slice(mark).filter((e) => e.op === 'restoreTableFromBackup' || e.op === 'tagResource').length, 0);
    assert.equal(h.store.server?.status?.phase, 'Completed');
  });
});

describe('restoreReconciler: deletionPolicy', () => {
  const DELETE_SPEC: DynamoDBRestoreSpec = { ...SPEC, deletionPolicy: 'Delete' };
  /** The apiserver marks the object deleted; the finalizer holds it. */
  const markDeleted = (h: ReturnType<typeof harness>) => {
    assert.ok(h.store.server);
    h.store.server = { ...h.store.server, metadata: { ...h.store.server.metadata, deletionTimestamp: new Date(h.clock.now), resourceVersion: bump(h.store.server.metadata.resourceVersion) } };
    h.store.sync();
  };

  it('adds the finalizer before any AWS call, keeping others\' finalizers', async () => {
    const start = newRestore(DELETE_SPEC);
    start.metadata.finalizers = ['example.com/other'];
    const h = harness(start);
    await h.run();
    assert.equal(h.sequence()[0], 'finalizer +');
    assert.deepEqual(h.store.server?.metadata.finalizers, ['example.com/other', 'dynamodb.restore.dev/finalizer']);
  });

  it('Retain (the default) holds the finalizer only while its restore holds a slot: on before any AWS call, off once ACTIVE', async () => {
    const h = harness();
    await h.run();
    assert.equal(h.sequence()[0], 'finalizer +', 'on before any AWS call');
    assert.deepEqual(h.store.server?.metadata.finalizers, ['dynamodb.restore.dev/finalizer'], 'kept while the table is CREATING');
    h.aws.finishRestores();
    h.store.sync();
    const mark = h.log.length;
    await h.run();
    assert.deepEqual(h.sequence(mark), ['describeTable@us-east-1', 'write Restoring/Restoring', 'tagResource@us-east-1', 'write Completed/RestoreCompleted', 'finalizer -']);
    assert.deepEqual(h.store.server?.metadata.finalizers, []);
  });

  it('switching Delete to Retain on a Completed resource removes the finalizer, with no AWS call', async () => {
    const held = newRestore({ ...SPEC, deletionPolicy: 'Retain' });
    held.metadata.finalizers = ['dynamodb.restore.dev/finalizer'];
    held.status = { phase: 'Completed', observedGeneration: 1, tableStatus: 'ACTIVE', tableId: 'table-id-1' };
    const h2 = harness(held);
    await h2.run();
    assert.deepEqual(h2.sequence(), ['finalizer -']);
  });

  it('deletes the table it restored, then lets the resource go', async () => {
    const h = harness(newRestore(DELETE_SPEC));
    await h.run();
    h.aws.finishRestores();
    h.store.sync();
    await h.run();
    assert.equal(h.store.server?.status?.phase, 'Completed');
    markDeleted(h);
    const mark = h.log.length;
    assert.deepEqual(await h.run(), {});
    // The look after DeleteTable finds it gone (the fake deletes at once; DynamoDB shows DELETING a while).
    assert.deepEqual(h.sequence(mark), ['describeTable@us-east-1', 'listTags@us-east-1', 'write Completed/DeletingTable', 'deleteTable@us-east-1', 'describeTable@us-east-1', 'finalizer -']);
    assert.equal(h.aws.tables.has('Music'), false);
    assert.equal(h.store.server, undefined, 'the last finalizer gone, the apiserver deleted the object');
  });

  it('logs the DeleteTable call with the table', async () => {
    const h = harness(newRestore(DELETE_SPEC));
    await h.run();
    h.aws.finishRestores();
    h.store.sync();
    await h.run();
    markDeleted(h);
    const { logger, lines } = recordingLogger();
    await h.run(logger);
    await logged();
    assert.deepEqual(lines.filter((l) => l.message === 'Calling DeleteTable'), [{ level: 'info', message: 'Calling DeleteTable', table: 'Music' }]);
  });

  it('deleted mid-restore: waits out CREATING, tags the table as ours, then deletes it', async () => {
    const h = harness(newRestore(DELETE_SPEC));
    await h.run();
    h.store.sync();
    markDeleted(h);
    const mark = h.log.length;
    assert.deepEqual(await h.run(), { requeueAfterMs: 5_000 });
    assert.deepEqual(h.sequence(mark), ['describeTable@us-east-1', 'listTags@us-east-1', 'write Restoring/DeletionWaiting']);
    h.aws.finishRestores();
    h.store.sync();
    const next = h.log.length;
    await h.run();
    assert.deepEqual(h.sequence(next).filter((s) => !s.startsWith('write') && !s.startsWith('describeTable') && !s.startsWith('listTags')), ['tagResource@us-east-1', 'deleteTable@us-east-1', 'finalizer -']);
    assert.equal(h.store.server, undefined);
  });

  it('leaves a replaced table (another TableId, our uid tag forged on it) untouched; the resource goes with a Warning saying so', async () => {
    const h = harness(newRestore(DELETE_SPEC));
    await h.run();
    h.aws.finishRestores();
    h.store.sync();
    await h.run();
    // Someone replaced the table with one of their own under the same name, and copied our owner-uid tag onto it.
    h.aws.tables.set('Music', { name: 'Music', arn: TABLE_ARN, id: 'someone-elses-table', status: 'ACTIVE', createdAt: h.clock.now.toISOString(), region: 'us-east-1', tags: { [OWNER_UID_TAG]: UID } });
    markDeleted(h);
    const mark = h.log.length;
    assert.deepEqual(await h.run(), {});
    assert.deepEqual(h.sequence(mark), ['describeTable@us-east-1', 'listTags@us-east-1', 'write Completed/TableNotOwned', 'finalizer -']);
    assert.ok(h.aws.tables.has('Music'));
    assert.equal(h.store.server, undefined, 'the resource went');
    assert.deepEqual(h.events.events.at(-1) && [h.events.events.at(-1)?.type, h.events.events.at(-1)?.reason], ['Warning', 'TableNotOwned']);
  });

  it('a resource being deleted without our finalizer costs nothing', async () => {
    const h = harness(newRestore(DELETE_SPEC));
    markDeleted(h);
    assert.deepEqual(await h.run(), {});
    assert.deepEqual(h.log, []);
  });
});

describe('restoreReconciler: restore slots', () => {
  it('queues while every slot is taken, with no AWS call but validation; restores once woken with a free slot', async () => {
    const woken: string[] = [];
    const reservations = new RestoreReservations(1, OPTIONS.defaultRegion, (key) => woken.push(key));
    // Another resource's restore (of another table) holds the one slot of the account and Region.
    const other: DynamoDBRestore = {
      ...newRestore({ ...SPEC, targetTableName: 'Books' }),
      metadata: { ...newRestore().metadata, name: 'other', namespace: 'team-b', uid: 'uid-other' },
    };
    reservations.recount([{ ...other, status: { phase: 'Restoring', restoreRequestedAt: T0.toISOString(), tableStatus: 'CREATING' } }]);
    const h = harness(newRestore(), { reservations });
    assert.deepEqual(await h.run(), { requeueAfterMs: 60_000 });
    assert.deepEqual(h.sequence(), ['finalizer +', 'write Validating/Validating', 'describeBackup@us-east-1', 'write Queued/Queued']);
    assert.equal(h.store.server?.status?.queuePosition, 1);

    // A look while still queued costs no AWS call and writes nothing new.
    h.store.sync();
    let mark = h.log.length;
    await h.run();
    assert.deepEqual(h.sequence(mark), []);

    // The other resource is gone: its slot goes back, and this one is woken.
    reservations.settle('team-b/other', undefined);
    assert.deepEqual(woken, [KEY]);
    mark = h.log.length;
    await h.run();
    assert.deepEqual(h.sequence(mark), ['write Restoring/RestoreRequested', 'restoreTableFromBackup@us-east-1', 'write Restoring/Restoring']);
    assert.equal(reservations.inUse(newRestore()), 1);

    // ACTIVE: the slot goes back as soon as the table is, before tagging and completing.
    h.aws.finishRestores();
    h.store.sync();
    await h.run();
    assert.equal(h.store.server?.status?.phase, 'Completed');
    assert.equal(reservations.inUse(newRestore()), 0);
  });

  it('fails TableClaimed, with no AWS call, when another namespace\'s live resource holds the claim on the same table', async () => {
    const reservations = new RestoreReservations(1, OPTIONS.defaultRegion, () => undefined);
    const rival: DynamoDBRestore = { ...newRestore(), metadata: { ...newRestore().metadata, name: 'rival', namespace: 'team-b', uid: 'uid-rival' } };
    assert.equal(reservations.claim(rival), 'team-b/rival');
    const h = harness(newRestore(), { reservations });
    await h.run();
    assert.deepEqual(h.sequence(), ['finalizer +', 'write Failed/TableClaimed', 'finalizer -'], 'no table of its own: nothing to clean up, the finalizer goes');
    assert.equal(
      readyOf(h.store.server?.status)?.message,
      'Table Music in us-east-1 is already claimed by a DynamoDBRestore in another namespace: one resource per table, so this one makes no AWS call. ' +
        'Choose another targetTableName in a new DynamoDBRestore, or delete the other resource first.',
    );
  });
});

describe('restoreReconciler: polling within the control-plane rate', () => {
  it('polls no more often than the floor the rate budget sets, and never past pollMaxMs', async () => {
    const h = harness(newRestore(), { pollFloorMs: () => 10_000 });
    assert.deepEqual(await h.run(), { requeueAfterMs: 10_000 });
    const capped = harness(newRestore(), { pollFloorMs: () => 10_000_000 });
    assert.deepEqual(await capped.run(), { requeueAfterMs: OPTIONS.pollMaxMs });
    const below = harness(newRestore(), { pollFloorMs: () => 500 });
    assert.deepEqual(await below.run(), { requeueAfterMs: OPTIONS.pollMinMs }, 'a floor under pollMinMs changes nothing');
  });
});

describe('restoreReconciler: spec.credentials', () => {
  it("asks for every port as the role assumed for this resource: the role ARN with the resource's namespace and name", async () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/dynamodb-restore-team-a`;
    const asked: unknown[] = [];
    const h = harness(newRestore({ ...SPEC, credentials: { roleArn } }));
    const reconcile = restoreReconciler({
      store: h.store,
      dynamodb: (region, role) => {
        asked.push(role);
        return h.aws.port(region);
      },
      backup: noBackup,
      events: h.events,
      now: () => h.clock.now,
      options: OPTIONS,
    });
    await reconcile(KEY, silent);
    assert.ok(asked.length >= 2, 'DescribeBackup and the restore');
    assert.deepEqual(asked, asked.map(() => ({ roleArn, namespace: 'team-a', name: 'music' })));
  });
});

/** A logger that keeps every entry (debug included) as plain fields: level, message and the meta given. */
function recordingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ objectMode: true, write: (entry: object, _enc, next) => (lines.push(JSON.parse(JSON.stringify(entry)) as Record<string, unknown>), next()) });
  return { logger: winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] }), lines };
}
/** Lets the logger's stream take what was logged before the entries are read. */
const logged = () => new Promise((resolve) => setImmediate(resolve));

describe('restoreReconciler: what it logs', () => {
  it('logs the restore call with the table and backup, and each move of the Ready reason with phase, reason and the Ready message', async () => {
    const h = harness();
    const { logger, lines } = recordingLogger();
    await h.run(logger);
    await logged();
    const readyMessages = h.writes().map((w) => readyOf(w.status)?.message);
    assert.deepEqual(lines, [
      { level: 'info', message: 'Restore moved on', phase: 'Validating', reason: 'Validating', detail: readyMessages[0] },
      { level: 'info', message: 'Restore moved on', phase: 'Restoring', reason: 'RestoreRequested', detail: readyMessages[1] },
      { level: 'info', message: 'Calling RestoreTableFromBackup', table: 'Music', backupArn: BACKUP_ARN },
      { level: 'info', message: 'Restore moved on', phase: 'Restoring', reason: 'Restoring', detail: readyMessages[2] },
    ]);
  });

  it('logs the point-in-time restore call with the table and the source table, before making it', async () => {
    const h = harness(newRestore({ targetTableName: 'Music', region: 'us-east-1', source: { pointInTime: { sourceTableName: 'Music-prod', useLatestRestorableTime: true } } }));
    h.aws.tables.set('Music-prod', { name: 'Music-prod', arn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Music-prod`, id: 'prod-id', status: 'ACTIVE', region: 'us-east-1', tags: {}, pitr: true });
    const { logger, lines } = recordingLogger();
    await h.run(logger).catch(() => undefined); // the fake does not make point-in-time restores: the call itself fails
    await logged();
    assert.deepEqual(
      lines.filter((l) => String(l.message).startsWith('Calling')),
      [{ level: 'info', message: 'Calling RestoreTableToPointInTime', table: 'Music', source: 'Music-prod' }],
    );
  });

  it('logs each table setting applied with the table and the setting', async () => {
    const h = harness(newRestore({ ...SPEC, tableSettings: { deletionProtection: true } }));
    await h.run();
    h.aws.finishRestores();
    h.store.sync();
    const { logger, lines } = recordingLogger();
    await h.run(logger);
    await logged();
    assert.deepEqual(
      lines.filter((l) => l.message === 'Applying a table setting'),
      [{ level: 'info', message: 'Applying a table setting', table: 'Music', setting: 'deletionProtection' }],
    );
  });

  it('re-reads after each of five conflicts, logging each at debug with its count, and throws the sixth', async () => {
    const h = harness();
    for (let i = 0; i < 20; i++) h.store.conflictOnce();
    const { logger, lines } = recordingLogger();
    await assert.rejects(h.run(logger), ConflictError);
    await logged();
    assert.equal(h.log.filter((e) => e.op === 'fresh').length, 5);
    assert.deepEqual(
      lines.filter((l) => l.level === 'debug'),
      [1, 2, 3, 4, 5].map((conflicts) => ({ level: 'debug', message: 'Conflict; re-reading', conflicts })),
    );
  });
});

describe('restoreReconciler: restore durations for the metrics', () => {
  const recordingMetrics = () => {
    const finished: Array<[string, string, number]> = [];
    return { finished, metrics: { restoreFinished: (namespace: string, phase: 'Completed' | 'Failed', seconds: number) => void finished.push([namespace, phase, seconds]) } };
  };

  it('observes a completed restore once, from restoreRequestedAt to completionTime', async () => {
    const { finished, metrics } = recordingMetrics();
    const h = harness(newRestore(), { metrics });
    await h.run();
    h.aws.finishRestores();
    h.store.sync();
    h.advance(60_000);
    await h.run();
    const status = h.store.server?.status;
    assert.equal(status?.phase, 'Completed');
    const seconds = (Date.parse(status?.completionTime ?? '') - Date.parse(status?.restoreRequestedAt ?? '')) / 1000;
    assert.ok(seconds > 60, `the restore took the minute waited and more: ${seconds}`);
    assert.deepEqual(finished, [['team-a', 'Completed', seconds]]);
    h.store.sync();
    await h.run();
    assert.equal(finished.length, 1, 'a final resource looked at again is not observed again');
  });

  it('observes a restore that failed before any restore call as taking 0 s', async () => {
    const { finished, metrics } = recordingMetrics();
    const h = harness(newRestore(), { metrics });
    h.aws.backups.delete(BACKUP_ARN);
    await h.run();
    assert.equal(h.store.server?.status?.phase, 'Failed');
    assert.deepEqual(finished, [['team-a', 'Failed', 0]]);
  });

  it('does not observe a Completed resource whose status is rewritten for a new generation', async () => {
    const { finished, metrics } = recordingMetrics();
    const ready = { type: 'Ready', status: 'True' as const, reason: 'RestoreCompleted', message: 'Done.', lastTransitionTime: T0.toISOString(), observedGeneration: 1 };
    const edited = newRestore(SPEC, { phase: 'Completed', observedGeneration: 1, restoreRequestedAt: T0.toISOString(), completionTime: T0.toISOString(), tableStatus: 'ACTIVE', conditions: [ready] });
    edited.metadata.generation = 2;
    const h = harness(edited, { metrics });
    await h.run();
    assert.deepEqual(h.sequence(), ['write Completed/RestoreCompleted']);
    assert.deepEqual(finished, []);
  });
});


describe('restoreReconciler: spec.source.recoveryPoint', () => {
  const POINT = `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45`;
  const ROLE = `arn:aws:iam::${ACCOUNT}:role/aws-backup-restore`;
  const RP_SPEC: DynamoDBRestoreSpec = { targetTableName: 'Music', region: 'us-east-1', source: { recoveryPoint: { recoveryPointArn: POINT, backupVaultName: 'team-a-vault', iamRoleArn: ROLE } } };

  it('checks the point in its vault, logs and starts the restore job (recording its id), then follows the job; every AWS Backup call in the Region of the spec', async () => {
    const calls: string[] = [];
    const regions: Array<string | undefined> = [];
    const requests: RestoreJobRequest[] = [];
    const backup: BackupPort = {
      describeRecoveryPoint: (vault, arn) => {
        calls.push(`describeRecoveryPoint ${vault} ${arn}`);
        return Promise.resolve({ arn, backupVaultName: vault, status: 'COMPLETED', resourceType: 'DynamoDB' });
      },
      startRestoreJob: (request) => {
        calls.push('startRestoreJob');
        requests.push(request);
        return Promise.resolve('JOB-1');
      },
      describeRestoreJob: (id) => {
        calls.push(`describeRestoreJob ${id}`);
        return Promise.resolve({ id, status: 'RUNNING' });
      },
    };
    const h = harness(newRestore(RP_SPEC), {
      backup: (region) => {
        regions.push(region);
        return backup;
      },
    });
    const { logger, lines } = recordingLogger();
    assert.deepEqual(await h.run(logger), { requeueAfterMs: 2_000 });
    await logged();
    assert.deepEqual(calls, [`describeRecoveryPoint team-a-vault ${POINT}`, 'startRestoreJob', 'describeRestoreJob JOB-1']);
    assert.deepEqual(regions, ['us-east-1', 'us-east-1', 'us-east-1']);
    assert.deepEqual(requests, [{ RecoveryPointArn: POINT, IamRoleArn: ROLE, IdempotencyToken: `dynamodb-restore-${UID}`, ResourceType: 'DynamoDB', Metadata: { targetTableName: 'Music' } }]);
    // restoreRequestedAt before the call; the job's id as soon as it is known; then the job's state.
    assert.deepEqual(h.sequence(), ['finalizer +', 'write Validating/Validating', 'write Restoring/RestoreRequested', 'write Restoring/RestoreRequested', 'write Restoring/Restoring']);
    assert.deepEqual([h.store.server?.status?.restoreJobId, h.store.server?.status?.restoreJobStatus], ['JOB-1', 'RUNNING']);
    assert.deepEqual(
      lines.filter((l) => String(l.message).startsWith('Calling')),
      [{ level: 'info', message: 'Calling AWS Backup StartRestoreJob', table: 'Music', recoveryPointArn: POINT }],
    );
  });
});
