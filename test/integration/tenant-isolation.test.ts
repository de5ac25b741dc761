// Issue 13's attacks on one table, played on the bed by a hostile tenant: a ServiceAccount bound only to
// deploy/tenancy/tenant-role.yaml in its own namespace, with the shipped ValidatingAdmissionPolicy installed. Each
// worked at a00b1e8; each must now end refused, with no AWS call it should not make, the victim's table and tags intact.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListTagsOfResourceCommand, TagResourceCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRestore } from '../../src/api/dynamodb-restore.ts';
import { OWNER_TAG, OWNER_UID_TAG } from '../../src/restore/restore-ownership.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { createMusicTable, dynamodbClient, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import { REPO, type OperatorProcess, type TestBed } from '../support/testbed.ts';

const readyOf = (r: DynamoDBRestore) => r.status?.conditions?.find((c) => c.type === 'Ready');

describe('integration: tenant isolation against a hostile tenant', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let operator: OperatorProcess;
  let admin: Restores;
  /** The attacker: team-b's deployer, with the tenant role in its own namespace only. */
  let attacker: Restores;
  const victimNs = uniqueName('team-a');
  const attackerNs = uniqueName('team-b');
  const ungoverned = uniqueName('nobody');

  const tagsOf = async (tableArn: string): Promise<Record<string, string | undefined>> => {
    const { Tags = [] } = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: tableArn }));
    return Object.fromEntries(Tags.map((t): [string, string | undefined] => [t.Key ?? '', t.Value]));
  };

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    admin = new Restores(bed);
    await bed.createNamespace(victimNs);
    await bed.createNamespace(attackerNs);
    await bed.createNamespace(ungoverned, { governed: false });
    await bed.apply(readFileSync(join(REPO, 'deploy/kustomize/base/admission-policy.yaml'), 'utf8'));
    attacker = new Restores(bed, await bed.tenantKubeConfig(attackerNs));
    operator = await bed.startOperator({ WATCH_NAMESPACES: `${victimNs},${attackerNs},${ungoverned}` });
  });

  after(async () => {
    await bed.group.stop(operator.process);
    ddb.destroy();
  });

  /** The victim's restore, Completed: its table ACTIVE and tagged as its own. */
  async function victimRestore(name: string, table: string, backupArn: string): Promise<DynamoDBRestore> {
    await admin.create(victimNs, name, { targetTableName: table, source: { backupArn } });
    return admin.waitFor(victimNs, name, 'to complete', (r) => r.status?.phase === 'Completed');
  }

  it("attack 2: a restore in another namespace naming a live resource's table ends Failed TableClaimed before any AWS call; deleting it deletes nothing", async () => {
    const table = uniqueName('Claimed');
    const backupArn = await musicBackup(ddb, uniqueName('Source'));
    const victim = await victimRestore('victim', table, backupArn);
    const mark = bed.proxy.calls.length;

    await attacker.create(attackerNs, 'takeover', { targetTableName: table, source: { backupArn }, deletionPolicy: 'Delete' });
    const refused = await attacker.waitFor(attackerNs, 'takeover', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(readyOf(refused)?.reason, 'TableClaimed');
    assert.equal(refused.status?.lastError?.code, 'TableClaimed');
    // The claimant is another team's: the sentence does not name it.
    assert.equal(
      readyOf(refused)?.message,
      `Table ${table} in us-east-1 is already claimed by a DynamoDBRestore in another namespace: one resource per table, so this one makes no AWS call. ` +
        'Choose another targetTableName in a new DynamoDBRestore, or delete the other resource first.',
    );
    await attacker.delete(attackerNs, 'takeover');
    await attacker.waitGone(attackerNs, 'takeover');

    assert.deepEqual(bed.proxy.calls.slice(mark).map((c) => c.operation), [], 'the attacker caused no AWS call at all');
    assert.deepEqual(await tagsOf(victim.status?.tableArn ?? ''), { [OWNER_TAG]: `${victimNs}/victim`, [OWNER_UID_TAG]: victim.metadata.uid });
    assert.equal((await admin.get(victimNs, 'victim')).status?.phase, 'Completed');
  });

  it("attack 2, once the victim's resource is gone (Retain): restoring the same backup into its table within a minute fails TableAlreadyExists, and deleting that resource deletes nothing", async () => {
    const table = uniqueName('Retained');
    const backupArn = await musicBackup(ddb, uniqueName('Source'));
    const victim = await victimRestore('retained', table, backupArn);
    await admin.delete(victimNs, 'retained');
    await admin.waitGone(victimNs, 'retained');
    const mark = bed.proxy.calls.length;

    // Seconds after the victim's table was made: inside a00b1e8's 60 s adoption allowance.
    await attacker.create(attackerNs, 'late', { targetTableName: table, source: { backupArn }, deletionPolicy: 'Delete' });
    const refused = await attacker.waitFor(attackerNs, 'late', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(readyOf(refused)?.reason, 'TableAlreadyExists');
    assert.equal(refused.status?.tableId, undefined, "the victim's table identity is not taken over");
    await attacker.delete(attackerNs, 'late');
    await attacker.waitGone(attackerNs, 'late');

    const calls = bed.proxy.calls.slice(mark);
    assert.deepEqual(calls.filter((c) => ['TagResource', 'DeleteTable', 'UntagResource'].includes(c.operation)).map((c) => c.operation), [], 'no tag, no delete');
    assert.deepEqual(await tagsOf(victim.status?.tableArn ?? ''), { [OWNER_TAG]: `${victimNs}/retained`, [OWNER_UID_TAG]: victim.metadata.uid });
  });

  it("attack 3: an owner-uid tag forged onto someone else's table never gets it deleted by a resource whose restore failed", async () => {
    const table = uniqueName('Foreign');
    await createMusicTable(ddb, table);
    const backupArn = await musicBackup(ddb, uniqueName('Source'));
    await attacker.create(attackerNs, 'forger', { targetTableName: table, source: { backupArn }, deletionPolicy: 'Delete' });
    const failed = await attacker.waitFor(attackerNs, 'forger', 'to fail', (r) => r.status?.phase === 'Failed');
    assert.equal(readyOf(failed)?.reason, 'TableAlreadyExists');
    // Anyone with dynamodb:TagResource marks the foreign table as the attacker's resource's.
    const tableArn = `arn:aws:dynamodb:us-east-1:123456789012:table/${table}`;
    await ddb.send(new TagResourceCommand({ ResourceArn: tableArn, Tags: [{ Key: OWNER_UID_TAG, Value: failed.metadata.uid }] }));

    await attacker.delete(attackerNs, 'forger');
    await attacker.waitGone(attackerNs, 'forger');
    assert.deepEqual(bed.proxy.callsOf('DeleteTable', table), [], 'no DeleteTable');
    assert.equal((await tagsOf(tableArn))[OWNER_UID_TAG], failed.metadata.uid, 'the table is still there, as it was');
  });

  it('default-deny: a namespace no policy governs gets no restore and no answer from AWS (PolicyRequired, no call at all)', async () => {
    const mark = bed.proxy.calls.length;
    // Each source kind would otherwise ask AWS something first: ListBackups, DescribeContinuousBackups, DescribeBackup.
    const sources = {
      lookup: { backup: { tableName: 'Music', latest: true } },
      'point-in-time': { pointInTime: { sourceTableName: 'Music', useLatestRestorableTime: true } },
      arn: { backupArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d' },
    };
    for (const [name, source] of Object.entries(sources)) {
      await admin.create(ungoverned, name, { targetTableName: uniqueName('Probe'), source });
      const refused = await admin.waitFor(ungoverned, name, 'to fail', (r) => r.status?.phase === 'Failed');
      assert.equal(readyOf(refused)?.reason, 'PolicyRequired', name);
      assert.equal(
        readyOf(refused)?.message,
        `No DynamoDBRestorePolicy governs namespace ${ungoverned}, and this operator restores only in governed namespaces. ` +
          'A cluster administrator (the platform team) can create one that lists it in spec.namespaces; a team cannot.',
      );
    }
    assert.deepEqual(bed.proxy.calls.slice(mark).map((c) => c.operation), [], 'no AWS call');
  });
});
