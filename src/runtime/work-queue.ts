// A key-based work queue with client-go's guarantees: a key waiting to be worked on is queued once however often
// it is added, a key is never handed to two workers at once, and a key added while it is being worked on is handed
// out again once that work is done. addAfter keeps the earliest of several pending delays per key. Metrics are
// reported where client-go's queue reports them.
import { NO_QUEUE_METRICS, type WorkQueueMetrics } from './metrics.ts';

export class WorkQueue {
  private readonly ready: string[] = [];
  /** Keys that need work: queued, or to be queued again when their current processing is done. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;

  constructor(private readonly metrics: WorkQueueMetrics = NO_QUEUE_METRICS) {}

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics.added(key);
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.hand(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Puts a key back after a failed attempt: addAfter, counted as a retry. */
  retryAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    this.metrics.retried(key);
    this.addAfter(key, delayMs);
  }

  /** The next key to work on, or undefined once the queue is shut down. Call done(key) when finished. */
  get(): Promise<string | undefined> {
    // A graceful stop finishes the reconciles in flight, not the backlog: the next leader takes that on.
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.ready.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    return new Promise((resolve) => this.waiters.push((k) => resolve(k === undefined ? undefined : this.take(k))));
  }

  done(key: string): void {
    this.metrics.done(key);
    this.processing.delete(key);
    if (this.dirty.has(key)) this.hand(key);
  }

  /** Stops handing out keys, queued ones included; workers waiting in get() receive undefined. Keys being processed may still finish. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  /** Keys waiting to be handed out (not those being processed or delayed). */
  get depth(): number {
    return this.ready.length;
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    this.metrics.taken(key);
    return key;
  }

  private hand(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(key);
    else this.ready.push(key);
  }
}
