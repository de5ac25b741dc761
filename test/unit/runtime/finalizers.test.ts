import assert from 'node:assert/strict';
import { finalizerPatch } from '../../../src/runtime/finalizers.ts';

const F = 'dynamodb.restore.dev/delete-table';
const obj = (finalizers?: string[]) => ({ metadata: { name: 'm', resourceVersion: '9', ...(finalizers ? { finalizers } : {}) } });

describe('finalizerPatch', () => {
  it('nothing to do when the object already is as asked', () => {
    assert.equal(finalizerPatch(obj([F]), F, true), undefined);
    assert.equal(finalizerPatch(obj(), F, false), undefined);
    assert.equal(finalizerPatch(obj(['other']), F, false), undefined);
  });

  it('adds to no finalizers as of the version read (JSON Patch cannot test an absent path)', () => {
    assert.deepEqual(finalizerPatch(obj(), F, true), [
      { op: 'test', path: '/metadata/resourceVersion', value: '9' },
      { op: 'add', path: '/metadata/finalizers', value: [F] },
    ]);
  });

  it('appends to others\' finalizers, never replacing the list', () => {
    assert.deepEqual(finalizerPatch(obj(['a', 'b']), F, true), [
      { op: 'test', path: '/metadata/resourceVersion', value: '9' },
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
