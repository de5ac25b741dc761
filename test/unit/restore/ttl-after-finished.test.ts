import assert from 'node:assert/strict';
import type { DynamoDBRestore } from '../../../src/api/dynamodb-restore.ts';
import { ttlDecision } from '../../../src/restore/ttl-after-finished.ts';

const NOW = new Date('2026-12-04T12:00:00Z');

function restore(ttl: number | undefined, phase: string | undefined, completionTime?: string, deleting = false): DynamoDBRestore {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { name: 'r', namespace: 'team-a', uid: 'u', generation: 1, resourceVersion: '1', ...(deleting && { deletionTimestamp: '2026-12-04T11:00:00Z' as unknown as Date }) },
    spec: { targetTableName: 'team-a.t', source: { backup: { tableName: 'team-a.s', latest: true } }, ...(ttl !== undefined && { ttlSecondsAfterFinished: ttl }) },
    ...(phase && { status: { phase: phase as 'Completed', ...(completionTime && { completionTime }) } }),
  };
}

describe('ttlSecondsAfterFinished: when a finished restore is deleted', () => {
  const cases: Array<[string, DynamoDBRestore, ReturnType<typeof ttlDecision>]> = [
    ['no ttl: never', restore(undefined, 'Completed', '2026-12-01T00:00:00Z'), { kind: 'none' }],
    ['Completed 60 s ago, ttl 3600: in 3540 s', restore(3600, 'Completed', '2026-12-04T11:59:00Z'), { kind: 'wait', ms: 3_540_000 }],
    ['Completed 60 s ago, ttl 60: now', restore(60, 'Completed', '2026-12-04T11:59:00Z'), { kind: 'delete' }],
    ['Failed an hour ago, ttl 10: now', restore(10, 'Failed', '2026-12-04T11:00:00Z'), { kind: 'delete' }],
    ['ttl 0, just Completed: now', restore(0, 'Completed', '2026-12-04T12:00:00Z'), { kind: 'delete' }],
    ['still Restoring: not yet (the clock starts when it finishes)', restore(0, 'Restoring'), { kind: 'none' }],
    ['still Configuring: not yet', restore(0, 'Configuring'), { kind: 'none' }],
    ['Restoring with a completionTime an hour old: not yet (the phase decides, not the time)', restore(0, 'Restoring', '2026-12-04T11:00:00Z'), { kind: 'none' }],
    ['no status yet: not yet', restore(0, undefined), { kind: 'none' }],
    ['already being deleted: nothing more', restore(0, 'Completed', '2026-12-04T11:00:00Z', true), { kind: 'none' }],
    ['final without completionTime: nothing to count from', restore(0, 'Completed'), { kind: 'none' }],
  ];
  for (const [what, r, expected] of cases) {
    it(what, () => assert.deepEqual(ttlDecision(r, NOW), expected));
  }
});
