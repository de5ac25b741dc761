// The tutorial, end to end: back up Music, apply a DynamoDBRestore, watch the table go CREATING → ACTIVE and the
// resource reach Completed, and read the items back from the restored table. Runs on the local control plane,
// or on any cluster KUBECONFIG names (E2E_USE_KUBECONFIG=1, as `make e2e-kind` does).
import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRestore } from '../../src/api/dynamodb-restore.ts';
import { waitFor } from '../support/processes.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, MUSIC_ITEMS, musicBackup, Restores, scanItems, uniqueName } from '../support/restores.ts';
import { httpStatus, type OperatorProcess, type TestBed } from '../support/testbed.ts';

describe('e2e: the tutorial Music restore', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let restores: Restores;
  let operator: OperatorProcess;
  const namespace = uniqueName('e2e-music');

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    restores = new Restores(bed);
    await bed.createNamespace(namespace);
    // The end-to-end suites run the operator as the image does (see production-bundle.test.ts).
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace }, await bed.productionBundle());
  });

  after(async () => {
    await bed?.group.stop(operator.process);
    ddb?.destroy();
  });

  it('restores Music from MusicBackup: CREATING, then ACTIVE and Completed, with every item back', async () => {
    const table = uniqueName('Music');
    const backupArn = await musicBackup(ddb, table);
    bed.proxy.holdCreatingMs = 3_000;

    await restores.create(namespace, 'music', { targetTableName: table, source: { backupArn } });
    // What a person (or a pipeline) runs to wait for a restore.
    const waited = bed.kubectl('wait', '--for=condition=Ready', '-n', namespace, 'ddbr/music', '--timeout=60s');
    waited.catch(() => undefined); // awaited below; this only keeps an early failure from being unhandled meanwhile
    const seen: string[] = [];
    const done = await restores.waitFor(namespace, 'music', 'to complete', (r) => r.status?.phase === 'Completed', 60_000, (r: DynamoDBRestore) => {
      const state = `${r.status?.phase ?? '-'}/${r.status?.tableStatus ?? '-'}`;
      if (seen.at(-1) !== state) seen.push(state);
    });

    assert.ok(seen.includes('Restoring/CREATING'), `the resource showed the table CREATING; saw ${seen.join(' → ')}`);
    assert.equal(seen.at(-1), 'Completed/ACTIVE');
    assert.equal(done.status?.backupArn, backupArn);
    assert.match(done.status?.tableArn ?? '', new RegExp(`:table/${table}$`));
    assert.equal(done.status?.observedGeneration, 1);
    assert.ok(done.status?.restoreRequestedAt && done.status.startTime && done.status.completionTime);
    assert.ok(Date.parse(done.status.restoreRequestedAt) <= Date.parse(done.status.startTime));
    const ready = done.status?.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual(
      { status: ready?.status, reason: ready?.reason, observedGeneration: ready?.observedGeneration },
      { status: 'True', reason: 'RestoreCompleted', observedGeneration: 1 },
    );

    // Exactly the tutorial's CLI call: --target-table-name and --backup-arn, nothing else, once.
    const calls = bed.proxy.callsOf('RestoreTableFromBackup', table);
    assert.deepEqual(calls.map((c) => c.body), [{ TargetTableName: table, BackupArn: backupArn }]);
    assert.ok(bed.proxy.callsOf('DescribeTable', table).length >= 2, 'the operator polled DescribeTable while CREATING');

    const items = await scanItems(ddb, table);
    const key = (i: unknown) => JSON.stringify(i);
    assert.deepEqual(items.map(key).sort(), MUSIC_ITEMS.map(key).sort());

    assert.match(await waited, /dynamodbrestore.dynamodb.restore.dev\/music condition met/);
    const lines = (await bed.kubectl('get', 'ddbr', '-n', namespace)).split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+TABLE\s+PHASE\s+READY\s+REASON\s+AGE$/);
    assert.match(lines[1] ?? '', new RegExp(`^music\\s+${table}\\s+Completed\\s+True\\s+RestoreCompleted\\s+`));
    const wide = (await bed.kubectl('get', 'ddbr', '-n', namespace, '-o', 'wide')).split('\n');
    assert.match(wide[0] ?? '', /^NAME\s+TABLE\s+PHASE\s+READY\s+REASON\s+SOURCE\s+LAST TABLE STATUS\s+QUEUE\s+AGE$/);
    assert.match(wide[1] ?? '', new RegExp(`^music\\s+${table}\\s+Completed\\s+True\\s+RestoreCompleted\\s+${backupArn}\\s+ACTIVE\\s+\\d+s$`), 'QUEUE empty once restored');

    // What Prometheus scrapes after one restore.
    const metrics = await operator.metrics();
    for (const series of [
      'dynamodb_restore_aws_calls_total{operation="DescribeBackup",code="OK"} 1',
      'dynamodb_restore_aws_calls_total{operation="RestoreTableFromBackup",code="OK"} 1',
      'dynamodb_restore_aws_calls_total{operation="TagResource",code="OK"} 1',
      `dynamodb_restore_resources{namespace="${namespace}",phase="Completed"} 1`,
      `dynamodb_restore_resources{namespace="${namespace}",phase="Restoring"} 0`,
      `dynamodb_restore_duration_seconds_count{namespace="${namespace}",phase="Completed"} 1`,
      'workqueue_depth{name="dynamodbrestore",controller="dynamodbrestore"} 0',
      'controller_runtime_max_concurrent_reconciles{controller="dynamodbrestore"} 10',
      'leader_election_is_leader 1',
    ]) {
      assert.ok(metrics.split('\n').includes(series), series);
    }
    assert.match(metrics, /^controller_runtime_reconcile_total\{controller="dynamodbrestore",result="requeue_after"\} [1-9]/m);
    assert.match(metrics, /^dynamodb_restore_aws_calls_total\{operation="DescribeTable",code="OK"\} [1-9]/m);
    assert.equal(await httpStatus(`${operator.probeUrl}/healthz`), 200);
    assert.equal(await httpStatus(`${operator.probeUrl}/readyz`), 200);

    const events = (await restores.events(namespace)).filter((e) => e.name === 'music');
      assert.deepEqual(events.map((e) => e.reason).sort(), ['RestoreCompleted', 'RestoreRequested', 'Restoring', 'Validating']);
  });

  it('costs no AWS call once Completed, even when a restarted operator reconciles it again from its first list', async () => {
    const done = await restores.waitFor(namespace, 'music', 'to be final', (r) => r.status?.phase === 'Completed');
    const table = done.spec.targetTableName;
    const ofTable = () => bed.proxy.calls.filter((c) => c.body.TableName === table || c.body.TargetTableName === table).length;
    const reconciles = async () =>
      [...(await operator.metrics()).matchAll(/^controller_runtime_reconcile_total\{controller="dynamodbrestore",[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    const callsBefore = ofTable();
    // A status or label change does not wake the reconciler (only a new generation or a deletion does); a new
    // process does, for every resource its first list finds, as a resync would.
    await bed.group.stop(operator.process);
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace }, await bed.productionBundle());
    await waitFor('the new operator to reconcile the resource', async () => (await reconciles()) > 0, 30_000, 100);
    assert.equal(ofTable(), callsBefore);
  });
});
