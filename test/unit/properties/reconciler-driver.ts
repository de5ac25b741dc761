// The one driver of the property runs: the real reconciler (restoreReconciler, with the real plan, deletion plan,
// finalizer handling and RestoreReservations) over the simulated DynamoDB, with an in-memory apiserver and a clock.
// It plays the work queue: a key is reconciled again when it asked (requeue after, backoff), when a slot frees for it,
// or when its resource is deleted. A crash (the simulated AWS's OperatorCrash) is a new operator: the reconcile in
// flight is lost, the slots and claims are counted again from what the resources say, and every key is looked at.
import winston from 'winston';
import type { DynamoDBRestore, DynamoDBRestoreSpec, DynamoDBRestoreStatus } from '../../../src/api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy } from '../../../src/api/dynamodb-restore-policy.ts';
import type { RestoreFromBackupRequest, RestoreToPointInTimeRequest } from '../../../src/aws/dynamodb-port.ts';
import { restoreReconciler, type RestoreStore } from '../../../src/restore/restore-reconciler.ts';
import { RestoreReservations } from '../../../src/restore/restore-slots.ts';
import type { PlanOptions } from '../../../src/restore/restore-vocabulary.ts';
import { ConflictError } from '../../../src/runtime/custom-objects.ts';
import { objectKey } from '../../../src/runtime/keys.ts';
import { T0 } from './arbitraries.ts';
import { OperatorCrash, SimulatedAws, type SimScenario } from './simulated-aws.ts';

export interface WorldResource {
  namespace: string;
  name: string;
  uid: string;
  spec: DynamoDBRestoreSpec;
  /** When its owner deletes it (ms after the world begins), if ever. */
  deleteAfterMs?: number;
}

export interface World {
  resources: WorldResource[];
  scenario: SimScenario;
  options: PlanOptions;
  policies: DynamoDBRestorePolicy[];
  /** MAX_RESTORES_IN_PROGRESS. */
  slots: number;
}

export interface ResourceRun {
  /** The resource as last stored (before it went, if it did). */
  restore: DynamoDBRestore;
  /** Every status written, in order. */
  written: DynamoDBRestoreStatus[];
  deleted: boolean;
  /** Gone: deleted and its finalizer released (or never held). */
  gone: boolean;
}

export interface WorldRun {
  aws: SimulatedAws;
  byKey: Map<string, ResourceRun>;
  /** Every restore call that reached the simulated AWS, with its resource as stored when it was made. */
  restoreCalls: Array<{ request: RestoreFromBackupRequest | RestoreToPointInTimeRequest; restore: DynamoDBRestore }>;
  /** A reconcile that threw (not a crash), or a world that did not come to rest. */
  stuck?: string;
}

/** Far more reconciles than any world needs once its faults are spent. */
const MAX_RECONCILES = 600;
/** The controller's first backoff step, which is all a world sees of it between successes. */
const BACKOFF_MS = 10_000;
const CRASH_PAUSE_MS = 5_000;
const silent = winston.createLogger({ silent: true });

/** The apiserver's side: objects by key, resourceVersions, finalizers, deletion. */
class MemoryStore implements RestoreStore {
  readonly objects = new Map<string, DynamoDBRestore>();
  private version = 1;

  /** onChange: every stored change, and whether it was a status write. */
  constructor(private readonly onChange: (restore: DynamoDBRestore, statusWrite: boolean) => void) {}

  create(restore: DynamoDBRestore): void {
    this.objects.set(objectKey(restore), { ...restore, metadata: { ...restore.metadata, resourceVersion: String(this.version++) } });
  }

  cached(key: string): DynamoDBRestore | undefined {
    const o = this.objects.get(key);
    return o && structuredClone(o);
  }

  fresh(key: string): Promise<DynamoDBRestore | undefined> {
    return Promise.resolve(this.cached(key));
  }

  writeStatus(restore: DynamoDBRestore, status: DynamoDBRestoreStatus): Promise<DynamoDBRestore> {
    const key = objectKey(restore);
    const current = this.objects.get(key);
    if (!current || current.metadata.resourceVersion !== restore.metadata.resourceVersion) throw new ConflictError(key);
    return Promise.resolve(this.replace({ ...current, status: structuredClone(status) }, true));
  }

