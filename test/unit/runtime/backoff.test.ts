import assert from 'node:assert/strict';
import { ExponentialBackoff } from '../../../src/runtime/backoff.ts';

describe('ExponentialBackoff', () => {
  it('starts at the base and doubles per failure of a key, up to the cap', () => {
    const backoff = new ExponentialBackoff(10, 100);
    const delays = Array.from({ length: 7 }, () => backoff.next('a'));
    assert.deepEqual(delays, [10, 20, 40, 80, 100, 100, 100]);
  });

  it('stays at the cap after very many failures', () => {
    const backoff = new ExponentialBackoff(1_000, 300_000);
    let last = 0;
    for (let i = 0; i < 2_000; i++) last = backoff.next('a');
    assert.equal(last, 300_000);
  });

  it('counts failures per key', () => {
    const backoff = new ExponentialBackoff(5, 1_000);
    backoff.next('a');
    backoff.next('a');
    assert.equal(backoff.next('b'), 5);
    assert.equal(backoff.next('a'), 20);
    assert.equal(backoff.next('b'), 10);
  });

  it('starts a key over at the base after forget, leaving other keys as they were', () => {
    const backoff = new ExponentialBackoff(5, 1_000);
    backoff.next('a');
    backoff.next('a');
    backoff.next('b');
    backoff.forget('a');
    assert.equal(backoff.next('a'), 5);
    assert.equal(backoff.next('b'), 10);
  });

  it('ignores forget of a key it never saw', () => {
    const backoff = new ExponentialBackoff(5, 1_000);
    backoff.forget('x');
    assert.equal(backoff.next('x'), 5);
  });
});
