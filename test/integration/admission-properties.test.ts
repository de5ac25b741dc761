// Bad input on the real apiserver, generated: a spec the generators call valid is accepted; a field of the wrong JSON
// type is always refused at admission (422) with a message that names the offending field (spec.…) or a CEL rule's
// sentence; an odd spec is refused only with such a message; and a sample of the accepted ones, run by the operator,
// each fails, as none of their sources exists on the bed, with the reason its spec calls for and a Ready sentence.
// FAST_CHECK_RUNS scales the number of specs (default 60; capped at 2000 for the apiserver's sake).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { DynamoDBRestoreSpec as SpecSchema, GROUP, PLURAL, VERSION, type DynamoDBRestoreSpec } from '../../src/api/dynamodb-restore.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { Restores, uniqueName } from '../support/restores.ts';
import type { OperatorProcess, TestBed } from '../support/testbed.ts';
import { oddSpec, validSpec } from '../unit/properties/arbitraries.ts';
import { checkAsync, numRuns } from '../unit/properties/runs.ts';

const DEFAULT_RUNS = 60;
const MAX_RUNS = 2_000;
/** Accepted specs run end to end by the operator. */
const SAMPLE = 5;

/** Every CEL rule's message in the spec's schema: a refusal may quote one of them instead of a field path. */
function celMessages(schema: unknown): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const own = ((schema as { 'x-kubernetes-validations'?: Array<{ message: string }> })['x-kubernetes-validations'] ?? []).map((r) => r.message);
  return [...own, ...Object.values(schema).flatMap(celMessages)];
}
const CEL_MESSAGES = celMessages(JSON.parse(JSON.stringify(SpecSchema)));
/**
 * A field path under spec and what is wrong there, as the apiserver reports it: `spec.source.backupArn: Invalid
 * value…`, `spec: Required value`, `spec.tableSettings.tags.aws:x: Too long…` (a map key may hold anything).
 */
const FIELD_PATH = /(^|[\s[,])spec([.[].*?)?: (Invalid value|Required value|Unsupported value|Too long|Too short|Too many|Duplicate value|Forbidden)/s;

type Verdict = { accepted: true; name: string } | { accepted: false; message: string };

async function admit(restores: Restores, namespace: string, spec: unknown): Promise<Verdict> {
  const name = uniqueName('p');
  try {
    await restores.create(namespace, name, spec as DynamoDBRestoreSpec);
    return { accepted: true, name };
  } catch (err) {
    if (err instanceof ApiException && err.code === 422) return { accepted: false, message: String((JSON.parse(String(err.body)) as { message: string }).message) };
    throw err;
  }
}

function assertClearRefusal(message: string): void {
  assert.ok(FIELD_PATH.test(message) || CEL_MESSAGES.some((m) => message.includes(m)), `a refusal that names no field and no rule: ${message.slice(0, 500)}`);
}

/**
 * The spec with its Regions (spec.region, and those in its ARNs) mapped onto Regions that exist: the emulator answers a
 * made-up one (admitted: it has the pattern) with an HTML page, and AWS with a DNS failure, both retried with backoff
 * as a network fault would be, so such a restore never ends. The same mapping for all keeps the CEL cross-Region rule.
 */
const REAL_REGIONS = new Set(['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-gov-west-1']);
const real = (region: string) => (REAL_REGIONS.has(region) ? region : 'us-east-1');
function inRealRegions(spec: DynamoDBRestoreSpec): DynamoDBRestoreSpec {
  const arn = (a: string | undefined) => a?.split(':').map((part, i) => (i === 3 ? real(part) : part)).join(':');
  const { backupArn, pointInTime } = spec.source;
  return {
    ...spec,
    ...(spec.region ? { region: real(spec.region) } : {}),
    source: {
      ...spec.source,
      ...(backupArn ? { backupArn: arn(backupArn) } : {}),
      ...(pointInTime?.sourceTableArn ? { pointInTime: { ...pointInTime, sourceTableArn: arn(pointInTime.sourceTableArn) } } : {}),
    },
  };
}

/** The JSON type the schema gives each field a wrong-typed spec replaces (written out here, not read from the schema). */
const FIELD_TYPES: Record<string, 'string' | 'object' | 'array' | 'boolean'> = {
  targetTableName: 'string',
  region: 'string',
  source: 'object',
  'source.backupArn': 'string',
  'source.backup': 'object',
  'source.pointInTime': 'object',
  overrides: 'object',
  'overrides.billingMode': 'string',
  'overrides.provisionedThroughput': 'object',
  'overrides.globalSecondaryIndexes': 'array',
  'overrides.sse': 'object',
  tableSettings: 'object',
  'tableSettings.tags': 'object',
  'tableSettings.pointInTimeRecovery': 'boolean',
  deletionPolicy: 'string',
  credentials: 'object',
};
const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : typeof v);
/** No null: the apiserver prunes a null field that is not nullable, which leaves an optional one simply absent. */
const junk = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.string({ maxLength: 10 }), fc.array(fc.integer(), { maxLength: 3 }), fc.constant({}));
/** A valid spec with one field replaced by a value of another JSON type than the schema's. */
const wronglyTyped = fc
  .tuple(validSpec, fc.constantFrom(...Object.keys(FIELD_TYPES)), junk)
  .filter(([, path, value]) => jsonType(value) !== FIELD_TYPES[path])
  .map(([valid, path, value]) => {
    const spec = structuredClone(valid) as unknown as Record<string, unknown>;
    const keys = path.split('.');
    let at = spec;
    for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[keys[keys.length - 1] as string] = value;
    return { spec, path };
  });

