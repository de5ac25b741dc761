// Every variant of the tutorial's CLI restore, as the manifest under deploy/examples/ that expresses it: the
// operator must send exactly the request the tutorial's command sends, and the resource must end Completed with the
// table ACTIVE. moto ignores the override fields (see DESIGN.md), so the override half of each check is on the
// request the fidelity proxy recorded, never on the table moto made.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { DynamoDBRestoreSpec } from '../../src/api/dynamodb-restore.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, MUSIC_ITEMS, musicBackup, Restores, scanItems, uniqueName } from '../support/restores.ts';
import { REGION, REPO, type OperatorProcess, type TestBed } from '../support/testbed.ts';

const SSE_KMS = { Enabled: true, SSEType: 'KMS' };
const SINGERS_INDEX = {
  IndexName: 'singers-index',
  KeySchema: [{ AttributeName: 'SingerName', KeyType: 'HASH' }],
  Projection: { ProjectionType: 'KEYS_ONLY' },
  ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
};

/** Each example and what its tutorial command sends besides --target-table-name and --backup-arn. */
const VARIANTS: Array<{ file: string; overrides: Record<string, unknown> }> = [
  { file: '01-restore.yaml', overrides: {} },
  { file: '02-sse-kms-key.yaml', overrides: { SSESpecificationOverride: { ...SSE_KMS, KMSMasterKeyId: 'abcd1234-abcd-1234-a123-ab1234a1b234' } } },
  { file: '03-cross-region.yaml', overrides: { SSESpecificationOverride: SSE_KMS } },
  { file: '04-on-demand.yaml', overrides: { BillingModeOverride: 'PAY_PER_REQUEST' } },
  { file: '05-provisioned.yaml', overrides: { BillingModeOverride: 'PROVISIONED', ProvisionedThroughputOverride: { ReadCapacityUnits: 100, WriteCapacityUnits: 100 } } },
  { file: '06-no-gsi.yaml', overrides: { GlobalSecondaryIndexOverride: [], SSESpecificationOverride: SSE_KMS } },
  { file: '07-one-gsi.yaml', overrides: { GlobalSecondaryIndexOverride: [SINGERS_INDEX] } },
  {
    file: '08-combined.yaml',
    overrides: {
      BillingModeOverride: 'PROVISIONED',
      ProvisionedThroughputOverride: { ReadCapacityUnits: 100, WriteCapacityUnits: 100 },
      GlobalSecondaryIndexOverride: [SINGERS_INDEX],
      SSESpecificationOverride: SSE_KMS,
    },
  },
];

describe('e2e: every tutorial variant, from its example manifest', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let restores: Restores;
  let operator: OperatorProcess;
  const namespace = uniqueName('e2e-variants');
  const runs = new Map<string, { table: string; backupArn: string; spec: DynamoDBRestoreSpec; name: string }>();

  before(async () => {
    bed = await sharedTestBed();
    restores = new Restores(bed);
    await bed.createNamespace(namespace);
    // The end-to-end suites run the operator as the image does (see production-bundle.test.ts).
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace }, await bed.productionBundle());
    bed.proxy.holdCreatingMs = 1_500;
    // All variants at once: each gets its own backup of a Music table (with the singers-index GSI the overrides name).
    await Promise.all(
      VARIANTS.map(async ({ file }) => {
        const example = parse(readFileSync(join(REPO, 'deploy/examples', file), 'utf8')) as { metadata: { name: string }; spec: DynamoDBRestoreSpec };
        const backupRegion = example.spec.source.backupArn?.split(':')[3] ?? REGION;
        const source = dynamodbClient(bed, backupRegion);
        const table = uniqueName('Music');
        const backupArn = await musicBackup(source, table, true);
        source.destroy();
        const spec = { ...example.spec, targetTableName: table, source: { backupArn } };
        runs.set(file, { table, backupArn, spec, name: example.metadata.name });
        await restores.create(namespace, example.metadata.name, spec);
      }),
    );
  });

  after(async () => {
    await bed?.group.stop(operator.process);
  });

  for (const { file, overrides } of VARIANTS) {
    it(`${file}: sends exactly the tutorial's request and completes with the table ACTIVE`, async () => {
      const run = runs.get(file);
      assert.ok(run);
      const done = await restores.waitFor(namespace, run.name, 'to complete', (r) => r.status?.phase === 'Completed' || r.status?.phase === 'Failed');
      assert.equal(done.status?.phase, 'Completed', JSON.stringify(done.status?.lastError));
      assert.equal(done.status?.tableStatus, 'ACTIVE');

      const calls = bed.proxy.callsOf('RestoreTableFromBackup', run.table);
      assert.deepEqual(calls.map((c) => c.body), [{ TargetTableName: run.table, BackupArn: run.backupArn, ...overrides }]);
      assert.equal(calls[0]?.region, run.spec.region ?? REGION, 'the restore is asked of the target Region');
      // DescribeBackup goes to the backup's own Region, which differs from the target's in the cross-Region example.
      assert.deepEqual(bed.proxy.callsOf('DescribeBackup').filter((c) => c.body.BackupArn === run.backupArn).map((c) => c.region), [run.backupArn.split(':')[3]]);

      const ddb = dynamodbClient(bed, run.spec.region ?? REGION);
      const key = (i: unknown) => JSON.stringify(i);
      assert.deepEqual((await scanItems(ddb, run.table)).map(key).sort(), MUSIC_ITEMS.map(key).sort());
      ddb.destroy();
    });
  }

  it('tags every restored table as owned by its resource', async () => {
    for (const run of runs.values()) {
      const restore = await restores.get(namespace, run.name);
      const tagCalls = bed.proxy.callsOf('TagResource').filter((c) => String(c.body.ResourceArn).endsWith(`:table/${run.table}`));
      assert.deepEqual(tagCalls.map((c) => c.body.Tags), [
        [
          { Key: 'dynamodb.restore.dev/owner', Value: `${namespace}/${run.name}` },
          { Key: 'dynamodb.restore.dev/owner-uid', Value: restore.metadata.uid },
        ],
      ]);
    }
  });
});
