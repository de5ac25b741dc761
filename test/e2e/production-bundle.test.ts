// What the image runs, without Docker: the compiled operator with production dependencies only, installed into a
// clean directory (the bundle every end-to-end suite runs), holds no development dependency and stops gracefully.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { uniqueName } from '../support/restores.ts';
import type { TestBed } from '../support/testbed.ts';

describe('e2e: the production bundle', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let app: string;

  before(async () => {
    bed = await sharedTestBed();
    const main = (await bed.productionBundle()).at(-1);
    app = dirname(dirname(main ?? ''));
  });

  it('holds no development dependency', () => {
    assert.ok(existsSync(join(app, 'node_modules/@kubernetes/client-node')), 'production dependencies are there');
    for (const dev of ['typescript', 'tsx', 'mocha', 'eslint', 'c8', 'aws-sdk-client-mock']) {
      assert.equal(existsSync(join(app, 'node_modules', dev)), false, dev);
    }
  });

  it('exits 0 by itself on SIGTERM, within the Deployment\'s 30 s grace period', async function () {
    const namespace = uniqueName('e2e-bundle');
    await bed.createNamespace(namespace);
    const operator = await bed.startOperator({ WATCH_NAMESPACES: namespace, NODE_ENV: 'production' }, await bed.productionBundle());
    // The grace period is the kubelet's deadline before SIGKILL: the test's own, here, not a measured duration.
    this.timeout(30_000);
    operator.process.child.kill('SIGTERM');
    assert.equal(await operator.process.exited, 0);
  });
});
