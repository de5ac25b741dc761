// The DynamoDBRestore controller's parts, wired into the manager (controller-runtime's SetupWithManager): its caches,
// its AWS clients, the leader's slots and claims, and the controller that reconciles restores while this replica
// leads.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import { GROUP, PLURAL, VERSION, type DynamoDBRestore } from '../api/dynamodb-restore.ts';
import { POLICY_PLURAL, type DynamoDBRestorePolicy } from '../api/dynamodb-restore-policy.ts';
import { DynamoDBClients, type RateLimit } from '../aws/dynamodb-client.ts';
import type { Config } from '../config.ts';
import { Controller } from '../runtime/controller.ts';
import { CustomObjectClient } from '../runtime/custom-objects.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { ResourceInformer } from '../runtime/informer.ts';
import { objectKey, splitKey } from '../runtime/keys.ts';
import type { Manager } from '../runtime/manager.ts';
import type { PrometheusMetrics } from '../runtime/metrics.ts';
import type { EventSink } from '../runtime/event-recorder.ts';
import { RestoreMetrics } from './restore-metrics.ts';
import { restoreReconciler, type RestoreStore } from './restore-reconciler.ts';
import { RestoreReservations } from './restore-slots.ts';
import { DEFAULT_PLAN_OPTIONS } from './restore-vocabulary.ts';
import { ttlController } from './ttl-controller.ts';

const CONTROLLER = 'dynamodb.restore.dev/restore-controller';

export interface RestoreSetup {
  config: Config;
  kubeConfig: KubeConfig;
  log: Logger;
  metrics: PrometheusMetrics;
}

/** What other controllers that make or follow restores (the schedules') use of this one. */
export interface Restores {
  client: CustomObjectClient<DynamoDBRestore>;
  /** Every DynamoDBRestore in the caches. */
  cached: () => DynamoDBRestore[];
  events: EventSink;
  /** Called on every change of a cached restore, status too (controller-runtime's Owns()). */
  follow: (listener: (restore: DynamoDBRestore) => void) => void;
}

/**
 * The shortest DescribeTable poll interval in an account and Region: polls may take half its control-plane rate,
 * shared among the restores in progress there, so the other half is left for starting new ones.
 */
export function pollFloorMs(restoresInProgress: number, rate: RateLimit | undefined): number {
  return rate ? (restoresInProgress * 1000) / (rate.perSecond / 2) : 0;
}

