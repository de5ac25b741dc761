// Mocha's spec reporter, plus the plain closing lines CI reads: the operator's own tests and the tests of the test
// tooling (test/tooling/: the fidelity proxy, the chaos judge, the least-privilege checker, the bed's clean-up)
// counted apart, then the whole as "N passed, N failed, N skipped".
const { sep } = require('node:path');
const { reporters, Runner } = require('mocha');

const TOOLING = `${sep}test${sep}tooling${sep}`;
const { EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } = Runner.constants;

class SpecWithSummary extends reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const counts = { product: { passed: 0, failed: 0, skipped: 0 }, tooling: { passed: 0, failed: 0, skipped: 0 } };
    const kind = (test) => ((test.file ?? '').includes(TOOLING) ? counts.tooling : counts.product);
    runner.on(EVENT_TEST_PASS, (test) => (kind(test).passed += 1));
    // A failed hook is counted as a failure by mocha's own stats too.
    runner.on(EVENT_TEST_FAIL, (test) => (kind(test).failed += 1));
    runner.on(EVENT_TEST_PENDING, (test) => (kind(test).skipped += 1));
    runner.once(EVENT_RUN_END, () => {
      const line = ({ passed, failed, skipped }) => `${passed} passed, ${failed} failed, ${skipped} skipped`;
      console.log(`operator tests: ${line(counts.product)}`);
      console.log(`test-tooling tests: ${line(counts.tooling)}`);
      const { passes, failures, pending } = runner.stats;
      console.log(`${passes} passed, ${failures} failed, ${pending} skipped`);
    });
  }
}

module.exports = SpecWithSummary;
