// The alerts (deploy/prometheus/alerts.yaml) and the Grafana dashboard (deploy/grafana/): each alert has a severity
// and a runbook section, queries only metrics the operator registers, and passes promtool's own rule tests.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RestoreMetrics } from '../../src/restore/restore-metrics.ts';
import { PrometheusMetrics } from '../../src/runtime/metrics.ts';
import { queriedMetricNames } from '../support/queried-metrics.ts';
import { REPO } from '../support/testbed.ts';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const ALERTS = join(REPO, 'deploy/prometheus/alerts.yaml');
const rules = (parse(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const runbooks = readFileSync(join(REPO, 'docs/runbooks.md'), 'utf8');
const dashboard = JSON.parse(readFileSync(join(REPO, 'deploy/grafana/dynamodb-restore-operator.json'), 'utf8')) as {
  panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
  templating: { list: Array<{ name: string }> };
};
const RUNBOOKS_URL = 'https://github.com/dynamodb-restore/dynamodb-restore-operator/blob/main/docs/runbooks.md';

describe('Prometheus alerts and the Grafana dashboard', () => {
  it('alert on a leader missing (page), and on a failed restore, a long restore, a growing queue and rising AWS errors (ticket)', () => {
    assert.deepEqual(
      rules.map((r) => `${r.alert} ${r.labels.severity}`),
      [
        'DynamoDBRestoreOperatorNoLeader page',
        'DynamoDBRestoreFailed ticket',
        'DynamoDBRestoreTakingLong ticket',
        'DynamoDBRestoreQueueGrowing ticket',
        'DynamoDBRestoreAWSErrorsRising ticket',
      ],
    );
  });

  it('link each alert to its own section of docs/runbooks.md, and document no runbook without an alert', () => {
    for (const rule of rules) {
      assert.equal(rule.annotations.runbook_url, `${RUNBOOKS_URL}#${rule.alert.toLowerCase()}`, rule.alert);
      assert.ok(rule.annotations.summary && rule.annotations.description, `${rule.alert} has a summary and a description`);
    }
    const sections = [...runbooks.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(sections, rules.map((r) => r.alert));
  });

  it('query only metrics the operator registers, in the alerts and in every dashboard panel, chosen by data source, namespace and controller', async () => {
    const registry = new PrometheusMetrics().registry;
    new RestoreMetrics(registry, { cached: () => [], namespaceLabels: 1 });
    // Registered by src/main.ts beside the leader elector; the bed's metrics test reads it from the running operator.
    const registered = new Set([...(await registry.getMetricsAsJSON()).map((m) => m.name), 'leader_election_is_leader']);
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    assert.ok(panels.every((p) => (p.targets ?? []).length > 0), 'every panel queries something');
    const queried = queriedMetricNames([...rules.map((r) => r.expr), ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr))]);
    assert.deepEqual([...queried].filter((name) => !registered.has(name)), []);
    // The dashboard shows the controller-runtime metrics stock dashboards use, and the restore metrics.
    // Chosen by data source, namespace and controller (the restore and the schedule controllers).
    assert.deepEqual(dashboard.templating.list.map((v) => v.name), ['datasource', 'namespace', 'controller']);
    for (const name of ['controller_runtime_reconcile_total', 'controller_runtime_reconcile_time_seconds', 'workqueue_depth', 'workqueue_queue_duration_seconds', 'dynamodb_restore_resources', 'dynamodb_restore_aws_calls_total']) {
      assert.ok(queried.has(name), name);
    }
  });

  it('pass promtool check rules and promtool test rules (deploy/prometheus/alerts.test.yaml)', function () {
    const promtool = process.env.TESTBED_PROMTOOL;
    if (!promtool) this.skip();
    assert.match(execFileSync(promtool, ['check', 'rules', ALERTS], { encoding: 'utf8' }), /SUCCESS: 5 rules found/);
    assert.match(execFileSync(promtool, ['test', 'rules', join(REPO, 'deploy/prometheus/alerts.test.yaml')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), /SUCCESS/);
  });
});