export function setupRestoreController(manager: Manager, { config, kubeConfig, log, metrics }: RestoreSetup): Restores {
  const listeners: Array<(restore: DynamoDBRestore) => void> = [];
  // A key seen before this replica leads waits in the queue; the leader looks at every cached resource anyway.
  const caches = restoreCaches(config, kubeConfig, log, (key) => controller.queue.add(key), (restore) => {
    for (const listener of listeners) listener(restore);
  });
  // AWS's restores-in-progress limit per account and Region, and the claims on table names: the leader's, counted
  // here; a freed slot wakes the next in turn through the queue.
  const reservations = new RestoreReservations(config.maxRestoresInProgress, config.defaultRegion, (key) => controller.queue.add(key));
  const restoreMetrics = new RestoreMetrics(metrics.registry, { cached: caches.restores, slots: () => reservations.pools(), namespaceLabels: config.metricsNamespaceLabels });
  const clients = new DynamoDBClients({
    defaultRegion: config.defaultRegion,
    clusterName: config.clusterName,
    observe: (operation, code) => restoreMetrics.awsCall(operation, code),
    rateLimit: config.awsRateLimit,
  });
  const events = new EventRecorder(kubeConfig, CONTROLLER, config.leaderElection.identity, log);
  const reconcile = restoreReconciler({
    policies: caches.policies,
    store: caches.store,
    dynamodb: (region, role) => clients.forRegion(region, role),
    backup: (region, role) => clients.backupFor(region, role),
    events,
    now: () => new Date(),
    options: {
      ...DEFAULT_PLAN_OPTIONS,
      pollMinMs: config.pollMinMs,
      pollMaxMs: config.pollMaxMs,
      defaultRegion: config.defaultRegion,
      allowUngovernedNamespaces: config.allowUngovernedNamespaces,
    },
    metrics: restoreMetrics,
    reservations,
    pollFloorMs: (restore) => pollFloorMs(reservations.inUse(restore), config.awsRateLimit),
  });
  const controller = new Controller({ name: 'dynamodbrestore', concurrency: config.maxConcurrentReconciles, log, metrics, reconcile });

  for (const informer of caches.informers) manager.addCache(informer);
  manager.addLeaderRunnable({
    start: () => {
      // A new leader counts the slots and claims its predecessor left before it grants any.
      reservations.recount(caches.restores());
      controller.start();
      for (const restore of caches.restores()) controller.queue.add(objectKey(restore));
    },
    stop: () => controller.stop(),
  });
  // ttlSecondsAfterFinished: a controller of its own, as Kubernetes' TTL-after-finished controller beside the Job's.
  // Every cached restore with a ttl, listed or changed, is queued as it arrives; the queue holds it until this
  // replica leads, so leading needs no second pass over the cache (which queued each key twice).
  const ttl = ttlController({ cached: (key) => caches.store.cached(key), deleteRestore: (namespace, name, uid) => caches.client.delete(namespace, name, uid), log, metrics });
  listeners.push((restore) => {
    if (restore.spec.ttlSecondsAfterFinished !== undefined) ttl.queue.add(objectKey(restore));
  });
  manager.addLeaderRunnable({ start: () => ttl.start(), stop: () => ttl.stop() });
  manager.onStop(() => clients.destroy());
  return { client: caches.client, cached: caches.restores, events, follow: (listener) => listeners.push(listener) };
}

/** The informers of DynamoDBRestores and of the policies, and the reconciler's store over them. */
function restoreCaches(config: Config, kubeConfig: KubeConfig, log: Logger, onKey: (key: string) => void, onObject: (restore: DynamoDBRestore) => void) {
  const restores = new CustomObjectClient<DynamoDBRestore>(kubeConfig, { group: GROUP, version: VERSION, plural: PLURAL });
  const policies = new CustomObjectClient<DynamoDBRestorePolicy>(kubeConfig, { group: GROUP, version: VERSION, plural: POLICY_PLURAL });
  // One informer per watched namespace (RBAC may grant no more), or one for the whole cluster.
  const byNamespace = new Map(
    (config.watchNamespaces.length > 0 ? config.watchNamespaces : ['']).map((namespace) => [
      namespace,
      new ResourceInformer<DynamoDBRestore>({
        kubeConfig,
        path: restores.path(namespace || undefined),
        list: () => restores.list(namespace || undefined),
        onKey,
        onObject,
        log,
        resyncPeriodMs: config.resyncPeriodMs,
      }),
    ]),
  );
  // Policies are read from their own cache when a restore is planned; a change to one needs no reconcile (a
  // restore already refused is final, one not yet planned reads the new policy).
  const policyInformer = new ResourceInformer<DynamoDBRestorePolicy>({
    kubeConfig,
    path: policies.path(),
    list: () => policies.list(),
    onKey: () => undefined,
    log,
    resyncPeriodMs: config.resyncPeriodMs,
  });
  const store: RestoreStore = {
    cached: (key) => (byNamespace.get(splitKey(key).namespace) ?? byNamespace.get(''))?.get(key),
    fresh: (key) => restores.get(splitKey(key).namespace, splitKey(key).name),
    writeStatus: (restore, status) => restores.replaceStatus({ ...restore, status }),
    setFinalizer: (restore, finalizer, present) => restores.setFinalizer(restore, finalizer, present),
  };
  return {
    client: restores,
    informers: [...byNamespace.values(), policyInformer],
    restores: () => [...byNamespace.values()].flatMap((i) => i.list()),
    policies: () => policyInformer.list(),
    store,
  };
}
