// The generic client's finalizer patch on a real apiserver: it tests the finalizer list it changes, not the
// resourceVersion, so a status written in between is no conflict, while a finalizer someone else added is.
import assert from 'node:assert/strict';
import { GROUP, PLURAL, VERSION, type DynamoDBRestore } from '../../src/api/dynamodb-restore.ts';
import { ConflictError, CustomObjectClient } from '../../src/runtime/custom-objects.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { Restores, uniqueName } from '../support/restores.ts';
import type { TestBed } from '../support/testbed.ts';

const BACKUP = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const OURS = 'dynamodb.restore.dev/finalizer';

describe('integration: the finalizer patch', function () {
  this.timeout(60_000);
  let bed: TestBed;
  let client: CustomObjectClient<DynamoDBRestore>;
  let restores: Restores;
  const namespace = uniqueName('finalizers');

  before(async () => {
    bed = await sharedTestBed();
    // No operator watches this namespace: only this test writes the objects.
    await bed.createNamespace(namespace);
    client = new CustomObjectClient<DynamoDBRestore>(bed.kubeConfig, { group: GROUP, version: VERSION, plural: PLURAL });
    restores = new Restores(bed);
  });

  /** A resource as read, then changed by someone else before the read copy is used. */
  async function readThenChanged(name: string, change: (read: DynamoDBRestore) => Promise<void>): Promise<DynamoDBRestore> {
    const read = await restores.create(namespace, name, { targetTableName: 'Music', source: { backupArn: BACKUP } });
    await change(read);
    return read;
  }

  it('adds its finalizer to an object whose status was written after it was read (no conflict)', async () => {
    const read = await readThenChanged('status-between', (r) => client.replaceStatus({ ...r, status: { phase: 'Validating' } }).then(() => undefined));
    const patched = await client.setFinalizer(read, OURS, true);
    assert.deepEqual(patched?.metadata.finalizers, [OURS]);
    assert.equal(patched?.status?.phase, 'Validating', 'the status written in between is kept');
  });

  it("refuses (ConflictError) to add when someone else's finalizer appeared after the read, and keeps theirs", async () => {
    const read = await readThenChanged('theirs-between', async (r) => {
      await client.setFinalizer(r, 'example.com/theirs', true);
    });
    await assert.rejects(client.setFinalizer(read, OURS, true), ConflictError);
    assert.deepEqual((await restores.get(namespace, 'theirs-between')).metadata.finalizers, ['example.com/theirs']);
    // Read again, the add goes through beside theirs.
    const fresh = await client.setFinalizer(await restores.get(namespace, 'theirs-between'), OURS, true);
    assert.deepEqual(fresh?.metadata.finalizers, ['example.com/theirs', OURS]);
  });
});
