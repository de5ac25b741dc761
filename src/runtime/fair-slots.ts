// Capacity-limited pools of slots with a fair queue. Within a pool, waiting keys are served round-robin across their
// groups (one from each group in turn, starting after the group served last), oldest first within a group, so one
// group's burst cannot starve another.
// Nothing here knows what a slot is for; the caller says who holds one, asks for one, and gives one back.

export interface Waiter {
  key: string;
  group: string;
  /** Orders keys within a group: smaller first (e.g. a creation time in ms). */
  since: number;
}

export type SlotAnswer =
  | { granted: true }
  /** position: 1-based place in the pool's fair order; inUse of capacity slots are held. */
  | { granted: false; position: number; inUse: number; capacity: number };

interface Pool {
  holders: Set<string>;
  waiting: Map<string, Waiter>;
  /** The group granted a slot last: the next round starts after it. */
  lastGroup?: string;
}

/**
 * The waiters in the order they are served: round r takes the r-th oldest of every group. Groups form a ring
 * ordered by their oldest waiter; the rounds start at the group after `after` (the one served last).
 */
export function fairOrder(waiters: Iterable<Waiter>, after?: string): Waiter[] {
  const byGroup = new Map<string, Waiter[]>();
  for (const w of waiters) {
    const group = byGroup.get(w.group);
    if (group) group.push(w);
    else byGroup.set(w.group, [w]);
  }
  const oldestFirst = (a: Waiter, b: Waiter) => a.since - b.since || a.key.localeCompare(b.key);
  const ring = [...byGroup.values()].map((g) => g.sort(oldestFirst)).sort((a, b) => oldestFirst(a[0] as Waiter, b[0] as Waiter));
  const start = after === undefined ? 0 : ring.findIndex((g) => (g[0] as Waiter).group === after) + 1;
  const groups = [...ring.slice(start), ...ring.slice(0, start)];
  const total = groups.reduce((n, g) => n + g.length, 0);
  const order: Waiter[] = [];
  for (let round = 0; order.length < total; round++) {
    for (const g of groups) {
      const w = g[round];
      if (w) order.push(w);
    }
  }
  return order;
}

export class FairSlots {
  private readonly pools = new Map<string, Pool>();
  private readonly poolOf = new Map<string, string>();

  /** wake: told of a waiting key whose turn has come, to look again now. */
  constructor(
    readonly capacity: number,
    private readonly wake: (key: string) => void,
  ) {}

  /** Records a key that holds a slot already (after a restart, from what its resource says). */
  hold(pool: string, key: string): void {
    this.forget(key);
    this.pool(pool).holders.add(key);
    this.poolOf.set(key, pool);
  }

  /** A slot for the waiter if one is free and it is the waiter's turn; else its place in the queue. */
  acquire(pool: string, waiter: Waiter): SlotAnswer {
    const p = this.pool(pool);
    if (p.holders.has(waiter.key)) return { granted: true };
    if (this.poolOf.get(waiter.key) !== pool) this.forget(waiter.key);
    p.waiting.set(waiter.key, waiter);
    this.poolOf.set(waiter.key, pool);
    const free = this.capacity - p.holders.size;
    const index = fairOrder(p.waiting.values(), p.lastGroup).findIndex((w) => w.key === waiter.key);
    if (index < free) {
      p.waiting.delete(waiter.key);
      p.holders.add(waiter.key);
      p.lastGroup = waiter.group;
      return { granted: true };
    }
    return { granted: false, position: index + 1, inUse: p.holders.size, capacity: this.capacity };
  }

  /** The key needs no slot any more (done, failed or gone): its slot or its place goes, and the next in turn wake. */
  release(key: string): void {
    const pool = this.poolOf.get(key);
    if (pool === undefined) return;
    this.forget(key);
    // forget drops a pool left empty: then no one waits to be woken.
    const p = this.pools.get(pool);
    if (p === undefined) return;
    const free = this.capacity - p.holders.size;
    for (const w of fairOrder(p.waiting.values(), p.lastGroup).slice(0, Math.max(0, free))) this.wake(w.key);
  }

  inUse(pool: string): number {
    return this.pools.get(pool)?.holders.size ?? 0;
  }

  waiting(pool: string): number {
    return this.pools.get(pool)?.waiting.size ?? 0;
  }

  /** Every pool with something in it, for metrics. */
  poolNames(): string[] {
    return [...this.pools.keys()];
  }

  private forget(key: string): void {
    const pool = this.poolOf.get(key);
    if (pool === undefined) return;
    const p = this.pools.get(pool);
    p?.holders.delete(key);
    p?.waiting.delete(key);
    this.poolOf.delete(key);
    if (p && p.holders.size === 0 && p.waiting.size === 0) this.pools.delete(pool);
  }

  private pool(name: string): Pool {
    let p = this.pools.get(name);
    if (!p) {
      p = { holders: new Set(), waiting: new Map() };
      this.pools.set(name, p);
    }
    return p;
  }
}
