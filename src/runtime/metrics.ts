// The runtime's Prometheus metrics, under controller-runtime's names, labels and buckets
// (sigs.k8s.io/controller-runtime: pkg/internal/controller/metrics/metrics.go and pkg/metrics/workqueue.go), so the
// dashboards and alerts written for Go operators read this one unchanged. Controllers and queues report through the
// interfaces below, so tests can count without a registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** controller-runtime's result labels: requeue is a retry with backoff the reconcile asked for. */
export type ReconcileOutcome = 'success' | 'requeue' | 'requeue_after' | 'error';

/** What a work queue reports, at the points client-go's queue reports them. */
export interface WorkQueueMetrics {
  /** A key became dirty (an add that was not a duplicate). */
  added(key: string): void;
  /** A worker took the key. */
  taken(key: string): void;
  /** The worker finished with the key. */
  done(key: string): void;
  /** The key was put back after a failed reconcile (client-go's AddRateLimited). */
  retried(key: string): void;
}

export interface ControllerMetrics {
  /** The metrics of the work queue of a controller (one per leadership term; a new one starts from empty). */
  workQueue(controller: string): WorkQueueMetrics;
  /** The controller's workers started: at most this many reconciles at once. */
  started(controller: string, maxConcurrentReconciles: number): void;
  reconciling(controller: string): void;
  reconciled(controller: string, outcome: ReconcileOutcome, durationMs: number): void;
}

export const NO_QUEUE_METRICS: WorkQueueMetrics = { added: () => undefined, taken: () => undefined, done: () => undefined, retried: () => undefined };

// client-go's and controller-runtime's buckets: prometheus.ExponentialBuckets(10e-9, 10, 12), 10 ns to 1000 s.
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => Number((1e-8 * 10 ** i).toPrecision(1)));
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7,
  8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

export class PrometheusMetrics implements ControllerMetrics {
  readonly registry = new Registry();
  private readonly queues = new Map<string, QueueTimes>();

  private readonly reconciles = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'] as const,
    registers: [this.registry],
  });
  private readonly reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  private readonly reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'] as const,
    buckets: RECONCILE_BUCKETS,
    registers: [this.registry],
  });
  private readonly maxConcurrent = new Gauge({
    name: 'controller_runtime_max_concurrent_reconciles',
    help: 'Maximum number of concurrent reconciles per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  private readonly activeWorkers = new Gauge({
    name: 'controller_runtime_active_workers',
    help: 'Number of currently used workers per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  // controller-runtime sets both name and controller to the controller's name.
  private readonly depth = new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });
  private readonly adds = new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });
  private readonly queueDuration = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested',
    labelNames: ['name', 'controller'] as const,
    buckets: QUEUE_BUCKETS,
    registers: [this.registry],
  });
  private readonly workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes.',
    labelNames: ['name', 'controller'] as const,
    buckets: QUEUE_BUCKETS,
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Work in progress, measured when scraped (client-go updates these every 500 ms).
    const queues = this.queues;
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help:
        "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. " +
        'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
      labelNames: ['name', 'controller'] as const,
      registers: [this.registry],
      collect() {
        for (const [name, times] of queues) this.set({ name, controller: name }, times.inProgressSeconds(performance.now()).total);
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name', 'controller'] as const,
      registers: [this.registry],
      collect() {
        for (const [name, times] of queues) this.set({ name, controller: name }, times.inProgressSeconds(performance.now()).longest);
      },
    });
  }

  workQueue(controller: string): WorkQueueMetrics {
    const labels = { name: controller, controller };
    const times = new QueueTimes();
    this.queues.set(controller, times);
    this.depth.set(labels, 0);
    this.adds.inc(labels, 0);
    this.retries.inc(labels, 0);
    return {
      added: (key) => {
        this.adds.inc(labels);
        this.depth.inc(labels);
        times.added(key, performance.now());
      },
      taken: (key) => {
        this.depth.dec(labels);
        const waited = times.taken(key, performance.now());
        if (waited !== undefined) this.queueDuration.observe(labels, waited);
      },
      done: (key) => {
        const worked = times.done(key, performance.now());
        if (worked !== undefined) this.workDuration.observe(labels, worked);
      },
      retried: () => this.retries.inc(labels),
    };
  }

  started(controller: string, maxConcurrentReconciles: number): void {
    this.maxConcurrent.set({ controller }, maxConcurrentReconciles);
    this.activeWorkers.set({ controller }, 0);
    this.reconcileErrors.inc({ controller }, 0);
  }

  reconciling(controller: string): void {
    this.activeWorkers.inc({ controller });
  }

  reconciled(controller: string, outcome: ReconcileOutcome, durationMs: number): void {
    this.activeWorkers.dec({ controller });
    this.reconciles.inc({ controller, result: outcome });
    if (outcome === 'error') this.reconcileErrors.inc({ controller });
    this.reconcileTime.observe({ controller }, durationMs / 1000);
  }
}

/** When each queued key was added and each key in progress was taken, as client-go's defaultQueueMetrics keeps them. */
class QueueTimes {
  private readonly addedAt = new Map<string, number>();
  private readonly takenAt = new Map<string, number>();

  added(key: string, nowMs: number): void {
    if (!this.addedAt.has(key)) this.addedAt.set(key, nowMs);
  }

  /** Seconds the key waited, if its add was seen. */
  taken(key: string, nowMs: number): number | undefined {
    const since = this.addedAt.get(key);
    this.addedAt.delete(key);
    this.takenAt.set(key, nowMs);
    return since === undefined ? undefined : (nowMs - since) / 1000;
  }

  /** Seconds the key was worked on. */
  done(key: string, nowMs: number): number | undefined {
    const since = this.takenAt.get(key);
    this.takenAt.delete(key);
    return since === undefined ? undefined : (nowMs - since) / 1000;
  }

  inProgressSeconds(nowMs: number): { total: number; longest: number } {
    let total = 0;
    let longest = 0;
    for (const since of this.takenAt.values()) {
      total += (nowMs - since) / 1000;
      longest = Math.max(longest, (nowMs - since) / 1000);
    }
    return { total, longest };
  }
}
