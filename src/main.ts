// Wiring only: configuration → clients → runtime → the restore controller, under leader election, and a graceful
// stop on SIGTERM.
import { KubeConfig } from '@kubernetes/client-node';
import { Gauge } from 'prom-client';
import { GROUP, PLURAL, VERSION, type DynamoDBRestore } from './api/dynamodb-restore.ts';
import { POLICY_PLURAL, type DynamoDBRestorePolicy } from './api/dynamodb-restore-policy.ts';
import { DynamoDBClients } from './aws/dynamodb-client.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { RestoreMetrics } from './restore/restore-metrics.ts';
import { claimName, holdsClaim, holdsSlot, restorePool } from './restore/restore-slots.ts';
import { FairSlots } from './runtime/fair-slots.ts';
import { objectKey, splitKey } from './runtime/keys.ts';
import { DEFAULT_PLAN_OPTIONS } from './restore/restore-vocabulary.ts';
import { restoreReconciler, type RestoreSlots, type RestoreStore, type TableClaims } from './restore/restore-reconciler.ts';
import { Claims } from './runtime/claims.ts';
import { Controller } from './runtime/controller.ts';
import { errorMessage } from './runtime/error-message.ts';
import { CustomObjectClient } from './runtime/custom-objects.ts';
import { EventRecorder } from './runtime/event-recorder.ts';
import { ResourceInformer } from './runtime/informer.ts';
import { LeaderElector } from './runtime/leader-election.ts';
import { PrometheusMetrics } from './runtime/metrics.ts';
import { startMetricsServer } from './runtime/metrics-server.ts';
import { startProbeServer } from './runtime/probe-server.ts';
import { KubernetesRequestAuthorizer, kubernetesAccessReviews } from './runtime/request-authorizer.ts';

const CONTROLLER = 'dynamodb.restore.dev/restore-controller';

const createdMs = (restore: DynamoDBRestore): number => Date.parse(String(restore.metadata.creationTimestamp ?? '')) || 0;

