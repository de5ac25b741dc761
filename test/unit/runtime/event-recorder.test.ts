// Event names: client-go's "<object name>.<unique suffix>" while it fits in a DNS subdomain (253 characters), and a
// shortened, still unique name for objects whose names leave no room for the suffix.
import assert from 'node:assert/strict';
import { eventName } from '../../../src/runtime/event-recorder.ts';

const SUFFIX = '19aed0c8f00ab12'; // what the recorder appends: the time in hex and 2 random bytes
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe('eventName', () => {
  it('is the object name, a dot and the suffix when that fits', () => {
    assert.equal(eventName('music', SUFFIX), 'music.19aed0c8f00ab12');
  });

  it('keeps a 237-character name whole: with the dot and suffix it is exactly 253 characters', () => {
    const name = 'a'.repeat(237);
    assert.equal(eventName(name, SUFFIX), `${name}.19aed0c8f00ab12`);
  });

  it('shortens a 253-character name to a valid 252-character name: the prefix up to its last letter or digit, a digest of the whole name, the suffix', () => {
    const name = `r${'-x'.repeat(126)}`;
    const expected = `r${'-x'.repeat(109)}.fee5a3f69372cfb5.19aed0c8f00ab12`;
    assert.equal(eventName(name, SUFFIX), expected);
    assert.equal(expected.length, 252);
    assert.match(expected, DNS_SUBDOMAIN);
  });

  it('gives two 253-character names that differ only at the end different event names (sha256 digests fee5a3f6…, 6e2f1cd1…)', () => {
    assert.equal(eventName(`r${'-x'.repeat(125)}-y`, SUFFIX), `r${'-x'.repeat(109)}.6e2f1cd1b19c71a2.19aed0c8f00ab12`);
    assert.notEqual(eventName(`r${'-x'.repeat(125)}-y`, SUFFIX), eventName(`r${'-x'.repeat(126)}`, SUFFIX));
  });
});
