// The metrics as a scraper reads them from the running operator: controller-runtime's names and labels, the restore
// metrics' bounded namespace label, and every metric the alerts and the Grafana dashboard query.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { Restores, uniqueName } from '../support/restores.ts';
import { REPO, type OperatorProcess, type TestBed } from '../support/testbed.ts';
import { queriedMetricNames } from '../support/queried-metrics.ts';

const MISSING_BACKUP = 'arn:aws:dynamodb:us-east-1:123456789012:table/Gone/backup/01489173575360-deadbeef';

describe('integration: controller and restore metrics on the bed', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let restores: Restores;
  let operator: OperatorProcess;
  // Alphabetical: the first is admitted to the label at the first scrape, the second is past the limit of 1.
  const first = uniqueName('metrics-a');
  const second = uniqueName('metrics-b');

  before(async () => {
    bed = await sharedTestBed();
    restores = new Restores(bed);
    await bed.createNamespace(first);
    await bed.createNamespace(second);
    operator = await bed.startOperator({ WATCH_NAMESPACES: `${first},${second}`, METRICS_NAMESPACE_LABELS: '1', MAX_CONCURRENT_RECONCILES: '3' });
    for (const namespace of [first, second]) {
      await restores.create(namespace, 'gone', { targetTableName: uniqueName('Music'), source: { backupArn: MISSING_BACKUP } });
      await restores.waitFor(namespace, 'gone', 'to fail', (r) => r.status?.phase === 'Failed');
    }
  });

  after(async () => {
    await bed?.group.stop(operator.process);
  });

  it("serves controller-runtime's series for controller dynamodbrestore: reconciles by result, workers, and the work queue by name and controller", async () => {
    const lines = (await operator.metrics()).split('\n');
    for (const series of [
      'controller_runtime_max_concurrent_reconciles{controller="dynamodbrestore"} 3',
      'controller_runtime_active_workers{controller="dynamodbrestore"} 0',
      'workqueue_unfinished_work_seconds{name="dynamodbrestore",controller="dynamodbrestore"} 0',
      'workqueue_longest_running_processor_seconds{name="dynamodbrestore",controller="dynamodbrestore"} 0',
    ]) {
      assert.ok(lines.includes(series), series);
    }
    for (const pattern of [
      /^controller_runtime_reconcile_total\{controller="dynamodbrestore",result="success"\} [1-9]/,
      /^controller_runtime_reconcile_time_seconds_count\{controller="dynamodbrestore"\} [1-9]/,
      /^workqueue_adds_total\{name="dynamodbrestore",controller="dynamodbrestore"\} [1-9]/,
      /^controller_runtime_reconcile_errors_total\{controller="dynamodbrestore"\} \d+$/,
      /^workqueue_retries_total\{name="dynamodbrestore",controller="dynamodbrestore"\} \d+$/,
      /^workqueue_depth\{name="dynamodbrestore",controller="dynamodbrestore"\} 0$/,
      /^workqueue_queue_duration_seconds_count\{name="dynamodbrestore",controller="dynamodbrestore"\} [1-9]/,
      /^workqueue_work_duration_seconds_count\{name="dynamodbrestore",controller="dynamodbrestore"\} [1-9]/,
    ]) {
      assert.ok(lines.some((l) => pattern.test(l)), String(pattern));
    }
  });

  it('labels the first namespace by name and the one past METRICS_NAMESPACE_LABELS=1 as "other"', async () => {
    const lines = (await operator.metrics()).split('\n');
    for (const series of [
      `dynamodb_restore_resources{namespace="${first}",phase="Failed"} 1`,
      'dynamodb_restore_resources{namespace="other",phase="Failed"} 1',
      `dynamodb_restore_duration_seconds_count{namespace="${first}",phase="Failed"} 1`,
      'dynamodb_restore_duration_seconds_count{namespace="other",phase="Failed"} 1',
    ]) {
      assert.ok(lines.includes(series), series);
    }
    assert.deepEqual(lines.filter((l) => l.includes(`namespace="${second}"`)), []);
  });

  it('exports every metric deploy/prometheus/alerts.yaml and deploy/grafana/ query', async () => {
    const typed = new Set((await operator.metrics()).split('\n').flatMap((l) => /^# TYPE (\S+) /.exec(l)?.[1] ?? []));
    const rules = parse(readFileSync(join(REPO, 'deploy/prometheus/alerts.yaml'), 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
    const dashboard = JSON.parse(readFileSync(join(REPO, 'deploy/grafana/dynamodb-restore-operator.json'), 'utf8')) as unknown;
    const queried = queriedMetricNames([...rules.groups.flatMap((g) => g.rules.map((r) => r.expr)), ...JSON.stringify(dashboard).match(/"expr":"(?:[^"\\]|\\.)*"/g) ?? []]);
    assert.ok(queried.size >= 15, `found the queries' metrics: ${[...queried].join(', ')}`);
    assert.deepEqual([...queried].filter((name) => !typed.has(name)), []);
  });
});
