// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it: one holder renews
// the lease every retry period; the others take it over once it has gone unrenewed for a lease duration, as
// measured on their own clock (so clock skew between nodes does not matter); a graceful stop hands it back at once.
import { ApiException, CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import { errorMessage } from './error-message.ts';
import { microTime } from './micro-time.ts';

export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  /** A leader that could not renew for this long stops leading (before anyone else may take over). */
  renewDeadlineMs: number;
  retryPeriodMs: number;
  log: Logger;
  onStartedLeading: () => void | Promise<void>;
  onStoppedLeading: () => void | Promise<void>;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private leading = false;
  private lastRenewal = 0;
  private observed = '';
  private observedAt = 0;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops leading (running onStoppedLeading) and hands the lease back so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    if (this.leading) {
      await this.options.onStoppedLeading();
      this.leading = false;
      await this.release();
    }
  }

  private async run(): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs, log } = this.options;
    while (!this.stopped) {
      // Each attempt is bounded by the renew deadline, as client-go bounds it: an apiserver that never answers must
      // not keep a leader leading past its deadline while another replica takes the expired lease over.
      const held = await withDeadline(this.tryAcquireOrRenew(), renewDeadlineMs).catch((err: unknown) => {
        log.warn('Could not read or write the leader lease', { error: errorMessage(err) });
        return false;
      });
      if (this.stopped) break;
      if (held) {
        this.lastRenewal = Date.now();
        if (!this.leading) {
          this.leading = true;
          log.info('Became the leader', { lease: this.leaseName });
          await this.options.onStartedLeading();
        }
      } else if (this.leading && Date.now() - this.lastRenewal > renewDeadlineMs) {
        this.leading = false;
        log.warn('Lost the leader lease; stopping work', { lease: this.leaseName });
        await this.options.onStoppedLeading();
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryPeriodMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private get leaseName(): string {
    return `${this.options.namespace}/${this.options.name}`;
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationMs } = this.options;
    const now = new Date();
    const spec = { holderIdentity: identity, leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000), renewTime: microTime(now) };
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 404)) throw err;
      return this.write(() => this.api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 } } }));
    }
    const holder = lease.spec?.holderIdentity ?? '';
    const record = `${holder}|${String(lease.spec?.renewTime ?? '')}`;
    if (record !== this.observed) {
      this.observed = record;
      this.observedAt = now.getTime();
    }
    const ours = holder === identity;
    const expired = holder === '' || now.getTime() > this.observedAt + (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
    if (!ours && !expired) return false;
    const body: V1Lease = {
      ...lease,
      spec: {
        ...lease.spec,
        ...spec,
        ...(ours ? {} : { acquireTime: microTime(now), leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1 }),
      },
    };
    // The replace carries the resourceVersion read: of two candidates taking over at once, one gets a 409.
    return this.write(() => this.api.replaceNamespacedLease({ namespace, name, body }));
  }

  private async write(call: () => Promise<V1Lease>): Promise<boolean> {
    try {
      const lease = await call();
      this.observed = `${lease.spec?.holderIdentity ?? ''}|${String(lease.spec?.renewTime ?? '')}`;
      this.observedAt = Date.now();
      return true;
    } catch (err) {
      if (err instanceof ApiException && err.code === 409) return false;
      throw err;
    }
  }

  /**
   * Hands the lease back if it is still ours, within the renew deadline: a stopping process must not hang on an
   * apiserver that never answers (the lease then expires on its own).
   */
  private async release(): Promise<void> {
    const { renewDeadlineMs, log } = this.options;
    try {
      if (await withDeadline(this.handBack(), renewDeadlineMs)) log.info('Released the leader lease', { lease: this.leaseName });
    } catch (err) {
      log.warn('Could not release the leader lease; another replica takes over once it expires', { error: errorMessage(err) });
    }
  }

  /** Empties the lease's holder, with a 1 s duration, so another replica takes over at once; false if not ours. */
  private async handBack(): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    const lease = await this.api.readNamespacedLease({ namespace, name });
    if (lease.spec?.holderIdentity !== identity) return false;
    await this.api.replaceNamespacedLease({
      namespace,
      name,
      body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(new Date()) } },
    });
    return true;
  }
}

/** The promise's outcome, or a rejection once ms have passed without one (the promise itself runs on, ignored). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
