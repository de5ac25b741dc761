import assert from 'node:assert/strict';
import { FairSlots, fairOrder, type Waiter } from '../../../src/runtime/fair-slots.ts';

const w = (key: string, group: string, since: number): Waiter => ({ key, group, since });

describe('fairOrder', () => {
  it('serves groups in turn, oldest first within each, groups by their oldest', () => {
    const burst = Array.from({ length: 5 }, (_, i) => w(`a/${i}`, 'a', i));
    const order = fairOrder([...burst, w('b/0', 'b', 10), w('b/1', 'b', 11), w('c/0', 'c', 20)]);
    assert.deepEqual(order.map((x) => x.key), ['a/0', 'b/0', 'c/0', 'a/1', 'b/1', 'a/2', 'a/3', 'a/4']);
  });

  it('starts the rounds after the group served last', () => {
    const waiters = [w('a/1', 'a', 1), w('a/2', 'a', 2), w('b/0', 'b', 10), w('c/0', 'c', 20)];
    assert.deepEqual(fairOrder(waiters, 'a').map((x) => x.key), ['b/0', 'c/0', 'a/1', 'a/2']);
    assert.deepEqual(fairOrder(waiters, 'c').map((x) => x.key), ['a/1', 'b/0', 'c/0', 'a/2']);
    assert.deepEqual(fairOrder(waiters, 'gone').map((x) => x.key), fairOrder(waiters).map((x) => x.key));
  });

  it('rings the groups by their oldest waiter, not by the order the waiters are given in', () => {
    assert.deepEqual(fairOrder([w('b/0', 'b', 5), w('a/0', 'a', 1)]).map((x) => x.key), ['a/0', 'b/0']);
  });

  it('breaks ties by key, so the order is the same on every replica', () => {
    assert.deepEqual(fairOrder([w('a/y', 'a', 1), w('a/x', 'a', 1)]).map((x) => x.key), ['a/x', 'a/y']);
  });
});

describe('FairSlots', () => {
  const setup = (capacity: number) => {
    const woken: string[] = [];
    return { slots: new FairSlots(capacity, (key) => woken.push(key)), woken };
  };

  it('grants up to capacity per pool, then queues with a position', () => {
    const { slots } = setup(2);
    assert.deepEqual(slots.acquire('p', w('a/0', 'a', 0)), { granted: true });
    assert.deepEqual(slots.acquire('p', w('a/1', 'a', 1)), { granted: true });
    assert.deepEqual(slots.acquire('p', w('a/2', 'a', 2)), { granted: false, position: 1, inUse: 2, capacity: 2 });
    assert.deepEqual(slots.acquire('other', w('a/3', 'a', 3)), { granted: true }, 'another account or Region has its own slots');
    assert.deepEqual(slots.acquire('p', w('a/0', 'a', 0)), { granted: true }, 'a holder asking again keeps its slot');
    assert.equal(slots.inUse('p'), 2);
  });

  it('a late namespace is not starved by an earlier burst: it is served next', () => {
    const { slots, woken } = setup(1);
    slots.acquire('p', w('a/0', 'a', 0));
    for (let i = 1; i <= 100; i++) slots.acquire('p', w(`a/${i}`, 'a', i));
    assert.deepEqual(slots.acquire('p', w('b/0', 'b', 500)), { granted: false, position: 1, inUse: 1, capacity: 1 }, 'first in line, team a having been served last');
    // Team a was served last: team b is next in turn, before the other 100 of team a.
    slots.release('a/0');
    assert.deepEqual(woken, ['b/0']);
    assert.deepEqual(slots.acquire('p', w('a/1', 'a', 1)), { granted: false, position: 2, inUse: 0, capacity: 1 });
    assert.deepEqual(slots.acquire('p', w('b/0', 'b', 500)), { granted: true });
    slots.release('b/0');
    assert.deepEqual(woken, ['b/0', 'a/1'], 'then team a again');
  });

  it('release wakes as many waiters, in fair order, as slots are free; a gone waiter loses its place', () => {
    const { slots, woken } = setup(2);
    slots.hold('p', 'x/held-1');
    slots.hold('p', 'x/held-2');
    slots.acquire('p', w('a/0', 'a', 0));
    slots.acquire('p', w('b/0', 'b', 1));
    slots.acquire('p', w('a/1', 'a', 2));
    slots.release('a/0');
    assert.deepEqual(woken, [], 'a waiter leaving frees no slot');
    slots.release('x/held-1');
    assert.deepEqual(woken, ['b/0']);
    slots.release('x/held-2');
    assert.deepEqual(woken, ['b/0', 'b/0', 'a/1']);
    slots.release('nobody');
    assert.equal(slots.waiting('p'), 2);
  });

  it('hold counts a restore left in progress by a previous leader before any grant', () => {
    const { slots } = setup(1);
    slots.hold('p', 'a/old');
    assert.deepEqual(slots.acquire('p', w('a/new', 'a', 0)), { granted: false, position: 1, inUse: 1, capacity: 1 });
  });
  it('a key that waits in one pool and then acquires or holds in another leaves its place in the first', () => {
    const { slots } = setup(1);
    slots.hold('p', 'x/held');
    slots.acquire('p', w('a/0', 'a', 0));
    slots.acquire('p', w('b/0', 'b', 1));
    assert.equal(slots.waiting('p'), 2);
    assert.deepEqual(slots.acquire('q', w('a/0', 'a', 0)), { granted: true });
    assert.equal(slots.waiting('p'), 1);
    slots.hold('r', 'b/0');
    assert.equal(slots.waiting('p'), 0);
    assert.deepEqual([slots.inUse('q'), slots.inUse('r')], [1, 1]);
  });

  it('poolNames lists the pools with a holder or a waiter, in the order they were first used', () => {
    const { slots } = setup(1);
    assert.deepEqual(slots.poolNames(), []);
    slots.hold('p', 'a/0');
    slots.acquire('q', w('b/0', 'b', 0));
    slots.acquire('p', w('c/0', 'c', 1));
    assert.deepEqual(slots.poolNames(), ['p', 'q']);
  });

  it('releasing the last key of a pool leaves that pool out of poolNames', () => {
    const { slots } = setup(1);
    slots.acquire('p', w('a/0', 'a', 0));
    slots.hold('q', 'b/0');
    slots.release('a/0');
    assert.deepEqual(slots.poolNames(), ['q']);
  });

  it('a second release of the same key wakes no one again', () => {
    const { slots, woken } = setup(1);
    slots.hold('p', 'x/held');
    slots.acquire('p', w('a/0', 'a', 0));
    slots.release('x/held');
    slots.release('x/held');
    assert.deepEqual(woken, ['a/0']);
  });
});
