// Runs a reconciler over a work queue: bounded concurrency, one worker per key, per-key exponential backoff on
// error, and "requeue after" on request. Knows nothing of what it reconciles.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'winston';
import { ExponentialBackoff } from './backoff.ts';
import type { ControllerMetrics } from './metrics.ts';
import { errorMessage } from './error-message.ts';
import { WorkQueue } from './work-queue.ts';
import { splitKey } from './keys.ts';

/**
 * What a reconcile asks for next (controller-runtime's Result): nothing, another look after a delay, or another look
 * after the key's exponential backoff, for a failure it expected and has recorded (a retryable AWS error in the
 * status). Throwing is for the unexpected: retried the same way, and logged as an error.
 */
export type ReconcileResult = { requeueAfterMs?: number; backoff?: undefined } | { backoff: true; requeueAfterMs?: undefined };

export type Reconcile = (key: string, log: Logger) => Promise<ReconcileResult>;

export interface ControllerOptions {
  name: string;
  reconcile: Reconcile;
  concurrency: number;
  log: Logger;
  metrics: ControllerMetrics;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export class Controller {
  readonly queue: WorkQueue;
  private readonly backoff: ExponentialBackoff;
  private workers: Promise<void>[] = [];

  constructor(private readonly options: ControllerOptions) {
    this.queue = new WorkQueue(options.metrics.workQueue(options.name));
    this.backoff = new ExponentialBackoff(options.backoffBaseMs ?? 1_000, options.backoffMaxMs ?? 300_000);
  }

  start(): void {
    this.options.metrics.started(this.options.name, this.options.concurrency);
    for (let i = 0; i < this.options.concurrency; i++) this.workers.push(this.work());
  }

  /** Stops taking keys and waits for the reconciles in flight to finish. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      await this.process(key);
      this.queue.done(key);
    }
  }

  private async process(key: string): Promise<void> {
    const { name, reconcile, log, metrics } = this.options;
    const { namespace, name: objectName } = splitKey(key);
    const reconcileLog = log.child({ controller: name, namespace, name: objectName, reconcileId: randomUUID() });
    const started = performance.now();
    metrics.reconciling(name);
    try {
      const result = await reconcile(key, reconcileLog);
      if (result.backoff) {
        const delayMs = this.backoff.next(key);
        reconcileLog.debug('Retrying with backoff', { retryInMs: delayMs });
        this.queue.addAfter(key, delayMs);
        metrics.reconciled(name, 'requeue', performance.now() - started);
      } else {
        this.backoff.forget(key);
        if (result.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
        metrics.reconciled(name, result.requeueAfterMs === undefined ? 'success' : 'requeue_after', performance.now() - started);
      }
    } catch (err) {
      const delayMs = this.backoff.next(key);
      reconcileLog.error('Reconcile failed; retrying with backoff', { error: errorMessage(err), retryInMs: delayMs });
      this.queue.retryAfter(key, delayMs);
      metrics.reconciled(name, 'error', performance.now() - started);
    }
  }
}
