// The runtime's manager, as controller-runtime's: it owns the caches (on every replica, so a new leader starts
// warm), the probe and metrics servers, leader election, and what runs only on the leader; and it stops them in
// order. A lost lease ends the process (the Deployment starts it again), so no reconcile outlives its leadership.
import type { Server } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { Gauge } from 'prom-client';
import type { Logger } from 'winston';
import { LeaderElector, type LeaderElectionOptions } from './leader-election.ts';
import type { PrometheusMetrics } from './metrics.ts';
import { startMetricsServer } from './metrics-server.ts';
import { startProbeServer } from './probe-server.ts';
import { KubernetesRequestAuthorizer, kubernetesAccessReviews } from './request-authorizer.ts';

/** Something the manager starts and stops. */
export interface Runnable {
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

/** A cache of objects: started (and listed) on every replica; the replica is ready once every cache has synced. */
export interface Cache extends Runnable {
  readonly hasSynced: boolean;
}

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  log: Logger;
  metrics: PrometheusMetrics;
  probeAddress: { host: string; port: number };
  metricsAddress: { host: string; port: number };
  metricsCertDir: string | undefined;
  /** One active replica at a time; disabled: this replica leads from the start. */
  leaderElection: { enabled: boolean } & Pick<LeaderElectionOptions, 'namespace' | 'name' | 'identity' | 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>;
  /** Ends the process after a lost lease (process.exit in the operator; tests watch it). */
  exit: (code: number) => void;
}

export class Manager {
  private readonly caches: Cache[] = [];
  private readonly leaderRunnables: Runnable[] = [];
  private readonly cleanups: Array<() => void> = [];
  private readonly elector: LeaderElector | undefined;
  private servers: Server[] = [];
  private stopping = false;

  constructor(private readonly options: ManagerOptions) {
    const { leaderElection, kubeConfig, log, metrics } = options;
    const isLeader = new Gauge({ name: 'leader_election_is_leader', help: '1 while this replica leads.', registers: [metrics.registry] });
    this.elector = leaderElection.enabled
      ? new LeaderElector({
          kubeConfig,
          ...leaderElection,
          log,
          onStartedLeading: async () => {
            isLeader.set(1);
            await this.startLeading();
          },
          onStoppedLeading: async () => {
            isLeader.set(0);
            if (this.stopping) return this.stopLeading();
            // controller-runtime's way: exit at once rather than stop in order, since another replica may already
            // lead and nothing this one does from now on is safe.
            log.error('Lost the leader lease; exiting so that no reconcile outlives its leadership', { lease: `${leaderElection.namespace}/${leaderElection.name}` });
            options.exit(1);
          },
        })
      : undefined;
  }

  addCache(cache: Cache): void {
    this.caches.push(cache);
  }

  /** Started when this replica becomes the leader (at most once: a lost lease ends the process), stopped on stop(). */
  addLeaderRunnable(runnable: Runnable): void {
    this.leaderRunnables.push(runnable);
  }

  /** Run last on stop (clients to close). */
  onStop(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  async start(): Promise<void> {
    const { probeAddress, metricsAddress, metricsCertDir, metrics, kubeConfig, log } = this.options;
    this.servers = [
      await startProbeServer({ ...probeAddress, ready: () => this.caches.every((c) => c.hasSynced) }),
      await startMetricsServer({
        ...metricsAddress,
        registry: metrics.registry,
        authorizer: new KubernetesRequestAuthorizer(kubernetesAccessReviews(kubeConfig)),
        certDir: metricsCertDir,
        log,
      }),
    ];
    await Promise.all(this.caches.map(async (c) => c.start()));
    if (this.elector) this.elector.start();
    else await this.startLeading();
  }

  /** Finishes the reconciles in flight (their status writes included), hands the lease over, then stops the rest. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.elector) await this.elector.stop();
    else await this.stopLeading();
    await Promise.all(this.caches.map((c) => c.stop()));
    for (const cleanup of this.cleanups) cleanup();
    for (const server of this.servers) server.close();
  }

  private async startLeading(): Promise<void> {
    for (const runnable of this.leaderRunnables) await runnable.start();
  }

  private async stopLeading(): Promise<void> {
    await Promise.all(this.leaderRunnables.map((r) => r.stop()));
  }
}
