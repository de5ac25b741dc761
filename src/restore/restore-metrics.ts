// The restore controller's Prometheus metrics: resources by namespace and phase and the longest restore in progress
// (counted from the cache at scrape time), restore slots held and waited for, restore durations, and AWS calls by
// operation and outcome. The namespace label is bounded (BoundedLabel): past the configured number of namespaces,
// "other".
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { PHASES, type DynamoDBRestore } from '../api/dynamodb-restore.ts';
import { BoundedLabel } from '../runtime/bounded-label.ts';

export interface RestoreMetricsSink {
  restoreFinished(namespace: string, phase: 'Completed' | 'Failed', durationSeconds: number): void;
  awsCall(operation: string, code: string): void;
}

export interface RestoreMetricsOptions {
  /** Resources in the caches, read at each scrape. */
  cached: () => readonly DynamoDBRestore[];
  /** Per account and Region pool, the restore slots held and the resources waiting for one. */
  slots?: () => ReadonlyArray<{ pool: string; inUse: number; waiting: number }>;
  /** How many distinct namespaces get a label of their own. */
  namespaceLabels: number;
  now?: () => number;
}

export class RestoreMetrics implements RestoreMetricsSink {
  private readonly durations: Histogram<'namespace' | 'phase'>;
  private readonly calls: Counter<'operation' | 'code'>;
  private readonly namespaces: BoundedLabel;

  constructor(registry: Registry, { cached, slots = () => [], namespaceLabels, now = Date.now }: RestoreMetricsOptions) {
    const namespaces = new BoundedLabel(namespaceLabels);
    this.namespaces = namespaces;
    // Sorted, so the namespaces admitted at the first scrape do not depend on the cache's order.
    const byNamespace = () => [...cached()].sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? ''));
    const label = (r: DynamoDBRestore) => namespaces.value(r.metadata.namespace ?? '');
    new Gauge({
      name: 'dynamodb_restore_slots_in_use',
      help: 'Restores in progress per account and Region, as the leader counts them against MAX_RESTORES_IN_PROGRESS.',
      labelNames: ['pool'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const { pool, inUse } of slots()) this.set({ pool }, inUse);
      },
    });
    new Gauge({
      name: 'dynamodb_restore_slots_waiting',
      help: 'Validated restores waiting for a restore slot (Queued), per account and Region.',
      labelNames: ['pool'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const { pool, waiting } of slots()) this.set({ pool }, waiting);
      },
    });
    new Gauge({
      name: 'dynamodb_restore_resources',
      help: 'DynamoDBRestore resources by namespace and phase (None: no status yet); every phase of a namespace with any.',
      labelNames: ['namespace', 'phase'] as const,
      registers: [registry],
      collect() {
        this.reset();
        const counts = new Map<string, Map<string, number>>();
        for (const r of byNamespace()) {
          const namespace = label(r);
          const phases = counts.get(namespace) ?? new Map([...PHASES, 'None'].map((p) => [p, 0]));
          counts.set(namespace, phases);
          const phase = r.status?.phase ?? 'None';
          phases.set(phase, (phases.get(phase) ?? 0) + 1);
        }
        for (const [namespace, phases] of counts) for (const [phase, n] of phases) this.set({ namespace, phase }, n);
      },
    });
    new Gauge({
      name: 'dynamodb_restore_longest_restoring_seconds',
      help: 'Per namespace, the seconds since the oldest restore still Restoring was requested of AWS.',
      labelNames: ['namespace'] as const,
      registers: [registry],
      collect() {
        this.reset();
        const longest = new Map<string, number>();
        for (const r of byNamespace()) {
          const since = Date.parse(r.status?.restoreRequestedAt ?? '');
          if (r.status?.phase !== 'Restoring' || !Number.isFinite(since)) continue;
          const namespace = label(r);
          longest.set(namespace, Math.max(longest.get(namespace) ?? 0, (now() - since) / 1000));
        }
        for (const [namespace, seconds] of longest) this.set({ namespace }, seconds);
      },
    });
    this.durations = new Histogram({
      name: 'dynamodb_restore_duration_seconds',
      help: 'Time from the restore request to a final phase, by namespace and that phase.',
      labelNames: ['namespace', 'phase'] as const,
      buckets: [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400],
      registers: [registry],
    });
    this.calls = new Counter({
      name: 'dynamodb_restore_aws_calls_total',
      help: 'AWS API calls by operation and result (OK or the AWS error code).',
      labelNames: ['operation', 'code'] as const,
      registers: [registry],
    });
  }

  restoreFinished(namespace: string, phase: 'Completed' | 'Failed', durationSeconds: number): void {
    this.durations.observe({ namespace: this.namespaces.value(namespace), phase }, durationSeconds);
  }

  awsCall(operation: string, code: string): void {
    this.calls.inc({ operation, code });
  }
}