async function main(): Promise<void> {
  const config = loadConfig(process.env, process.argv.slice(2));
  const log = createLogger(config.logLevel, config.logFormat);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();

  const restores = new CustomObjectClient<DynamoDBRestore>(kubeConfig, { group: GROUP, version: VERSION, plural: PLURAL });
  const policies = new CustomObjectClient<DynamoDBRestorePolicy>(kubeConfig, { group: GROUP, version: VERSION, plural: POLICY_PLURAL });
  const metrics = new PrometheusMetrics();
  const informers = new Map<string, ResourceInformer<DynamoDBRestore>>();
  const cached = () => [...informers.values()].flatMap((i) => i.list());
  // AWS's restores-in-progress limit per account and Region, counted here; a wake-up goes to the leader's queue.
  let slots = new FairSlots(config.maxRestoresInProgress, () => undefined);
  const restoreMetrics = new RestoreMetrics(metrics.registry, cached, () =>
    slots.poolNames().map((pool) => ({ pool, inUse: slots.inUse(pool), waiting: slots.waiting(pool) })),
  );
  const clients = new DynamoDBClients({
    defaultRegion: config.defaultRegion,
    clusterName: config.clusterName,
    observe: (operation, code) => restoreMetrics.awsCall(operation, code),
    rateLimit: config.awsRateLimit,
  });
  const restoreSlots: RestoreSlots = {
    acquire: (restore) =>
      slots.acquire(restorePool(restore, config.defaultRegion), {
        key: objectKey(restore),
        group: restore.metadata.namespace,
        since: createdMs(restore),
      }),
    release: (key) => slots.release(key),
  };

  // One live resource per account, Region and table name; the leader keeps the claims, as it keeps the slots.
  let claims = new Claims();
  const tableClaims: TableClaims = {
    claim: (restore) => claims.claim(claimName(restore, config.defaultRegion), objectKey(restore)),
    release: (key) => claims.release(key),
  };

  const store: RestoreStore = {
    cached: (key) => (informers.get(splitKey(key).namespace) ?? informers.get(''))?.get(key),
    fresh: (key) => restores.get(splitKey(key).namespace, splitKey(key).name),
    writeStatus: (restore, status) => restores.replaceStatus({ ...restore, status }),
    setFinalizer: (restore, finalizer, present) => restores.setFinalizer(restore, finalizer, present),
  };
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
  const reconcile = restoreReconciler({
    policies: () => policyInformer.list(),
    store,
    dynamodb: (region, role) => clients.forRegion(region, role),
    events: new EventRecorder(kubeConfig, CONTROLLER, config.leaderElection.identity, log),
    now: () => new Date(),
    options: {
      ...DEFAULT_PLAN_OPTIONS,
      pollMinMs: config.pollMinMs,
      pollMaxMs: config.pollMaxMs,
      defaultRegion: config.defaultRegion,
      allowUngovernedNamespaces: config.allowUngovernedNamespaces,
    },
    metrics: restoreMetrics,
    slots: restoreSlots,
    claims: tableClaims,
    // Polls may take half the control-plane rate, shared among the restores in progress; the rest starts new ones.
    pollFloorMs: (restore) => {
      const rate = config.awsRateLimit?.perSecond;
      return rate ? (slots.inUse(restorePool(restore, config.defaultRegion)) * 1000) / (rate / 2) : 0;
    },
  });

  // The caches run on every replica (a new leader starts warm); only the leader's controller works on keys.
  let controller: Controller | undefined;
  const startWorking = () => {
    const working = new Controller({ name: 'dynamodbrestore', concurrency: config.maxConcurrentReconciles, log, metrics, reconcile });
    controller = working;
    // A new leader counts the restores its predecessor left in progress before it grants any slot.
    slots = new FairSlots(config.maxRestoresInProgress, (key) => working.queue.add(key));
    // And the claims on table names, in the order they were made (oldest first, should two ever have been made).
    claims = new Claims();
    const byAge = cached().sort((a, b) => createdMs(a) - createdMs(b) || objectKey(a).localeCompare(objectKey(b)));
    for (const restore of byAge) {
      if (holdsSlot(restore.status)) slots.hold(restorePool(restore, config.defaultRegion), objectKey(restore));
      if (holdsClaim(restore.status)) claims.claim(claimName(restore, config.defaultRegion), objectKey(restore));
    }
    working.start();
    for (const restore of cached()) working.queue.add(objectKey(restore));
  };
  const stopWorking = async () => {
    const stopping = controller;
    controller = undefined;
    await stopping?.stop();
  };

  // One informer per watched namespace (RBAC may grant no more), or one for the whole cluster.
  for (const namespace of config.watchNamespaces.length > 0 ? config.watchNamespaces : ['']) {
    informers.set(
      namespace,
      new ResourceInformer<DynamoDBRestore>({
        kubeConfig,
        path: restores.path(namespace || undefined),
        list: () => restores.list(namespace || undefined),
        onKey: (key) => controller?.queue.add(key),
        log,
        resyncPeriodMs: config.resyncPeriodMs,
      }),
    );
  }

  const isLeader = new Gauge({ name: 'leader_election_is_leader', help: '1 while this replica leads.', registers: [metrics.registry] });
  const elector = config.leaderElection.enabled
    ? new LeaderElector({
        kubeConfig,
        ...config.leaderElection,
        log,
        onStartedLeading: () => {
          isLeader.set(1);
          startWorking();
        },
        onStoppedLeading: async () => {
          isLeader.set(0);
          await stopWorking();
        },
      })
    : undefined;

  const probes = await startProbeServer({
    ...config.probeAddress,
    ready: () => policyInformer.hasSynced && [...informers.values()].every((i) => i.hasSynced),
  });
  const metricsServer = await startMetricsServer({
    ...config.metricsAddress,
    registry: metrics.registry,
    authorizer: new KubernetesRequestAuthorizer(kubernetesAccessReviews(kubeConfig)),
    certDir: config.metricsCertDir,
    log,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('Stopping', { signal });
    // Finish the reconciles in flight (their status writes included), then hand the lease over.
    if (elector) await elector.stop();
    else await stopWorking();
    await Promise.all([...informers.values(), policyInformer].map((i) => i.stop()));
    clients.destroy();
    probes.close();
    metricsServer.close();
    log.info('Stopped');
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  await Promise.all([...informers.values(), policyInformer].map((i) => i.start()));
  if (elector) elector.start();
  else startWorking();
  log.info('Started', {
    namespaces: config.watchNamespaces.length > 0 ? config.watchNamespaces : 'all',
    concurrency: config.maxConcurrentReconciles,
    leaderElection: config.leaderElection.enabled ? `${config.leaderElection.namespace}/${config.leaderElection.name}` : 'off',
    identity: config.leaderElection.identity,
    probeAddress: `${config.probeAddress.host}:${config.probeAddress.port}`,
    metricsAddress: `${config.metricsAddress.host}:${config.metricsAddress.port}`,
  });
}

main().catch((err: unknown) => {
  // Only start-up can get here (bad configuration, no kubeconfig): say so once, exit non-zero.
  console.error(JSON.stringify({ level: 'error', message: 'The operator could not start', error: errorMessage(err) }));
  process.exit(1);
});
