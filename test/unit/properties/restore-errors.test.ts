// Properties of the one error map: whatever AWS (or the network, or a broken endpoint) answers, classifyError gives a
// reason a condition can carry, a sentence a person can read, and one of the three retry decisions.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AwsError } from '../../../src/aws/dynamodb-port.ts';
import { CLASSIFIED_CODES, classifyError } from '../../../src/restore/restore-errors.ts';
import { awsError, awsErrorOf, backupArn, errorMessage, operation, prototypeCode, tableName } from './arbitraries.ts';
import { check, propertyTimeoutMs } from './runs.ts';

const context = fc.record({ tableName, backupArn }, { requiredKeys: ['tableName'] });

describe('properties: classifyError', function () {
  this.timeout(propertyTimeoutMs());

  it('gives every code a CamelCase reason, a non-empty sentence and a terminal, after or backoff retry', () => {
    check(
      fc.property(awsError, context, (error, ctx) => {
        const c = classifyError(error, ctx);
        assert.match(c.reason, /^[A-Z][A-Za-z0-9]*$/);
        assert.ok(c.message.trim().length > 0);
        assert.ok(['terminal', 'after', 'backoff'].includes(c.retry.kind), c.retry.kind);
        if (c.retry.kind === 'after') assert.ok(Number.isFinite(c.retry.delayMs) && c.retry.delayMs > 0);
        assert.equal(c.code, error.code, 'the code reaches lastError as AWS gave it');
      }),
    );
  });

  // Found by this property (src/restore/restore-errors.ts, classifyError): RULES, a plain object read as RULES[code],
  // gave a code that names a member of Object.prototype ('constructor', 'toString', '__proto__', ...) that member
  // instead of the unknown-error rule, and `rule.sentence(...)` threw TypeError; planRestore and planDeletion threw
  // with it. Fixed: the lookup is own-property only (Object.hasOwn).
  it('classifies a code named like a member of Object.prototype as an unknown error, without throwing', () => {
    check(
      fc.property(prototypeCode, errorMessage, operation, context, (code, message, op, ctx) => {
        const c = classifyError(awsErrorOf(code, message, op), ctx);
        assert.equal(c.reason, 'UnexpectedError');
        assert.deepEqual(c.retry, { kind: 'backoff' });
      }),
    );
  });

  it('classifies every code it knows the same way whatever the message (but KMS trouble)', () => {
    check(
      fc.property(fc.constantFrom(...CLASSIFIED_CODES), errorMessage, errorMessage, context, (code, m1, m2, ctx) => {
        fc.pre(!/\bKMS\b/i.test(m1) && !/\bKMS\b/i.test(m2));
        const a = classifyError(new AwsError(code, m1, 'DescribeTable'), ctx);
        const b = classifyError(new AwsError(code, m2, 'DescribeTable'), ctx);
        assert.equal(a.reason, b.reason);
        assert.deepEqual(a.retry, b.retry);
      }),
    );
  });
});
