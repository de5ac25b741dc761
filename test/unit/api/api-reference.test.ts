import assert from 'node:assert/strict';
import { renderApiReference } from '../../../src/api/api-reference.ts';
import { renderCrds } from '../../../src/api/crds.ts';

describe('API reference (docs/api.md)', () => {
  const reference = renderApiReference(renderCrds());
  const lines = reference.split('\n');

  it('has one section per kind, each with its group/version, scope and short name', () => {
    assert.deepEqual(lines.filter((l) => l.startsWith('## ')), ['## DynamoDBRestore', '## DynamoDBRestorePolicy']);
    assert.ok(lines.includes('`dynamodb.restore.dev/v1alpha1`, namespaced, short name `ddbr`.'));
    assert.ok(lines.includes('`dynamodb.restore.dev/v1alpha1`, cluster, short name `ddbrp`.'));
  });

  it('gives a required field its type, description and constraints in one row', () => {
    assert.ok(
      lines.includes(
        '| `spec.targetTableName` | string | yes | Name of the table to create (--target-table-name). It must not exist yet: ' +
          'the operator never overwrites or adopts a table it did not restore. (pattern `^[a-zA-Z0-9_.-]+$`; length 3–255) |',
      ),
    );
  });

  it('lists array items as field[] and escapes pipes in CEL rules', () => {
    assert.ok(lines.some((l) => l.startsWith('| `spec.overrides.globalSecondaryIndexes[].indexName` | string | yes |')));
    assert.ok(lines.some((l) => l.startsWith("| `spec` | `self.?deletionPolicy.orValue('Retain') != 'Delete' \\|\\| ")));
  });

  it('documents the status fields the operator writes', () => {
    assert.ok(lines.some((l) => l.startsWith('| `status.tableId` | string |')));
    assert.ok(lines.some((l) => l.startsWith('| `status.conditions[].observedGeneration` | integer |')));
  });
});
