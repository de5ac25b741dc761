// `make demo` as a newcomer runs it without a terminal (CI, a pipe): its own output first, a restore refused by the
// policy with the sentence why, the tutorial restore completed, and what to do next at the end.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../support/testbed.ts';

describe('integration: the demo (hack/demo.ts) without a TTY', function () {
  this.timeout(180_000);
  let output = '';

  before(async function () {
    // The demo starts a control plane of its own; it has nothing to run against another cluster.
    if (process.env.E2E_USE_KUBECONFIG === '1' || !process.env.TESTBED_ASSETS) this.skip();
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO, 'hack/demo.ts')], { cwd: REPO, encoding: 'utf8' });
    output = stdout + stderr;
  });

  it('starts with its own first step, not a warning', () => {
    assert.match(output.split('\n').find((l) => l.trim() !== '') ?? '', /^==> Starting a local control plane/);
    assert.doesNotMatch(output, /npm (warn|notice)|ExperimentalWarning|DeprecationWarning/);
  });

  it('shows the DynamoDBRestorePolicy refusing a restore at admission, with the sentence why', () => {
    assert.match(output, /refused at admission: DynamoDBRestorePolicy team-a denies this restore \(allowedDeletionPolicies\): deletionPolicy Delete is not one of Retain\n/);
  });

  it('completes the tutorial restore with every item back, then ends with what to do next and stops everything', () => {
    assert.match(output, /phase=Completed {2}tableStatus=ACTIVE {2}Ready=True \(RestoreCompleted\)/);
    assert.match(output, /Reading the restored table back: 3 of 3 items are there/);
    const next = output.slice(output.indexOf('==> What to do next'));
    assert.ok(output.includes('==> What to do next'), 'a "What to do next" step');
    assert.match(next, /helm install dynamodb-restore-operator deploy\/helm\/dynamodb-restore-operator/);
    assert.match(next, /kubectl apply -f deploy\/tenancy\/team-a-policy\.yaml/);
    assert.match(next, /kubectl wait --for=condition=Ready ddbr\/music-from-backup -n team-a/);
    assert.match(next, /Stopped\. Nothing is left running\.\n$/);
  });
});
