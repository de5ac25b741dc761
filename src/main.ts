// Wiring only: configuration → clients → runtime → the restore controller, and a graceful stop on SIGTERM.
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, type DynamoDBRestore } from './api/dynamodb-restore.ts';
import { DynamoDBClients } from './aws/dynamodb-client.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { restoreReconciler, type RestoreStore } from './restore/restore-reconciler.ts';
import { Controller, errorMessage } from './runtime/controller.ts';
import { CustomObjectClient } from './runtime/custom-objects.ts';
import { EventRecorder } from './runtime/event-recorder.ts';
import { ResourceInformer, splitKey } from './runtime/informer.ts';
import { PrometheusMetrics } from './runtime/metrics.ts';
import { startProbeServer } from './runtime/probe-server.ts';

const CONTROLLER = 'dynamodb.restore.dev/restore-controller';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();

  const restores = new CustomObjectClient<DynamoDBRestore>(kubeConfig, { group: GROUP, version: VERSION, plural: PLURAL });
  const metrics = new PrometheusMetrics();
  const clients = new DynamoDBClients(config.defaultRegion);
  const informers = new Map<string, ResourceInformer<DynamoDBRestore>>();

  const store: RestoreStore = {
    cached: (key) => (informers.get(splitKey(key).namespace) ?? informers.get(''))?.get(key),
    fresh: (key) => restores.get(splitKey(key).namespace, splitKey(key).name),
    writeStatus: (restore, status) => restores.replaceStatus({ ...restore, status }),
  };
  const controller = new Controller({
    name: 'dynamodbrestore',
    concurrency: config.maxConcurrentReconciles,
    log,
    metrics,
    reconcile: restoreReconciler({
      store,
      dynamodb: (region) => clients.forRegion(region),
      events: new EventRecorder(kubeConfig, CONTROLLER, hostname(), log),
      now: () => new Date(),
      options: { pollMinMs: config.pollMinMs, pollMaxMs: config.pollMaxMs, adoptionSkewMs: 60_000, defaultRegion: config.defaultRegion },
    }),
  });

  // One informer per watched namespace (RBAC may grant no more), or one for the whole cluster.
  for (const namespace of config.watchNamespaces.length > 0 ? config.watchNamespaces : ['']) {
    informers.set(
      namespace,
      new ResourceInformer<DynamoDBRestore>({
        kubeConfig,
        path: restores.path(namespace || undefined),
        list: () => restores.list(namespace || undefined),
        onKey: (key) => controller.queue.add(key),
        log,
        resyncPeriodMs: config.resyncPeriodMs,
      }),
    );
  }

  const probes = await startProbeServer({
    ...config.probeAddress,
    registry: metrics.registry,
    ready: () => [...informers.values()].every((i) => i.hasSynced),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('Stopping', { signal });
    await Promise.all([...informers.values()].map((i) => i.stop()));
    await controller.stop();
    clients.destroy();
    probes.close();
    log.info('Stopped');
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  controller.start();
  await Promise.all([...informers.values()].map((i) => i.start()));
  log.info('Started', {
    namespaces: config.watchNamespaces.length > 0 ? config.watchNamespaces : 'all',
    concurrency: config.maxConcurrentReconciles,
    probeAddress: `${config.probeAddress.host}:${config.probeAddress.port}`,
  });
}

main().catch((err: unknown) => {
  // Only start-up can get here (bad configuration, no kubeconfig): say so once, exit non-zero.
  console.error(JSON.stringify({ level: 'error', message: 'The operator could not start', error: errorMessage(err) }));
  process.exit(1);
});
