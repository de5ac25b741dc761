import assert from 'node:assert/strict';
import type { DynamoDBRestore, DynamoDBRestoreStatus } from '../../../src/api/dynamodb-restore.ts';
import { RestoreReservations } from '../../../src/restore/restore-slots.ts';

const BACKUP_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';

function restore(namespace: string, name: string, table: string, status?: DynamoDBRestoreStatus, extra: Partial<DynamoDBRestore['metadata']> = {}): DynamoDBRestore {
  return {
    apiVersion: 'dynamodb.restore.dev/v1alpha1',
    kind: 'DynamoDBRestore',
    metadata: { namespace, name, uid: `uid-${name}`, generation: 1, creationTimestamp: new Date('2026-11-20T10:00:00Z'), resourceVersion: '1', ...extra },
    spec: { targetTableName: table, region: 'us-east-1', source: { backupArn: BACKUP_ARN } },
    ...(status && { status }),
  };
}

const CREATING: DynamoDBRestoreStatus = { phase: 'Restoring', restoreRequestedAt: '2026-11-20T10:00:01Z', tableStatus: 'CREATING' };
const ACTIVE: DynamoDBRestoreStatus = { ...CREATING, tableStatus: 'ACTIVE' };
const QUEUED: DynamoDBRestoreStatus = { phase: 'Queued', queuePosition: 1 };

describe('RestoreReservations: slots and claims with one way back (settle)', () => {
  it('recounts the slots held and the claims made from what the resources say, before granting any', () => {
    const r = new RestoreReservations(1, 'us-east-1', () => undefined);
    r.recount([restore('team-a', 'holder', 'Music', CREATING), restore('team-b', 'done', 'Books', { phase: 'Completed', tableId: 'id' })]);
    assert.equal(r.inUse(restore('team-c', 'any', 'Films')), 1);
    assert.deepEqual(r.acquireSlot(restore('team-c', 'waiter', 'Films', { phase: 'Validating' })), { granted: false, position: 1, inUse: 1, capacity: 1 });
    assert.equal(r.claim(restore('team-c', 'late', 'Music')), 'team-a/holder', 'the holder keeps its claim');
    assert.equal(r.claim(restore('team-c', 'late', 'Books')), 'team-b/done', 'a Completed resource keeps its table name');
  });

  it('keeps a slot while the table is CREATING, gives it back at ACTIVE, and wakes the next in turn', () => {
    const woken: string[] = [];
    const r = new RestoreReservations(1, 'us-east-1', (key) => woken.push(key));
    const holder = restore('team-a', 'holder', 'Music');
    assert.deepEqual(r.acquireSlot(holder), { granted: true });
    assert.equal(r.acquireSlot(restore('team-b', 'waiter', 'Books')).granted, false);
    r.settle('team-a/holder', { ...holder, status: CREATING });
    assert.deepEqual(woken, []);
    r.settle('team-a/holder', { ...holder, status: ACTIVE });
    assert.deepEqual(woken, ['team-b/waiter']);
    assert.equal(r.inUse(holder), 0);
  });

  it('lets a deleted resource keep a slot it holds, but not its place in the queue', () => {
    const woken: string[] = [];
    const r = new RestoreReservations(1, 'us-east-1', (key) => woken.push(key));
    const deleted = { deletionTimestamp: new Date('2026-11-20T11:00:00Z') };
    const holder = restore('team-a', 'holder', 'Music', CREATING, deleted);
    const waiter = restore('team-b', 'waiter', 'Books', QUEUED, deleted);
    r.acquireSlot(holder);
    r.acquireSlot(waiter);
    r.settle('team-a/holder', holder);
    r.settle('team-b/waiter', waiter);
    assert.equal(r.inUse(holder), 1, 'the slot follows the table, not the resource');
    assert.deepEqual(r.acquireSlot(restore('team-c', 'next', 'Films')), { granted: false, position: 1, inUse: 1, capacity: 1 }, 'the deleted waiter left the queue');
  });

  it('gives back a claim when the resource is gone or failed without a table of its own, and not otherwise', () => {
    const r = new RestoreReservations(1, 'us-east-1', () => undefined);
    const first = restore('team-a', 'first', 'Music');
    assert.equal(r.claim(first), 'team-a/first');
    r.settle('team-a/first', { ...first, status: { phase: 'Failed', tableId: 'id-1' } });
    assert.equal(r.claim(restore('team-b', 'second', 'Music')), 'team-a/first', 'a failed resource with a table keeps its name');
    r.settle('team-a/first', { ...first, status: { phase: 'Failed' } });
    assert.equal(r.claim(restore('team-b', 'second', 'Music')), 'team-b/second');
    r.settle('team-b/second', undefined);
    assert.equal(r.claim(restore('team-c', 'third', 'Music')), 'team-c/third', 'a gone resource lets its name go');
  });
  it('recounts claims on one table name oldest first (by creationTimestamp, not by key): the oldest holds it', () => {
    const r = new RestoreReservations(1, 'us-east-1', () => undefined);
    const validating: DynamoDBRestoreStatus = { phase: 'Validating' };
    r.recount([
      restore('team-a', 'youngest', 'Music', validating, { creationTimestamp: new Date('2026-11-20T12:00:00Z') }),
      restore('team-z', 'oldest', 'Music', validating, { creationTimestamp: new Date('2026-11-20T10:00:00Z') }),
      restore('team-m', 'middle', 'Music', validating, { creationTimestamp: new Date('2026-11-20T11:00:00Z') }),
    ]);
    assert.equal(r.claim(restore('team-c', 'late', 'Music')), 'team-z/oldest');
  });

  it('recounts no claim for a resource without a status (it has not reached the claim yet)', () => {
    const r = new RestoreReservations(1, 'us-east-1', () => undefined);
    r.recount([restore('team-a', 'new', 'Music', undefined, { creationTimestamp: new Date('2026-11-20T09:00:00Z') })]);
    assert.equal(r.claim(restore('team-c', 'late', 'Music')), 'team-c/late');
  });

  it('keeps the place in the queue of a Queued resource that settles, and of a Restoring one whose table is not ACTIVE', () => {
    const r = new RestoreReservations(1, 'us-east-1', () => undefined);
    const holder = restore('team-a', 'holder', 'Music', CREATING);
    const waiter = restore('team-b', 'waiter', 'Books', QUEUED);
    r.acquireSlot(holder);
    r.acquireSlot(waiter);
    r.settle('team-a/holder', { ...holder, status: { ...CREATING, tableStatus: 'UPDATING' } });
    r.settle('team-b/waiter', waiter);
    assert.deepEqual(r.acquireSlot(restore('team-c', 'next', 'Films')), { granted: false, position: 2, inUse: 1, capacity: 1 });
  });

  it('recounts no slot for a Restoring resource whose restore was never asked of AWS (no restoreRequestedAt) or whose table is ACTIVE', () => {
    const r = new RestoreReservations(2, 'us-east-1', () => undefined);
    r.recount([
      restore('team-a', 'unasked', 'Music', { phase: 'Restoring', tableStatus: 'CREATING' }),
      restore('team-b', 'active', 'Books', ACTIVE),
    ]);
    assert.equal(r.inUse(restore('team-c', 'any', 'Films')), 0);
  });
});
