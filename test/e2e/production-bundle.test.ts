// What the image runs, without Docker: the compiled operator with production dependencies only, installed into a
// clean directory, restores Music on the test bed and stops gracefully on SIGTERM.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import { REPO, type OperatorProcess, type TestBed } from '../support/testbed.ts';

describe('e2e: the production bundle', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let operator: OperatorProcess | undefined;
  const app = mkdtempSync(join(tmpdir(), 'ddbr-bundle-'));
  const namespace = uniqueName('e2e-bundle');

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    // The Dockerfile's steps: compile, then `npm ci --omit=dev` beside package.json and the lock file.
    execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.build.json'), '--outDir', join(app, 'dist')]);
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(REPO, file), join(app, file));
    execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, stdio: 'ignore' });
    await bed.createNamespace(namespace);
  });

  after(async () => {
    if (operator) await bed.group.stop(operator.process);
    ddb?.destroy();
    rmSync(app, { recursive: true, force: true });
  });

  it('holds no development dependency', () => {
    for (const dev of ['typescript', 'tsx', 'mocha', 'eslint', 'c8', 'aws-sdk-client-mock']) {
      assert.equal(existsSync(join(app, 'node_modules', dev)), false, dev);
    }
  });

  it('restores Music and exits 0 on SIGTERM', async () => {
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace, NODE_ENV: 'production' }, [join(app, 'dist/main.js')]);
    const table = uniqueName('Music');
    const backupArn = await musicBackup(ddb, table);
    const restores = new Restores(bed);
    await restores.create(namespace, 'music', { targetTableName: table, source: { backupArn } });
    await restores.waitFor(namespace, 'music', 'to complete', (r) => r.status?.phase === 'Completed');

    const stoppedAt = Date.now();
    operator.process.child.kill('SIGTERM');
    assert.equal(await operator.process.exited, 0);
    assert.ok(Date.now() - stoppedAt < 10_000, 'well within a 30 s grace period');
  });
});
