// StrykerJS: mutation testing of the operator's core (src/restore, src/runtime) against the unit tests (`make
// mutation`, not in CI). docs/testing.md has the score, the run time and each surviving mutant explained.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'mocha',
  // Mocha as the Makefile runs it: the tests are TypeScript ESM, loaded through tsx.
  testRunnerNodeArgs: ['--import', 'tsx'],
  mochaOptions: {
    'no-config': true,
    'no-package': true,
    extension: ['ts'],
    // The unit tests of the two directories (the property runs included); none needs the test bed.
    spec: [
      'test/unit/restore/**/*.test.ts',
      'test/unit/runtime/**/*.test.ts',
      'test/unit/properties/**/*.test.ts',
    ],
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  mutate: ['src/restore/**/*.ts', 'src/runtime/**/*.ts'],
  coverageAnalysis: 'perTest',
  // The result of the last run is committed, so the next run re-tests only the mutants in changed code or tests.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  // The machine is shared: two test processes, one checker.
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  thresholds: { high: 90, low: 85, break: null },
};
