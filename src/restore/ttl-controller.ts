// The controller behind ttlSecondsAfterFinished: woken by any change of a restore that has one, it waits until the
// time has come and deletes the resource (only the object it judged: a uid precondition).
import type { Logger } from 'winston';
import type { DynamoDBRestore } from '../api/dynamodb-restore.ts';
import { Controller } from '../runtime/controller.ts';
import type { ControllerMetrics } from '../runtime/metrics.ts';
import { ttlDecision } from './ttl-after-finished.ts';

export interface TtlControllerOptions {
  cached: (key: string) => DynamoDBRestore | undefined;
  deleteRestore: (namespace: string, name: string, uid: string) => Promise<void>;
  log: Logger;
  metrics: ControllerMetrics;
}

export function ttlController(options: TtlControllerOptions): Controller {
  return new Controller({
    name: 'dynamodbrestore-ttl',
    concurrency: 1,
    log: options.log,
    metrics: options.metrics,
    reconcile: async (key, log) => {
      const restore = options.cached(key);
      if (!restore) return {};
      const decision = ttlDecision(restore, new Date());
      if (decision.kind === 'wait') return { requeueAfterMs: decision.ms };
      if (decision.kind === 'delete') {
        const { namespace, name, uid } = restore.metadata;
        log.info('Deleting: ttlSecondsAfterFinished has passed since it finished', { ttlSeconds: restore.spec.ttlSecondsAfterFinished, completionTime: restore.status?.completionTime });
        await options.deleteRestore(namespace, name, uid);
      }
      return {};
    },
  });
}
