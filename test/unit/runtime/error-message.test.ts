import assert from 'node:assert/strict';
import { errorMessage, truncate } from '../../../src/runtime/error-message.ts';

describe('errorMessage', () => {
  it('is the message of an Error, without its name', () => {
    assert.equal(errorMessage(new TypeError('table gone')), 'table gone');
  });

  it('is the string form of a thrown value that is not an Error', () => {
    assert.equal(errorMessage(42), '42');
  });
});

describe('truncate', () => {
  it('keeps a text exactly max characters long as it is', () => {
    assert.equal(truncate('abcde', 5), 'abcde');
  });

  it('cuts a longer text to max characters, the last one an ellipsis', () => {
    assert.equal(truncate('abcdef', 5), 'abcd…');
  });
});
