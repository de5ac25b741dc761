// The restore metrics carry a namespace label of bounded cardinality: the first namespaces by name, then "other".
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { DynamoDBRestore, DynamoDBRestoreStatus } from '../../../src/api/dynamodb-restore.ts';
import { RestoreMetrics } from '../../../src/restore/restore-metrics.ts';

const restore = (namespace: string, name: string, status?: DynamoDBRestoreStatus): DynamoDBRestore =>
  ({ apiVersion: 'dynamodb.restore.dev/v1alpha1', kind: 'DynamoDBRestore', metadata: { namespace, name }, spec: { targetTableName: 'T', source: { backupArn: 'arn' } }, status }) as DynamoDBRestore;

const NOW = Date.parse('2026-12-04T12:00:00Z');

async function series(registry: Registry, prefix: string): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l.startsWith(prefix));
}

describe('RestoreMetrics', () => {
  it('labels resources by namespace up to the limit (alphabetically at the first scrape) and counts the rest as "other"', async () => {
    const registry = new Registry();
    const cached = [
      restore('team-c', 'r1', { phase: 'Completed' }),
      restore('team-a', 'r1', { phase: 'Failed' }),
      restore('team-b', 'r1', { phase: 'Restoring', restoreRequestedAt: '2026-12-04T11:50:00Z' }),
      restore('team-d', 'r1'),
    ];
    new RestoreMetrics(registry, { cached: () => cached, namespaceLabels: 2, now: () => NOW });
    const nonZero = (await series(registry, 'dynamodb_restore_resources{')).filter((l) => !l.endsWith(' 0'));
    assert.deepEqual(nonZero, [
      'dynamodb_restore_resources{namespace="team-a",phase="Failed"} 1',
      'dynamodb_restore_resources{namespace="team-b",phase="Restoring"} 1',
      'dynamodb_restore_resources{namespace="other",phase="Completed"} 1',
      'dynamodb_restore_resources{namespace="other",phase="None"} 1',
    ]);
    // Every phase of a namespace with any resource is printed, zeros included, so a rule can compare over time.
    assert.equal((await series(registry, 'dynamodb_restore_resources{namespace="team-a"')).length, 7, 'six phases and None');
    assert.deepEqual(await series(registry, 'dynamodb_restore_longest_restoring_seconds{'), ['dynamodb_restore_longest_restoring_seconds{namespace="team-b"} 600']);
  });

  it('keeps a namespace admitted once; a namespace past the limit observes its finished restores as "other"', async () => {
    const registry = new Registry();
    let cached = [restore('team-b', 'r1', { phase: 'Completed' })];
    const metrics = new RestoreMetrics(registry, { cached: () => cached, namespaceLabels: 1, now: () => NOW });
    await registry.metrics();
    // team-a sorts first, but team-b was admitted at the first scrape.
    cached = [restore('team-a', 'r1', { phase: 'Completed' }), ...cached];
    metrics.restoreFinished('team-b', 'Completed', 30);
    metrics.restoreFinished('team-a', 'Failed', 12);
    assert.deepEqual(await series(registry, 'dynamodb_restore_duration_seconds_count{'), [
      'dynamodb_restore_duration_seconds_count{namespace="team-b",phase="Completed"} 1',
      'dynamodb_restore_duration_seconds_count{namespace="other",phase="Failed"} 1',
    ]);
    assert.ok((await series(registry, 'dynamodb_restore_resources{namespace="other",phase="Completed"} 1')).length === 1);
  });

  it('labels no namespace by name with a limit of 0', async () => {
    const registry = new Registry();
    const metrics = new RestoreMetrics(registry, { cached: () => [], namespaceLabels: 0 });
    metrics.restoreFinished('team-a', 'Completed', 1);
    assert.deepEqual(await series(registry, 'dynamodb_restore_duration_seconds_count{'), ['dynamodb_restore_duration_seconds_count{namespace="other",phase="Completed"} 1']);
  });
});
