// Properties of the spec → request mapping: for any spec, the requests name the target and the source, carry each
// override the spec has and no other field, hold no undefined anywhere (nothing sent that the spec did not say),
// and both restore calls get the same overrides.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pointInTimeRequest, restoreRequest } from '../../../src/restore/restore-request.ts';
import { anySpec, backupArn } from './arbitraries.ts';
import { check, propertyTimeoutMs } from './runs.ts';

const OVERRIDES = {
  billingMode: 'BillingModeOverride',
  provisionedThroughput: 'ProvisionedThroughputOverride',
  onDemandThroughput: 'OnDemandThroughputOverride',
  globalSecondaryIndexes: 'GlobalSecondaryIndexOverride',
  localSecondaryIndexes: 'LocalSecondaryIndexOverride',
  sse: 'SSESpecificationOverride',
} as const;
const FROM_BACKUP = new Set(['TargetTableName', 'BackupArn', ...Object.values(OVERRIDES)]);
const TO_POINT_IN_TIME = new Set(['TargetTableName', 'SourceTableName', 'SourceTableArn', 'RestoreDateTime', 'UseLatestRestorableTime', ...Object.values(OVERRIDES)]);

/** Paths holding undefined, at any depth. */
function undefinedPaths(value: unknown, path = 'request'): string[] {
  if (value === undefined) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => undefinedPaths(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => undefinedPaths(v, `${path}.${k}`));
  return [];
}

const overridesOf = (request: object) => Object.fromEntries(Object.entries(request).filter(([k]) => (Object.values(OVERRIDES) as string[]).includes(k)));

describe('properties: restore requests', function () {
  this.timeout(propertyTimeoutMs());

  it('RestoreTableFromBackup: the target, the backup, each override the spec has, nothing undefined, nothing else', () => {
    check(
      fc.property(anySpec, backupArn, (spec, arn) => {
        const request = restoreRequest(spec, arn);
        assert.equal(request.TargetTableName, spec.targetTableName);
        assert.equal(request.BackupArn, arn);
        assert.deepEqual(undefinedPaths(request), []);
        for (const key of Object.keys(request)) assert.ok(FROM_BACKUP.has(key), `an invented field ${key}`);
        for (const [field, awsField] of Object.entries(OVERRIDES)) {
          assert.equal(awsField in request, spec.overrides?.[field as keyof typeof OVERRIDES] !== undefined, `${awsField} iff overrides.${field}`);
        }
        assert.deepEqual(request.GlobalSecondaryIndexOverride?.map((i) => i.IndexName), spec.overrides?.globalSecondaryIndexes?.map((i) => i.indexName));
        assert.deepEqual(request.LocalSecondaryIndexOverride?.map((i) => i.IndexName), spec.overrides?.localSecondaryIndexes?.map((i) => i.indexName));
        const t = spec.overrides?.provisionedThroughput;
        if (t) assert.deepEqual(request.ProvisionedThroughputOverride, { ReadCapacityUnits: t.readCapacityUnits, WriteCapacityUnits: t.writeCapacityUnits });
      }),
    );
  });

  it('RestoreTableToPointInTime: the source as the spec names it, the moment or the latest, the same overrides', () => {
    check(
      fc.property(anySpec, backupArn, (spec, arn) => {
        const request = pointInTimeRequest(spec);
        const pit = spec.source.pointInTime;
        assert.equal(request.TargetTableName, spec.targetTableName);
        assert.deepEqual(undefinedPaths(request), []);
        for (const key of Object.keys(request)) assert.ok(TO_POINT_IN_TIME.has(key), `an invented field ${key}`);
        assert.equal(request.SourceTableName, pit?.sourceTableName);
        assert.equal(request.SourceTableArn, pit?.sourceTableArn);
        assert.equal(request.RestoreDateTime, pit?.restoreDateTime);
        assert.equal(request.UseLatestRestorableTime, pit?.useLatestRestorableTime ? true : undefined);
        assert.deepEqual(overridesOf(request), overridesOf(restoreRequest(spec, arn)));
      }),
    );
  });
});