  setFinalizer(restore: DynamoDBRestore, finalizer: string, present: boolean): Promise<DynamoDBRestore | undefined> {
    const key = objectKey(restore);
    const current = this.objects.get(key);
    if (!current) return Promise.resolve(undefined);
    const others = (current.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    const finalizers = present ? [...others, finalizer] : others;
    if (finalizers.length === 0 && current.metadata.deletionTimestamp) {
      this.objects.delete(key);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(this.replace({ ...current, metadata: { ...current.metadata, finalizers } }, false));
  }

  /** Its owner deletes it: gone at once without finalizers, else marked. */
  delete(key: string, at: number): void {
    const current = this.objects.get(key);
    if (!current) return;
    if ((current.metadata.finalizers ?? []).length === 0) this.objects.delete(key);
    else this.replace({ ...current, metadata: { ...current.metadata, deletionTimestamp: new Date(at) } }, false);
  }

  private replace(next: DynamoDBRestore, statusWrite: boolean): DynamoDBRestore {
    const stored = { ...next, metadata: { ...next.metadata, resourceVersion: String(this.version++) } };
    this.objects.set(objectKey(stored), stored);
    this.onChange(structuredClone(stored), statusWrite);
    return structuredClone(stored);
  }
}

export async function runWorld(world: World): Promise<WorldRun> {
  const clock = { now: T0 };
  const aws = new SimulatedAws(world.scenario, clock);
  const byKey = new Map<string, ResourceRun>();
  const store = new MemoryStore((restore, statusWrite) => {
    const run = byKey.get(objectKey(restore));
    if (!run) return;
    run.restore = restore;
    if (statusWrite && restore.status) run.written.push(restore.status);
  });
  const out: WorldRun = { aws, byKey, restoreCalls: [] };
  const ownerOfTable = new Map<string, string>();
  for (const [i, r] of world.resources.entries()) {
    const restore: DynamoDBRestore = {
      apiVersion: 'dynamodb.restore.dev/v1alpha1',
      kind: 'DynamoDBRestore',
      metadata: { name: r.name, namespace: r.namespace, uid: r.uid, generation: 1, resourceVersion: '0', creationTimestamp: new Date(T0 + i) },
      spec: r.spec,
    };
    store.create(restore);
    byKey.set(objectKey(restore), { restore, written: [], deleted: false, gone: false });
    ownerOfTable.set(r.spec.targetTableName, objectKey(restore));
  }

  // The work queue: when each key is looked at next.
  const due = new Map<string, number>([...byKey.keys()].map((key) => [key, clock.now]));
  const wake = (key: string) => due.set(key, Math.min(due.get(key) ?? Number.POSITIVE_INFINITY, clock.now));
  const newOperator = () => {
    const reservations = new RestoreReservations(world.slots, world.options.defaultRegion, wake);
    reservations.recount([...store.objects.values()]);
    return reservations;
  };
  let reservations = newOperator();
  // Restore calls are attributed to the resource that names the table, as stored at the moment of the call.
  const port = new Proxy(aws, {
    get(target, property, receiver) {
      if (property === 'restoreTableFromBackup' || property === 'restoreTableToPointInTime') {
        return (request: RestoreFromBackupRequest & RestoreToPointInTimeRequest) => {
          const owner = store.cached(ownerOfTable.get(request.TargetTableName) ?? '');
          if (owner) out.restoreCalls.push({ request, restore: owner });
          return property === 'restoreTableFromBackup' ? target.restoreTableFromBackup(request) : target.restoreTableToPointInTime(request);
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  const reconcile = restoreReconciler({
    store,
    dynamodb: () => port,
    backup: () => {
      throw new Error('the simulated worlds restore from backups and points in time only');
    },
    events: { emit: () => Promise.resolve() },
    now: () => new Date(clock.now),
    options: world.options,
    policies: () => world.policies,
    reservations: { acquireSlot: (r) => reservations.acquireSlot(r), claim: (r) => reservations.claim(r), settle: (k, r) => reservations.settle(k, r) },
  });

  for (let n = 0; n < MAX_RECONCILES; n++) {
    const deletions = world.resources.filter((r) => r.deleteAfterMs !== undefined && !byKey.get(`${r.namespace}/${r.name}`)?.deleted);
    const nextDeletion = Math.min(...deletions.map((r) => T0 + (r.deleteAfterMs ?? 0)));
    const [key, when] = [...due].reduce<[string | undefined, number]>((best, entry) => (entry[1] < best[1] ? entry : best), [undefined, Number.POSITIVE_INFINITY]);
    if (key === undefined && !Number.isFinite(nextDeletion)) return settle(out, store);
    if (nextDeletion <= when) {
      clock.now = Math.max(clock.now, nextDeletion);
      for (const r of deletions.filter((d) => T0 + (d.deleteAfterMs ?? 0) <= clock.now)) {
        const k = `${r.namespace}/${r.name}`;
        const run = byKey.get(k);
        if (run) run.deleted = true;
        store.delete(k, clock.now);
        wake(k);
      }
      continue;
    }
    if (key === undefined) continue;
    clock.now = Math.max(clock.now, when);
    due.delete(key);
    try {
      const result = await reconcile(key, silent);
      if (result.backoff) due.set(key, clock.now + BACKOFF_MS);
      else if (result.requeueAfterMs !== undefined) due.set(key, Math.min(due.get(key) ?? Number.POSITIVE_INFINITY, clock.now + result.requeueAfterMs));
    } catch (err) {
      if (!(err instanceof OperatorCrash)) return settle({ ...out, stuck: `reconcile of ${key} threw ${String(err)}` }, store);
      // A new operator (or leader): it counts what the resources say, then looks at every one.
      clock.now += CRASH_PAUSE_MS;
      reservations = newOperator();
      for (const k of store.objects.keys()) wake(k);
    }
    clock.now += 50;
  }
  return settle({ ...out, stuck: `no rest after ${MAX_RECONCILES} reconciles` }, store);
}

/** Marks the resources that are gone. */
function settle(out: WorldRun, store: MemoryStore): WorldRun {
  for (const [key, run] of out.byKey) run.gone = !store.objects.has(key);
  return out;
}
