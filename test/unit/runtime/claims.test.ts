import assert from 'node:assert/strict';
import { Claims } from '../../../src/runtime/claims.ts';

describe('Claims', () => {
  it('gives a free name to the first key and answers every later key with that holder', () => {
    const claims = new Claims();
    assert.equal(claims.claim('acct/us-east-1/Music', 'team-a/first'), 'team-a/first');
    assert.equal(claims.claim('acct/us-east-1/Music', 'team-b/second'), 'team-a/first');
    assert.equal(claims.claim('acct/us-east-1/Music', 'team-a/first'), 'team-a/first');
    assert.equal(claims.size, 1);
  });

  it('frees the name when its holder lets go, and only then', () => {
    const claims = new Claims();
    claims.claim('Music', 'a/1');
    claims.release('b/2');
    assert.equal(claims.claim('Music', 'b/2'), 'a/1');
    claims.release('a/1');
    assert.equal(claims.claim('Music', 'b/2'), 'b/2');
  });

  it('keeps one name per key: claiming a second name frees the first', () => {
    const claims = new Claims();
    claims.claim('Music', 'a/1');
    assert.equal(claims.claim('Books', 'a/1'), 'a/1');
    assert.equal(claims.claim('Music', 'b/2'), 'b/2');
    assert.equal(claims.size, 2);
  });

  it('tells names apart exactly: a prefix or a case change is another name', () => {
    const claims = new Claims();
    claims.claim('team-a', 'a/1');
    assert.equal(claims.claim('team-a-prod', 'b/2'), 'b/2');
    assert.equal(claims.claim('Team-a', 'c/3'), 'c/3');
  });

  it("forgets what a key held when it lets go: its next claim does not free a name another key has claimed since", () => {
    const claims = new Claims();
    claims.claim('Music', 'a/1');
    claims.release('a/1');
    assert.equal(claims.claim('Music', 'b/2'), 'b/2');
    claims.claim('Books', 'a/1');
    assert.equal(claims.claim('Music', 'c/3'), 'b/2');
  });
});
