// The chaos scenarios of `make chaos` (chaos/scenarios.ts), small: the same code and invariants, sized for CI. On a
// test bed of their own, as one of them restarts the apiserver. The judge itself is tested in
// test/tooling/chaos-judge.test.ts.
import assert from 'node:assert/strict';
import { describeFaults, runScenario, SMALL, TITLES, type ScenarioName } from '../../chaos/scenarios.ts';
import { TestBed } from '../support/testbed.ts';

describe('integration: chaos, small', function () {
  this.timeout(120_000);
  let bed: TestBed;

  before(async () => {
    bed = await TestBed.start();
  });

  after(async () => {
    await bed?.stop();
  });

  for (const scenario of Object.keys(SMALL) as ScenarioName[]) {
    const size = SMALL[scenario];
    it(`${TITLES[scenario]}: ${size.restores} restores, every one Completed and restored once`, async () => {
      const result = await runScenario(bed, scenario, size, 5);
      console.log(`      ${describeFaults(result)}; ${[...result.details, `${result.seconds} s`].join('; ')}`);
      assert.deepEqual(result.violations, []);
      assert.equal(result.lost, 0);
      assert.equal(result.duplicates, 0);
    });
  }
});
