import assert from 'node:assert/strict';
import { findCondition, setCondition, type ConditionLike } from '../../../src/runtime/conditions.ts';

const EARLIER = '2025-01-01T00:00:00.000Z';
const NOW = new Date('2025-01-02T12:00:00.000Z');

const ready = (status: ConditionLike['status'], reason = 'Restoring', message = 'Working.'): ConditionLike => ({
  type: 'Ready',
  status,
  reason,
  message,
  lastTransitionTime: EARLIER,
  observedGeneration: 1,
});
const other: ConditionLike = { type: 'Synced', status: 'True', reason: 'Synced', message: 'In sync.', lastTransitionTime: EARLIER };

describe('setCondition', () => {
  it('adds a missing condition with lastTransitionTime now', () => {
    const conditions = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'RestoreRequested', message: 'Asked.' }, NOW);
    assert.deepEqual(conditions, [{ type: 'Ready', status: 'False', reason: 'RestoreRequested', message: 'Asked.', lastTransitionTime: NOW.toISOString() }]);
  });

  it('keeps lastTransitionTime when status is unchanged, even though reason, message and generation change', () => {
    const conditions = setCondition([ready('False')], { type: 'Ready', status: 'False', reason: 'Throttled', message: 'Slowing down.', observedGeneration: 2 }, NOW);
    assert.deepEqual(findCondition(conditions, 'Ready'), {
      type: 'Ready',
      status: 'False',
      reason: 'Throttled',
      message: 'Slowing down.',
      observedGeneration: 2,
      lastTransitionTime: EARLIER,
    });
  });

  const flips: Array<[ConditionLike['status'], ConditionLike['status']]> = [
    ['False', 'True'],
    ['True', 'False'],
    ['Unknown', 'False'],
    ['False', 'Unknown'],
  ];
  for (const [from, to] of flips) {
    it(`moves lastTransitionTime to now when status flips ${from} → ${to}`, () => {
      const conditions = setCondition([ready(from)], { type: 'Ready', status: to, reason: 'Restoring', message: 'Working.' }, NOW);
      assert.equal(conditions.length, 1);
      assert.equal(findCondition(conditions, 'Ready')?.status, to);
      assert.equal(findCondition(conditions, 'Ready')?.lastTransitionTime, NOW.toISOString());
    });
  }

  it('leaves other condition types untouched and keeps one entry per type', () => {
    const conditions = setCondition([other, ready('False')], { type: 'Ready', status: 'True', reason: 'RestoreCompleted', message: 'Done.' }, NOW);
    assert.equal(conditions.length, 2);
    assert.deepEqual(findCondition(conditions, 'Synced'), other);
    assert.equal(conditions.filter((c) => c.type === 'Ready').length, 1);
  });

  it('judges a flip by the condition of the same type only: Ready True after only a Synced True moves to now', () => {
    const conditions = setCondition([other], { type: 'Ready', status: 'True', reason: 'RestoreCompleted', message: 'Done.' }, NOW);
    assert.equal(findCondition(conditions, 'Ready')?.lastTransitionTime, NOW.toISOString());
  });

  it('does not modify the conditions it is given', () => {
    const given = [other, ready('False')];
    const copy = structuredClone(given);
    setCondition(given, { type: 'Ready', status: 'True', reason: 'RestoreCompleted', message: 'Done.' }, NOW);
    assert.deepEqual(given, copy);
  });
});

describe('findCondition', () => {
  it('finds a condition by type, or undefined', () => {
    assert.deepEqual(findCondition([other, ready('True')], 'Ready'), ready('True'));
    assert.equal(findCondition([other], 'Ready'), undefined);
    assert.equal(findCondition(undefined, 'Ready'), undefined);
  });
});
