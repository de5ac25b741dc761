// The DynamoDBRestoreSchedule controller's parts, wired into the manager: the schedules' caches, the ConfigMaps it
// publishes to, and a controller that runs on the leader only, woken by a schedule's change and by any change of one
// of its runs.
import { ApiException, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import { GROUP, VERSION } from '../api/dynamodb-restore.ts';
import { SCHEDULE_API_VERSION, SCHEDULE_KIND, SCHEDULE_PLURAL, type DynamoDBRestoreSchedule } from '../api/dynamodb-restore-schedule.ts';
import { Controller } from '../runtime/controller.ts';
import { CustomObjectClient } from '../runtime/custom-objects.ts';
import { ResourceInformer } from '../runtime/informer.ts';
import { objectKey } from '../runtime/keys.ts';
import type { Manager } from '../runtime/manager.ts';
import type { PrometheusMetrics } from '../runtime/metrics.ts';
import type { Config } from '../config.ts';
import type { Restores } from '../restore/restore-setup.ts';
import { SCHEDULE_LABEL } from './schedule-plan.ts';
import { scheduleReconciler, type ConfigMapPort } from './schedule-reconciler.ts';

export interface ScheduleSetup {
  config: Config;
  kubeConfig: KubeConfig;
  log: Logger;
  metrics: PrometheusMetrics;
  /** The restore controller's client, caches and events: a schedule's runs are restores. */
  restores: Restores;
}

function configMapPort(kubeConfig: KubeConfig): ConfigMapPort {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return {
    read: async (namespace, name) => {
      try {
        const found = await core.readNamespacedConfigMap({ namespace, name });
        return { data: found.data ?? {}, metadata: { ownerReferences: found.metadata?.ownerReferences ?? [] } };
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return undefined;
        throw err;
      }
    },
    create: async (namespace, name, owner, data) => {
      const ownerReferences = [
        { apiVersion: SCHEDULE_API_VERSION, kind: SCHEDULE_KIND, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true },
      ];
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name, namespace, ownerReferences, labels: { [SCHEDULE_LABEL]: owner.metadata.name } }, data } });
    },
    merge: async (namespace, name, data) => {
      await core.patchNamespacedConfigMap({ namespace, name, body: { data } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    },
  };
}

export function setupScheduleController(manager: Manager, { config, kubeConfig, log, metrics, restores }: ScheduleSetup): void {
  const schedules = new CustomObjectClient<DynamoDBRestoreSchedule>(kubeConfig, { group: GROUP, version: VERSION, plural: SCHEDULE_PLURAL });
  // A key seen before this replica leads waits in the queue; the leader looks at every cached schedule anyway.
  const informers = (config.watchNamespaces.length > 0 ? config.watchNamespaces : ['']).map(
    (namespace) =>
      new ResourceInformer<DynamoDBRestoreSchedule>({
        kubeConfig,
        path: schedules.path(namespace || undefined),
        list: () => schedules.list(namespace || undefined),
        onKey: (key) => controller.queue.add(key),
        log,
        resyncPeriodMs: config.resyncPeriodMs,
      }),
  );
  const reconcile = scheduleReconciler({
    store: {
      cached: (key) => informers.map((i) => i.get(key)).find((s) => s !== undefined),
      labelledRuns: (namespace, name) => restores.cached().filter((r) => r.metadata.namespace === namespace && r.metadata.labels?.[SCHEDULE_LABEL] === name),
      createRun: (run) => restores.client.create(run),
      deleteRun: (namespace, name, uid) => restores.client.delete(namespace, name, uid),
      writeStatus: (schedule, status) => schedules.replaceStatus({ ...schedule, status }),
    },
    configMaps: configMapPort(kubeConfig),
    events: restores.events,
    now: () => new Date(),
    options: { minIntervalMs: config.scheduleMinIntervalMs },
  });
  const controller = new Controller({ name: 'dynamodbrestoreschedule', concurrency: 2, log, metrics, reconcile });

  for (const informer of informers) manager.addCache(informer);
  // A run's change (its phase, its deletion) wakes its schedule.
  restores.follow((restore) => {
    const owner = restore.metadata.labels?.[SCHEDULE_LABEL];
    if (owner) controller.queue.add(objectKey({ metadata: { namespace: restore.metadata.namespace, name: owner } }));
  });
  manager.addLeaderRunnable({
    start: () => {
      controller.start();
      for (const informer of informers) for (const schedule of informer.list()) controller.queue.add(objectKey(schedule));
    },
    stop: () => controller.stop(),
  });
}
