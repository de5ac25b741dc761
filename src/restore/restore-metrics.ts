// The restore controller's Prometheus metrics: resources by phase (counted from the cache at scrape time), restore
// slots held and waited for, restore durations, and AWS calls by operation and outcome.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { PHASES, type DynamoDBRestore } from '../api/dynamodb-restore.ts';

export interface RestoreMetricsSink {
  restoreFinished(phase: 'Completed' | 'Failed', durationSeconds: number): void;
  awsCall(operation: string, code: string): void;
}

export class RestoreMetrics implements RestoreMetricsSink {
  private readonly durations: Histogram<'phase'>;
  private readonly calls: Counter<'operation' | 'code'>;

  /** slots: per account and Region pool, the restore slots held and the resources waiting for one. */
  constructor(registry: Registry, cached: () => readonly DynamoDBRestore[], slots: () => ReadonlyArray<{ pool: string; inUse: number; waiting: number }> = () => []) {
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
      help: 'DynamoDBRestore resources by phase.',
      labelNames: ['phase'] as const,
      registers: [registry],
      collect() {
        const counts = new Map<string, number>([...PHASES, 'None'].map((p) => [p, 0]));
        for (const r of cached()) {
          const phase = r.status?.phase ?? 'None';
          counts.set(phase, (counts.get(phase) ?? 0) + 1);
        }
        for (const [phase, n] of counts) this.set({ phase }, n);
      },
    });
    this.durations = new Histogram({
      name: 'dynamodb_restore_duration_seconds',
      help: 'Time from the restore request to a final phase.',
      labelNames: ['phase'] as const,
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

  restoreFinished(phase: 'Completed' | 'Failed', durationSeconds: number): void {
    this.durations.observe({ phase }, durationSeconds);
  }

  awsCall(operation: string, code: string): void {
    this.calls.inc({ operation, code });
  }
}
