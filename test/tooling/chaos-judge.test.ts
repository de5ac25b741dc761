// The chaos runs' judge (chaos/invariants.ts), on a recorded call log written out by hand: it must catch what it
// exists to catch, or a chaos run proves nothing. A test of the test tooling, not of the operator.
import assert from 'node:assert/strict';
import { auditLeadership, auditRestores } from '../../chaos/invariants.ts';
import type { RecordedCall } from '../support/fidelity-proxy.ts';

describe('tooling: the chaos judge', () => {
  it('the judge catches a second restore, a restore that never took effect, and two replicas at once', () => {
    const call = (second: number, accessKeyId: string, operation: string, table: string, upstreamStatus?: number): RecordedCall => ({
      at: new Date(second * 1000),
      operation,
      region: 'us-east-1',
      accessKeyId,
      body: { TargetTableName: table },
      ...(upstreamStatus !== undefined && { upstreamStatus }),
    });
    const calls = [
      call(1, 'a', 'RestoreTableFromBackup', 'Once', 200),
      call(2, 'a', 'RestoreTableFromBackup', 'Twice', 200),
      call(3, 'b', 'RestoreTableFromBackup', 'Twice', 200),
      call(4, 'a', 'RestoreTableFromBackup', 'Never', 500),
      call(5, 'a', 'RestoreTableFromBackup', 'Retried'),
      call(6, 'a', 'RestoreTableFromBackup', 'Retried', 200),
      call(7, 'a', 'DescribeTable', 'Twice'),
    ];
    const restores = auditRestores(calls, ['Once', 'Twice', 'Never', 'Retried']);
    assert.equal(restores.duplicates, 1);
    assert.deepEqual(restores.problems.map((p) => p.split(':')[0]), ['Twice', 'Never']);
    const leadership = auditLeadership(calls, ['a', 'b']);
    assert.equal(leadership.active, 2);
    assert.equal(leadership.problems.length, 2);
    assert.match(leadership.problems[0] ?? '', /^a called AWS until .* after b began/);
    assert.equal(leadership.problems[1], 'Twice: calls went a → b → a');
  });

});
