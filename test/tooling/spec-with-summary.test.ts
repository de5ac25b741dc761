// The reporter's closing lines are what CI reads: per run, and summed over the runs of one `make test` when
// TEST_COUNTS_FILE names a file (the bed's suite, then the cluster's).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FIXTURES = 'test/tooling/fixtures/reporter';

function runMocha(fixture: string, env: Record<string, string> = {}): string[] {
  // Never the counts file of the make test running this suite.
  const { TEST_COUNTS_FILE: _outer, ...inherited } = process.env;
  const result = spawnSync(
    process.execPath,
    [join('node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--node-option', 'import=tsx', '--extension', 'ts', '--reporter', './test/support/spec-with-summary.cjs', join(FIXTURES, fixture)],
    { encoding: 'utf8', env: { ...inherited, ...env } },
  );
  return result.stdout.trimEnd().split('\n').slice(-3);
}

describe('tooling: the test reporter spec-with-summary', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'test-counts-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // The fixtures live under test/tooling/, so their tests count as test tooling.
  it('ends a run with the operator, test-tooling and whole counts of that run alone', () => {
    assert.deepEqual(runMocha('two-pass-one-skip.fixture.ts'), [
      'operator tests: 0 passed, 0 failed, 0 skipped',
      'test-tooling tests: 2 passed, 0 failed, 1 skipped',
      '2 passed, 0 failed, 1 skipped',
    ]);
  });

  it('with TEST_COUNTS_FILE, ends the second run with the sums of both runs', () => {
    const env = { TEST_COUNTS_FILE: join(dir, 'counts.json') };
    runMocha('two-pass-one-skip.fixture.ts', env);
    assert.deepEqual(runMocha('one-fail.fixture.ts', env), [
      'operator tests: 0 passed, 0 failed, 0 skipped',
      'test-tooling tests: 3 passed, 1 failed, 1 skipped',
      '3 passed, 1 failed, 1 skipped',
    ]);
  });
});
