import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { NO_QUEUE_METRICS } from '../../../src/runtime/metrics.ts';
import { WorkQueue } from '../../../src/runtime/work-queue.ts';

/** What a get() has produced after `ms`, or 'pending' if it has not settled. */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([promise, sleep(ms).then(() => 'pending' as const)]);
}

describe('WorkQueue', () => {
  let queue: WorkQueue;
  beforeEach(() => {
    queue = new WorkQueue();
  });
  afterEach(() => queue.shutDown());

  it('queues a key once however often it is added before being handed out', async () => {
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.add('a');
    assert.equal(queue.depth, 2);
    assert.equal(await queue.get(), 'a');
    assert.equal(await queue.get(), 'b');
    assert.equal(queue.depth, 0);
    assert.equal(await settledWithin(queue.get(), 10), 'pending');
  });

  it('hands keys out in the order they were first added', async () => {
    for (const key of ['c', 'a', 'b', 'a', 'c']) queue.add(key);
    const order = [await queue.get(), await queue.get(), await queue.get()];
    assert.deepEqual(order, ['c', 'a', 'b']);
  });

  it('gives a key added later to a worker already waiting in get()', async () => {
    const waiting = queue.get();
    queue.add('x');
    assert.equal(await waiting, 'x');
    assert.equal(queue.depth, 0);
  });

  it('never hands out a key being processed; re-adds during processing yield one more hand-out after done', async () => {
    queue.add('a');
    assert.equal(await queue.get(), 'a');
    queue.add('a');
    queue.add('a');
    assert.equal(queue.depth, 0, 'a key in processing is not queued');
    const next = queue.get();
    assert.equal(await settledWithin(next, 10), 'pending');

    queue.done('a');
    assert.equal(await next, 'a');
    queue.done('a');
    assert.equal(await settledWithin(queue.get(), 10), 'pending', 'the repeated adds collapse into one');
  });

  it('lets other keys through while one is being processed', async () => {
    queue.add('a');
    assert.equal(await queue.get(), 'a');
    queue.add('a');
    queue.add('b');
    assert.equal(await queue.get(), 'b');
  });

  it('does not hand a key out again after done when it was not re-added', async () => {
    queue.add('a');
    assert.equal(await queue.get(), 'a');
    queue.done('a');
    assert.equal(await settledWithin(queue.get(), 10), 'pending');
  });

  describe('addAfter', () => {
    // Delays are judged by order, not by a clock: keys added after different delays come out in the order their
    // delays end (Node fires timers in the order they are due, however busy the machine).
    it('hands the key out only after the delay: after a key whose shorter delay ends first', async () => {
      queue.addAfter('a', 30);
      queue.addAfter('b', 10);
      assert.equal(queue.depth, 0);
      assert.equal(await queue.get(), 'b');
      assert.equal(await queue.get(), 'a');
    });

    it('adds at once when the delay is zero or negative', () => {
      queue.addAfter('a', 0);
      queue.addAfter('b', -5);
      assert.equal(queue.depth, 2);
    });

    it('keeps the earlier delay when a shorter one follows a longer one', async () => {
      queue.addAfter('a', 200);
      queue.addAfter('a', 10);
      queue.addAfter('marker', 100);
      assert.equal(await queue.get(), 'a');
      assert.equal(await queue.get(), 'marker');
    });

    it('keeps the earlier delay when a longer one follows a shorter one, and hands the key out once', async () => {
      queue.addAfter('a', 10);
      queue.addAfter('a', 40);
      queue.addAfter('marker', 25);
      assert.equal(await queue.get(), 'a');
      queue.done('a');
      assert.equal(await queue.get(), 'marker');
      queue.addAfter('last', 60);
      // The longer delay (40 ms) was dropped, not kept as a second timer: next comes a key due later still.
      assert.equal(await queue.get(), 'last');
    });

    it('does not queue a key twice when its delay ends while it is already queued', async () => {
      queue.add('a');
      queue.addAfter('a', 5);
      await sleep(15);
      assert.equal(queue.depth, 1);
    });
  });

  describe('shutDown', () => {
    it('resolves every waiting get() with undefined', async () => {
      const first = queue.get();
      const second = queue.get();
      queue.shutDown();
      assert.equal(await first, undefined);
      assert.equal(await second, undefined);
    });

    it('ignores adds and delayed adds after shutdown', async () => {
      queue.shutDown();
      queue.add('a');
      queue.addAfter('b', 1);
      await sleep(10);
      assert.equal(queue.depth, 0);
      assert.equal(await queue.get(), undefined);
    });

    it('cancels delayed adds pending at shutdown', async () => {
      queue.addAfter('a', 5);
      queue.shutDown();
      await sleep(15);
      assert.equal(queue.depth, 0);
    });

    it('counts no retry after shutdown', () => {
      const retried: string[] = [];
      const counted = new WorkQueue({ ...NO_QUEUE_METRICS, retried: (key) => void retried.push(key) });
      counted.retryAfter('a', 1_000);
      counted.shutDown();
      counted.retryAfter('b', 1_000);
      assert.deepEqual(retried, ['a']);
    });

    // Controller.stop() relies on this to wait only for the reconciles in flight.
    it('hands out no queued key after shutdown', async () => {
      queue.add('a');
      queue.shutDown();
      assert.equal(await queue.get(), undefined);
    });
  });

  it('reports as depth the keys waiting, not those processing or delayed', async () => {
    assert.equal(queue.depth, 0);
    queue.add('a');
    queue.add('b');
    queue.addAfter('c', 1_000);
    assert.equal(queue.depth, 2);
    await queue.get();
    assert.equal(queue.depth, 1);
    queue.add('a');
    assert.equal(queue.depth, 1, 'a is processing');
    queue.done('a');
    assert.equal(queue.depth, 2, 'a is queued again');
  });
  it('keeps no timer alive for a delayed add (the process may exit while one is pending)', () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    queue.addAfter('a', 60_000);
    assert.equal(timers(), before);
  });
});
