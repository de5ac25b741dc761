import assert from 'node:assert/strict';
import { objectKey, splitKey } from '../../../src/runtime/keys.ts';

describe('queue keys', () => {
  it('objectKey is "namespace/name" for a namespaced object', () => {
    assert.equal(objectKey({ metadata: { namespace: 'team-a', name: 'music' } }), 'team-a/music');
  });

  it('objectKey has an empty namespace for a cluster-scoped object: "/name"', () => {
    assert.equal(objectKey({ metadata: { name: 'music' } }), '/music');
  });

  it('objectKey has an empty name for an object without one: "team-a/"', () => {
    assert.equal(objectKey({ metadata: { namespace: 'team-a' } }), 'team-a/');
  });

  it('splitKey splits "team-a/music" at the slash into namespace "team-a" and name "music"', () => {
    assert.deepEqual(splitKey('team-a/music'), { namespace: 'team-a', name: 'music' });
  });

  it('splitKey gives "/music" an empty namespace and the name "music"', () => {
    assert.deepEqual(splitKey('/music'), { namespace: '', name: 'music' });
  });
});
