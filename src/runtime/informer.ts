// Keeps a cache of one resource kind from a list+watch and turns every change into a queue key ("namespace/name").
// client-node's ListWatch relists on 410 Gone by itself but gives up on other errors; this restarts it with
// backoff, so an apiserver restart or a network fault never leaves the operator blind.
import { makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import { ExponentialBackoff } from './backoff.ts';
import { errorMessage } from './error-message.ts';
import { objectKey, splitKey } from './keys.ts';

export interface InformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** The collection path to watch, e.g. /apis/group/v1/namespaces/ns/plural or /apis/group/v1/plural. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  onKey: (key: string) => void;
  /** Every add, update (status too) and delete, unfiltered: for another controller that follows these objects,
   *  as controller-runtime's Owns() wakes an owner on any change of what it owns. */
  onObject?: (obj: T) => void;
  log: Logger;
  /** Every period, every cached key is handed to onKey again: the safety net, not the mechanism. */
  resyncPeriodMs: number;
}

/**
 * What of an object is worth a reconcile when it changes: its spec (generation) and its deletion. Not its status or
 * its finalizers: the reconciler writes both itself, and a wake on its own write would cut short the wait it chose.
 */
function changeMark(obj: KubernetesObject): string {
  return `${obj.metadata?.generation ?? ''}|${String(obj.metadata?.deletionTimestamp ?? '')}`;
}

/**
 * Drops what the operator never reads from a cached object, in place: managedFields is often most of a small
 * object's size (controller-runtime strips it from its cache too). A write without it keeps the server's.
 */
function slim<T extends KubernetesObject>(obj: T): T {
  if (obj.metadata) delete obj.metadata.managedFields;
  return obj;
}

export class ResourceInformer<T extends KubernetesObject> {
  private readonly informer: Informer<T> & ObjectCache<T>;
  private readonly restartBackoff = new ExponentialBackoff(500, 30_000);
  private resyncTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private synced = false;
  private startError: unknown;
  /** Per key, what of the object last woke a reconcile. */
  private readonly seen = new Map<string, string>();

  constructor(private readonly options: InformerOptions<T>) {
    const list = async () => {
      const listed = await options.list();
      // The apiserver answers again: the next failure starts its backoff afresh. (Not on client-node's 'connect',
      // fired at the start of every attempt, which kept the backoff at its first step through a whole outage.)
      this.restartBackoff.forget(options.path);
      return listed;
    };
    this.informer = makeInformer(options.kubeConfig, options.path, list);
    // The cache keeps the objects it hands to these handlers, listed or watched (a listed object it already holds at
    // the same resourceVersion is not replaced), so slimming them here slims every cached object.
    this.informer.on('add', (obj) => {
      slim(obj);
      options.onObject?.(obj);
      this.seen.set(objectKey(obj), changeMark(obj));
      options.onKey(objectKey(obj));
    });
    // Like controller-runtime's GenerationChangedPredicate: a status write (ours, mostly) is no reason to look
    // again; a reconcile that needs another look asks for it. Otherwise every status write would re-run the
    // reconcile at once and defeat its requeue-after and backoff.
    this.informer.on('update', (obj) => {
      slim(obj);
      options.onObject?.(obj);
      const key = objectKey(obj);
      const mark = changeMark(obj);
      if (this.seen.get(key) === mark) return;
      this.seen.set(key, mark);
      options.onKey(key);
    });
    this.informer.on('delete', (obj) => {
      options.onObject?.(obj);
      this.seen.delete(objectKey(obj));
      options.onKey(objectKey(obj));
    });
    this.informer.on('error', (err: unknown) => {
      if (this.synced) this.restart(err);
      else this.startError = err;
    });
  }

  /** Resolves once the first list is in the cache, retrying with backoff until it is. */
  async start(): Promise<void> {
    for (;;) {
      this.startError = undefined;
      await this.informer.start();
      if (this.startError === undefined) break;
      const delayMs = this.restartBackoff.next(this.options.path);
      this.options.log.warn('Initial list failed; retrying', { path: this.options.path, error: errorMessage(this.startError), retryInMs: delayMs });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (this.stopped) return;
    }
    this.synced = true;
    this.resyncTimer = setInterval(() => this.resync(), this.options.resyncPeriodMs);
    this.resyncTimer.unref();
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  get(key: string): T | undefined {
    const { namespace, name } = splitKey(key);
    return this.informer.get(name, namespace || undefined);
  }

  list(): readonly T[] {
    return this.informer.list();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  private resync(): void {
    for (const obj of this.informer.list()) this.options.onKey(objectKey(obj));
  }

  private restart(err: unknown): void {
    if (this.stopped) return;
    const delayMs = this.restartBackoff.next(this.options.path);
    this.options.log.warn('Watch failed; restarting it', { path: this.options.path, error: errorMessage(err), retryInMs: delayMs });
    this.restartTimer = setTimeout(() => {
      this.informer.start().then(
        () => this.resync(),
        (e: unknown) => this.restart(e),
      );
    }, delayMs);
  }
}
