import assert from 'node:assert/strict';
import { finalizerPatch } from '../../../src/runtime/finalizers.ts';

const F = 'dynamodb.restore.dev/finalizer';
const obj = (finalizers?: string[]) => ({ metadata: { name: 'm', resourceVersion: '9', ...(finalizers ? { finalizers } : {}) } });

describe('finalizerPatch', () => {
  it('nothing to do when the object already is as asked', () => {
    assert.equal(finalizerPatch(obj([F]), F, true), undefined);
    assert.equal(finalizerPatch(obj(), F, false), undefined);
    assert.equal(finalizerPatch(obj(['other']), F, false), undefined);
  });

  it('adds to no finalizers only while there still are none (an absent list tests as null), whatever the resourceVersion', () => {
    assert.deepEqual(finalizerPatch(obj(), F, true), [
      { op: 'test', path: '/metadata/finalizers', value: null },
      { op: 'add', path: '/metadata/finalizers', value: [F] },
    ]);
  });

  it('appends to others\' finalizers only while the list is as read, never replacing it', () => {
    assert.deepEqual(finalizerPatch(obj(['a', 'b']), F, true), [
      { op: 'test', path: '/metadata/finalizers', value: ['a', 'b'] },
      { op: 'add', path: '/metadata/finalizers/-', value: F },
    ]);
    assert.deepEqual(finalizerPatch(obj([]), F, true), [
      { op: 'test', path: '/metadata/finalizers', value: [] },
      { op: 'add', path: '/metadata/finalizers/-', value: F },
    ]);
  });

  it('removes only its own entry, testing it is still at that index', () => {
    assert.deepEqual(finalizerPatch(obj(['a', F, 'b']), F, false), [
      { op: 'test', path: '/metadata/finalizers/1', value: F },
      { op: 'remove', path: '/metadata/finalizers/1' },
    ]);
  });
});
