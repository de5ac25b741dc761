// The runtime's Prometheus metrics. Controllers report through this interface, so tests can count without a registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** controller-runtime's result labels: requeue is a retry with backoff the reconcile asked for. */
export type ReconcileOutcome = 'success' | 'requeue' | 'requeue_after' | 'error';

export interface ControllerMetrics {
  reconciled(controller: string, outcome: ReconcileOutcome, durationMs: number): void;
  queueDepth(controller: string, depth: number): void;
}

export class PrometheusMetrics implements ControllerMetrics {
  readonly registry = new Registry();
  private readonly reconciles = new Counter({
    name: 'controller_reconcile_total',
    help: 'Reconciles by controller and outcome.',
    labelNames: ['controller', 'result'] as const,
    registers: [this.registry],
  });
  private readonly reconcileSeconds = new Histogram({
    name: 'controller_reconcile_duration_seconds',
    help: 'Time spent in one reconcile.',
    labelNames: ['controller'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly depth = new Gauge({
    name: 'controller_queue_depth',
    help: 'Keys waiting in the work queue.',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  reconciled(controller: string, outcome: ReconcileOutcome, durationMs: number): void {
    this.reconciles.inc({ controller, result: outcome });
    this.reconcileSeconds.observe({ controller }, durationMs / 1000);
  }

  queueDepth(controller: string, depth: number): void {
    this.depth.set({ controller }, depth);
  }
}
