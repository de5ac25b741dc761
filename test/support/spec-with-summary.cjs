// Mocha's spec reporter, plus the plain closing lines CI reads: the operator's own tests and the tests of the test
// tooling (test/tooling/: the fidelity proxy, the chaos judge, the least-privilege checker, the bed's clean-up)
// counted apart, then the whole as "N passed, N failed, N skipped". With TEST_COUNTS_FILE set (make test runs mocha
// more than once: the bed's suite, then the cluster's), each run adds its counts there and the closing lines are the
// sums of every run so far, so the last run's are the whole suite's.
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { sep } = require('node:path');
const process = require('node:process');
const { reporters, Runner } = require('mocha');

const TOOLING = `${sep}test${sep}tooling${sep}`;
const { EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } = Runner.constants;

const line = ({ passed, failed, skipped }) => `${passed} passed, ${failed} failed, ${skipped} skipped`;

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
      const { passes, failures, pending } = runner.stats;
      // Hook failures are in mocha's stats but not in the per-kind counts: the whole comes from the stats.
      let total = { passed: passes, failed: failures, skipped: pending };
      let shown = counts;
      const file = process.env.TEST_COUNTS_FILE;
      if (file) {
        const before = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
        if (before) {
          const add = (a, b) => ({ passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped });
          shown = { product: add(before.product, counts.product), tooling: add(before.tooling, counts.tooling) };
          total = add(before.total, total);
          console.log(`this run: ${line(counts.product)} (operator), ${line(counts.tooling)} (test tooling); all runs of this make test:`);
        }
        writeFileSync(file, JSON.stringify({ ...shown, total }));
      }
      console.log(`operator tests: ${line(shown.product)}`);
      console.log(`test-tooling tests: ${line(shown.tooling)}`);
      console.log(line(total));
    });
  }
}

module.exports = SpecWithSummary;