/**
 * Why a generated spec fails on the bed, where none of its random sources exists: spec.credentials first (the bed's
 * operator has no cluster name to derive an ExternalId from), else the missing source.
 */
function expectedReason(spec: DynamoDBRestoreSpec): string {
  if (spec.credentials) return 'ClusterNameRequired';
  return spec.source.pointInTime ? 'SourceTableNotFound' : 'BackupNotFound';
}

const ready = (status: { conditions?: Array<{ type: string; message: string; reason: string }> } | undefined) => status?.conditions?.find((c) => c.type === 'Ready');

describe('integration: generated specs on the real apiserver, and the operator on the accepted ones', function () {
  this.timeout(Math.max(120_000, numRuns(DEFAULT_RUNS, MAX_RUNS) * 200));
  let bed: TestBed;
  let restores: Restores;
  let operator: OperatorProcess | undefined;
  const admission = uniqueName('adm-props');
  const running = uniqueName('run-props');
  const accepted: DynamoDBRestoreSpec[] = [];

  before(async () => {
    bed = await sharedTestBed();
    restores = new Restores(bed);
    await bed.createNamespace(admission);
    await bed.createNamespace(running);
  });

  after(async () => {
    if (operator) await bed.group.stop(operator.process);
  });

  it('accepts every spec the generators call valid', async () => {
    await checkAsync(
      fc.asyncProperty(validSpec, async (spec) => {
        const verdict = await admit(restores, admission, spec);
        assert.ok(verdict.accepted, `refused: ${verdict.accepted ? '' : verdict.message.slice(0, 500)}`);
        accepted.push(spec);
      }),
      DEFAULT_RUNS,
      MAX_RUNS,
    );
  });

  it('refuses every spec with a field of the wrong JSON type, with HTTP 422 naming the field or the rule', async () => {
    await checkAsync(
      fc.asyncProperty(wronglyTyped, async ({ spec, path }) => {
        const verdict = await admit(restores, admission, spec);
        assert.ok(!verdict.accepted, `accepted a wrong type at spec.${path}: ${JSON.stringify(spec).slice(0, 300)}`);
        assertClearRefusal(verdict.message);
      }),
      DEFAULT_RUNS,
      MAX_RUNS,
    );
  });

  it('refuses an odd spec only with HTTP 422 naming the field or the rule, and refuses some', async () => {
    // An odd spec may still be valid (a mutation can land on an allowed value): what is checked is that no refusal
    // is left unexplained. The accepted ones join the sample the operator runs.
    let refused = 0;
    await checkAsync(
      fc.asyncProperty(oddSpec, async (spec) => {
        const verdict = await admit(restores, admission, spec);
        if (verdict.accepted) accepted.push(spec);
        else {
          refused++;
          assertClearRefusal(verdict.message);
        }
      }),
      DEFAULT_RUNS,
      MAX_RUNS,
    );
    assert.ok(refused > 0, 'the odd specs are refused, at least some');
  });

  it('admits a tag key named __proto__, and hands it back as an own key', async () => {
    const tags = Object.fromEntries([['__proto__', 'x'], ['team', 'a']]) as Record<string, string>;
    const spec: DynamoDBRestoreSpec = { targetTableName: 'Music', source: { backup: { tableName: 'Music', latest: true } }, tableSettings: { tags } };
    const verdict = await admit(restores, admission, spec);
    assert.ok(verdict.accepted);
    const read = await restores.get(admission, verdict.name);
    assert.deepEqual(Object.keys(read.spec.tableSettings?.tags ?? {}).sort(), ['__proto__', 'team']);
  });

  it('refuses a status with wrong-typed fields (so the core never sees one)', async () => {
    const verdict = await admit(restores, admission, { targetTableName: 'Music', source: { backup: { tableName: 'Music', latest: true } } });
    assert.ok(verdict.accepted);
    const api = bed.kubeConfig.makeApiClient(CustomObjectsApi);
    const current = await restores.get(admission, verdict.name);
    for (const status of [{ startTime: 5 }, { conditions: 'x' }, { backupArn: [] }, { phase: 'Restarting' }, { restoreRequestedAt: 'yesterday' }]) {
      await assert.rejects(
        api.replaceNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, plural: PLURAL, namespace: admission, name: verdict.name, body: { ...current, status } }),
        (err: unknown) => err instanceof ApiException && err.code === 422,
        JSON.stringify(status),
      );
    }
  });

  it(`runs a sample of ${SAMPLE} accepted specs, whose sources the bed does not hold, each to Failed with the reason its spec calls for and a Ready sentence, the operator alive`, async () => {
    assert.ok(accepted.length >= SAMPLE, `only ${accepted.length} accepted`);
    // Spread over the kinds of source; each its own table name, so nothing meets another suite's tables.
    const kind = (s: DynamoDBRestoreSpec) => Object.keys(s.source).sort().join('+');
    const byKind = new Map<string, DynamoDBRestoreSpec[]>();
    for (const s of accepted) byKind.set(kind(s), [...(byKind.get(kind(s)) ?? []), s]);
    const sample: DynamoDBRestoreSpec[] = [];
    for (let i = 0; sample.length < SAMPLE; i++) {
      for (const list of byKind.values()) {
        const spec = list[i];
        if (spec && sample.length < SAMPLE) sample.push(spec);
      }
    }
    operator = await bed.startOperator({ WATCH_NAMESPACES: running });
    const names: string[] = [];
    for (const spec of sample) {
      const name = uniqueName('p');
      await restores.create(running, name, { ...inRealRegions(spec), targetTableName: uniqueName('props') });
      names.push(name);
    }
    for (const name of names) {
      const done = await restores.waitFor(running, name, 'to reach a final phase', (r) => r.status?.phase === 'Completed' || r.status?.phase === 'Failed', 40_000);
      const condition = ready(done.status);
      if (process.env.DEBUG_PROPERTIES) console.log(`      ${name}: ${done.status?.phase} ${condition?.reason}: ${condition?.message}`);
      assert.deepEqual([done.status?.phase, condition?.reason], ['Failed', expectedReason(done.spec)], name);
      assert.ok(condition && condition.message.trim().length > 0, `${name}: a Ready condition with a sentence`);
    }
    assert.equal(operator.process.child.exitCode, null, 'the operator is still running');
  });
});
