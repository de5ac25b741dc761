// The schedule controller's parts: the schedules' caches, the ConfigMaps it publishes to, and a controller that runs
// on the leader only, woken by a schedule's change and by any change of one of its runs.
import { ApiException, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import { GROUP, VERSION, type DynamoDBRestore } from '../api/dynamodb-restore.ts';
import { SCHEDULE_API_VERSION, SCHEDULE_KIND, SCHEDULE_PLURAL, type DynamoDBRestoreSchedule } from '../api/dynamodb-restore-schedule.ts';
import { Controller } from '../runtime/controller.ts';
import { CustomObjectClient } from '../runtime/custom-objects.ts';
import type { EventSink } from '../runtime/event-recorder.ts';
import { ResourceInformer } from '../runtime/informer.ts';
import { objectKey } from '../runtime/keys.ts';
import type { ControllerMetrics } from '../runtime/metrics.ts';
import { SCHEDULE_LABEL } from './schedule-plan.ts';
import { scheduleReconciler, type ConfigMapPort } from './schedule-reconciler.ts';

export interface ScheduleSetupOptions {
  kubeConfig: KubeConfig;
  /** Namespaces watched; [''] for the whole cluster. */
  namespaces: string[];
  restoreClient: CustomObjectClient<DynamoDBRestore>;
  /** Every DynamoDBRestore in the restore controller's caches. */
  cachedRestores: () => readonly DynamoDBRestore[];
  events: EventSink;
  log: Logger;
  metrics: ControllerMetrics;
  resyncPeriodMs: number;
  minIntervalMs: number;
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

export function setupSchedules(options: ScheduleSetupOptions) {
  const { kubeConfig, log } = options;
  const schedules = new CustomObjectClient<DynamoDBRestoreSchedule>(kubeConfig, { group: GROUP, version: VERSION, plural: SCHEDULE_PLURAL });
  let controller: Controller | undefined;
  const informers = options.namespaces.map(
    (namespace) =>
      new ResourceInformer<DynamoDBRestoreSchedule>({
        kubeConfig,
        path: schedules.path(namespace || undefined),
        list: () => schedules.list(namespace || undefined),
        onKey: (key) => controller?.queue.add(key),
        log,
        resyncPeriodMs: options.resyncPeriodMs,
      }),
  );
  const reconcile = scheduleReconciler({
    store: {
      cached: (key) => {
        for (const informer of informers) {
          const found = informer.get(key);
          if (found) return found;
        }
        return undefined;
      },
      labelledRuns: (namespace, name) =>
        options.cachedRestores().filter((r) => r.metadata.namespace === namespace && r.metadata.labels?.[SCHEDULE_LABEL] === name),
      createRun: (run) => options.restoreClient.create(run),
      deleteRun: (namespace, name, uid) => options.restoreClient.delete(namespace, name, uid),
      writeStatus: (schedule, status) => schedules.replaceStatus({ ...schedule, status }),
    },
    configMaps: configMapPort(kubeConfig),
    events: options.events,
    now: () => new Date(),
    options: { minIntervalMs: options.minIntervalMs },
  });

  return {
    informers,
    /** For the restore informers: a run's change (its phase, its deletion) wakes its schedule. */
    onRestore: (restore: DynamoDBRestore) => {
      const owner = restore.metadata.labels?.[SCHEDULE_LABEL];
      if (owner) controller?.queue.add(objectKey({ metadata: { namespace: restore.metadata.namespace, name: owner } }));
    },
    startWorking: () => {
      const working = new Controller({ name: 'dynamodbrestoreschedule', concurrency: 2, log, metrics: options.metrics, reconcile });
      controller = working;
      working.start();
      for (const informer of informers) for (const schedule of informer.list()) working.queue.add(objectKey(schedule));
    },
    stopWorking: async () => {
      const stopping = controller;
      controller = undefined;
      await stopping?.stop();
    },
  };
}
