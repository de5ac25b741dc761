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

  it('reports the slots in use and waiting per pool as the callback gives them, and drops a pool the callback no longer lists', async () => {
    const registry = new Registry();
    let pools = [
      { pool: '123456789012/us-east-1', inUse: 3, waiting: 2 },
      { pool: '123456789012/eu-west-1', inUse: 1, waiting: 0 },
    ];
    new RestoreMetrics(registry, { cached: () => [], slots: () => pools, namespaceLabels: 5 });
    assert.deepEqual(await series(registry, 'dynamodb_restore_slots_'), [
      'dynamodb_restore_slots_in_use{pool="123456789012/us-east-1"} 3',
      'dynamodb_restore_slots_in_use{pool="123456789012/eu-west-1"} 1',
      'dynamodb_restore_slots_waiting{pool="123456789012/us-east-1"} 2',
      'dynamodb_restore_slots_waiting{pool="123456789012/eu-west-1"} 0',
    ]);
    pools = [{ pool: '123456789012/eu-west-1', inUse: 0, waiting: 4 }];
    assert.deepEqual(await series(registry, 'dynamodb_restore_slots_'), [
      'dynamodb_restore_slots_in_use{pool="123456789012/eu-west-1"} 0',
      'dynamodb_restore_slots_waiting{pool="123456789012/eu-west-1"} 4',
    ]);
  });

  it('reports no slot series when no slots callback is given', async () => {
    const registry = new Registry();
    new RestoreMetrics(registry, { cached: () => [], namespaceLabels: 5 });
    assert.deepEqual(await series(registry, 'dynamodb_restore_slots_'), []);
  });

  it('prints every phase and None, zeros included, for a namespace with one Completed resource', async () => {
    const registry = new Registry();
    new RestoreMetrics(registry, { cached: () => [restore('team-a', 'r1', { phase: 'Completed' })], namespaceLabels: 5 });
    assert.deepEqual((await series(registry, 'dynamodb_restore_resources{')).sort(), [
      'dynamodb_restore_resources{namespace="team-a",phase="Completed"} 1',
      'dynamodb_restore_resources{namespace="team-a",phase="Configuring"} 0',
      'dynamodb_restore_resources{namespace="team-a",phase="Failed"} 0',
      'dynamodb_restore_resources{namespace="team-a",phase="None"} 0',
      'dynamodb_restore_resources{namespace="team-a",phase="Queued"} 0',
      'dynamodb_restore_resources{namespace="team-a",phase="Restoring"} 0',
      'dynamodb_restore_resources{namespace="team-a",phase="Validating"} 0',
    ]);
  });

  it('drops the resource and longest-restoring series of a namespace whose resources left the cache since the last scrape', async () => {
    const registry = new Registry();
    let cached = [restore('team-a', 'r1', { phase: 'Restoring', restoreRequestedAt: '2026-12-04T11:59:00Z' })];
    new RestoreMetrics(registry, { cached: () => cached, namespaceLabels: 5, now: () => NOW });
    assert.deepEqual(await series(registry, 'dynamodb_restore_longest_restoring_seconds{'), ['dynamodb_restore_longest_restoring_seconds{namespace="team-a"} 60']);
    cached = [];
    assert.deepEqual(await series(registry, 'dynamodb_restore_resources{'), []);
    assert.deepEqual(await series(registry, 'dynamodb_restore_longest_restoring_seconds{'), []);
  });

  it('counts in the longest restore only a Restoring resource with a restoreRequestedAt, the oldest one per namespace', async () => {
    const registry = new Registry();
    const cached = [
      restore('team-a', 'no-request-time', { phase: 'Restoring' }),
      restore('team-b', 'completed', { phase: 'Completed', restoreRequestedAt: '2026-12-04T10:00:00Z' }),
      restore('team-c', 'newer', { phase: 'Restoring', restoreRequestedAt: '2026-12-04T11:58:00Z' }),
      restore('team-c', 'older', { phase: 'Restoring', restoreRequestedAt: '2026-12-04T11:30:00Z' }),
    ];
    new RestoreMetrics(registry, { cached: () => cached, namespaceLabels: 5, now: () => NOW });
    assert.deepEqual(await series(registry, 'dynamodb_restore_longest_restoring_seconds{'), ['dynamodb_restore_longest_restoring_seconds{namespace="team-c"} 1800']);
  });

  it('observes restore durations into the buckets 10 s to 4 h', async () => {
    const registry = new Registry();
    const metrics = new RestoreMetrics(registry, { cached: () => [], namespaceLabels: 5 });
    metrics.restoreFinished('team-a', 'Completed', 45);
    assert.deepEqual(await series(registry, 'dynamodb_restore_duration_seconds_bucket{'), [
      'dynamodb_restore_duration_seconds_bucket{le="10",namespace="team-a",phase="Completed"} 0',
      'dynamodb_restore_duration_seconds_bucket{le="30",namespace="team-a",phase="Completed"} 0',
      'dynamodb_restore_duration_seconds_bucket{le="60",namespace="team-a",phase="Completed"} 1',
      'dynamodb_restore_duration_seconds_bucket{le="120",namespace="team-a",phase="Completed"} 1',
      'dynamodb_restore_duration_seconds_bucket{le="300",namespace="team-a",phase="Completed"} 1',
      'dynamodb_restore_duration_seconds_bucket{le="600",namespace="team-a",phase="Completed"} 1',
      'dynamodb_restore_duration_seconds_bucket{le="1200",namespace="team-a",phase="Completed"} 1',
      'dynamodb_restore_duration_seconds_bucket{le="1800",namespace="team-a",phase="Completed"} 1',
      'dynamodb_restore_duration_seconds_bucket{le="3600",namespace="team-a",phase="Completed"} 1',
      'dynamodb_restore_duration_seconds_bucket{le="7200",namespace="team-a",phase="Completed"} 1',
      'dynamodb_restore_duration_seconds_bucket{le="14400",namespace="team-a",phase="Completed"} 1',
      'dynamodb_restore_duration_seconds_bucket{le="+Inf",namespace="team-a",phase="Completed"} 1',
    ]);
  });

  it('counts AWS calls by operation and code', async () => {
    const registry = new Registry();
    const metrics = new RestoreMetrics(registry, { cached: () => [], namespaceLabels: 5 });
    metrics.awsCall('RestoreTableFromBackup', 'OK');
    metrics.awsCall('RestoreTableFromBackup', 'OK');
    metrics.awsCall('DescribeTable', 'ThrottlingException');
    assert.deepEqual(await series(registry, 'dynamodb_restore_aws_calls_total{'), [
      'dynamodb_restore_aws_calls_total{operation="RestoreTableFromBackup",code="OK"} 2',
      'dynamodb_restore_aws_calls_total{operation="DescribeTable",code="ThrottlingException"} 1',
    ]);
  });

  it('writes the help text of each metric', async () => {
    const registry = new Registry();
    new RestoreMetrics(registry, { cached: () => [], namespaceLabels: 5 });
    assert.deepEqual(await series(registry, '# HELP dynamodb_restore_'), [
      '# HELP dynamodb_restore_slots_in_use Restores in progress per account and Region, as the leader counts them against MAX_RESTORES_IN_PROGRESS.',
      '# HELP dynamodb_restore_slots_waiting Validated restores waiting for a restore slot (Queued), per account and Region.',
      '# HELP dynamodb_restore_resources DynamoDBRestore resources by namespace and phase (None: no status yet); every phase of a namespace with any.',
      '# HELP dynamodb_restore_longest_restoring_seconds Per namespace, the seconds since the oldest restore still Restoring was requested of AWS.',
      '# HELP dynamodb_restore_duration_seconds Time from the restore request to a final phase, by namespace and that phase.',
      '# HELP dynamodb_restore_aws_calls_total AWS API calls by operation and result (OK or the AWS error code).',
    ]);
  });
});
