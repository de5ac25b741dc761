// Properties of planRestore over any resource (spec as admitted or odd, status as written by the operator, by
// someone else or missing), any answer from AWS (missing and odd fields, any error) and any policies: it never throws,
// a final resource costs nothing, a restore is asked for only with its moment recorded, and no table it cannot prove
// its own is tagged or adopted.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import type { DynamoDBRestore } from '../../../src/api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy } from '../../../src/api/dynamodb-restore-policy.ts';
import type { TableState } from '../../../src/aws/dynamodb-port.ts';
import { ownerTags } from '../../../src/restore/restore-ownership.ts';
import { planRestore } from '../../../src/restore/restore-plan.ts';
import type { Observation, PlanOptions, Step } from '../../../src/restore/restore-vocabulary.ts';
import {
  awsError,
  awsErrorOf,
  bigPolicy,
  errorCode,
  nearlyOurTable,
  now,
  observation,
  ownershipCase,
  planOptions,
  policies,
  restore,
  table,
  validSpec,
  validStatus,
  wrongTypedStatus,
} from './arbitraries.ts';
import { mayBeOurLostAnswer } from './lost-answer-oracle.ts';
import { check, propertyTimeoutMs } from './runs.ts';
import { ACTION_KINDS, assertMessagesBounded, assertStatusWritable, assertWellFormed, CONDITION_REASON, isRestoreCall, readyOf } from './status-checks.ts';

const FINAL = new Set(['Completed', 'Failed']);

const plan = (r: DynamoDBRestore, o: Observation, at: Date, options: PlanOptions, p: readonly DynamoDBRestorePolicy[]): Step => planRestore(r, o, at, options, p);
/** The table an observation reports, if any. */
function tableOf(o: Observation): TableState | undefined {
  if (o.kind === 'restoreStarted') return o.table;
  if (o.kind === 'described') return o.table;
  if (o.kind === 'settingsDescribed') return o.settings?.table;
  return undefined;
}
/** AWS errors whose message is of a size AWS sends (the unbounded case has a property of its own). */
const plainError = fc
  .tuple(errorCode, fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom('DescribeTable', 'RestoreTableFromBackup', 'DescribeBackup'))
  .map(([c, m, op]) => awsErrorOf(c, m, op));

describe('properties: planRestore', function () {
  this.timeout(propertyTimeoutMs());

  // AWS error codes named like Object.prototype's members make it throw: that finding has its own property, in
  // restore-errors.test.ts; the codes here are every other string.
  it('never throws, and always gives a status and an action of a known kind', () => {
    check(
      fc.property(restore(), observation(), now, planOptions, policies, (r, o, at, options, p) => {
        assertWellFormed(plan(r, o, at, options, p));
      }),
    );
  });

  // A status with wrong-typed fields cannot be stored: the apiserver checks every status write against the CRD's
  // schema (admission-properties.test.ts shows it refusing one). Should one reach the core anyway, it fails the
  // reconcile with a TypeError (retried with backoff, no AWS call), or answers a step of a known kind (whose numbers
  // may be nonsense: a startTime of 5 gives a requeue after NaN ms); nothing else.
  it('on a status with wrong-typed fields, answers a step of a known kind or throws a TypeError', () => {
    check(
      fc.property(restore({ status: wrongTypedStatus }), observation(), now, planOptions, policies, (r, o, at, options, p) => {
        let step: Step;
        try {
          step = plan(r, o, at, options, p);
        } catch (err) {
          assert.ok(err instanceof TypeError, String(err));
          return;
        }
        assert.ok((ACTION_KINDS as readonly string[]).includes(step.action.kind), step.action.kind);
      }),
    );
  });

  it("leaves a final resource alone: action done, status unchanged but for the generation it describes (its own and its conditions')", () => {
    const finalStatus = validStatus.chain((s) => fc.constantFrom('Completed' as const, 'Failed' as const).map((phase) => ({ ...s, phase })));
    check(
      fc.property(restore({ status: finalStatus }), observation(), now, planOptions, policies, (r, o, at, options, p) => {
        const before = structuredClone(r.status);
        const step = plan(r, o, at, options, p);
        assert.equal(step.action.kind, 'done');
        const generation = r.metadata.generation;
        assert.deepEqual(step.status, {
          ...before,
          observedGeneration: generation,
          ...(before?.conditions && { conditions: before.conditions.map((c) => ({ ...c, observedGeneration: generation })) }),
        });
      }),
    );
  });

  it('asks for a restore only with status.restoreRequestedAt written, and never moves that moment once written', () => {
    check(
      fc.property(restore(), observation(), now, planOptions, policies, (r, o, at, options, p) => {
        const { status, action } = plan(r, o, at, options, p);
        if (isRestoreCall(action)) {
          assert.ok(status.restoreRequestedAt, 'restoreRequestedAt is written before the call');
          assert.equal(status.phase, 'Restoring');
        }
        const asked = r.status?.restoreRequestedAt;
        if (asked && !FINAL.has(r.status?.phase ?? '')) assert.equal(status.restoreRequestedAt, asked);
      }),
    );
  });

  it('never asks for a second restore once one has started: not when a reconcile begins, not after DescribeTable', () => {
    const started = validStatus.filter((s) => s.startTime !== undefined && s.restoreRequestedAt !== undefined);
    const startOrDescribe = fc.oneof(fc.constant<Observation>({ kind: 'nothing' }), fc.option(table(), { nil: undefined }).map((t): Observation => ({ kind: 'described', table: t })));
    check(
      fc.property(restore({ status: started }), startOrDescribe, now, planOptions, policies, (r, o, at, options, p) => {
        assert.ok(!isRestoreCall(plan(r, o, at, options, p).action));
      }),
    );
  });

  it('tags only a table that answers its own restore call or is provably its restore, and only with its own tags', () => {
    check(
      fc.property(ownershipCase(), now, planOptions, policies, ([r, o], at, options, p) => {
        const { status, action } = plan(r, o, at, options, p);
        if (action.kind !== 'tagTable') return;
        assert.deepEqual(action.tags, ownerTags(r));
        const found = tableOf(o);
        assert.ok(found, `tagTable after a ${o.kind} that reports no table`);
        const ownCall = o.kind === 'restoreStarted';
        // startTime in the status the resource came with: the operator's own call was answered before (or the table
        // was adopted then); only the operator writes it.
        const begun = r.status?.startTime !== undefined;
        assert.ok(ownCall || begun || (o.kind === 'described' && mayBeOurLostAnswer(r, o.table, o.tags, options.adoptionSkewMs)), 'the table is neither the answer to our call nor its lost answer');
        void status;
        if (found.arn) assert.equal(action.tableArn, found.arn, 'the tags go on the table reported, not on one the status remembers');
      }),
    );
  });

  it('never adopts a table it cannot prove its restore: such a table fails the resource, untracked', () => {
    const notStarted = fc.option(validStatus.map(({ startTime: _s, ...s }) => s), { nil: undefined });
    const found = (r: DynamoDBRestore) =>
      fc.oneof(
        nearlyOurTable(r).map((x) => [x.table, x.tags] as const),
        nearlyOurTable(r).map((x) => [x.table, undefined] as const),
        table().map((t) => [t, undefined] as const),
      );
    const cases = ownershipCase({ status: notStarted }).chain(([r]) => found(r).map(([t, tags]) => [r, t, tags] as const));
    check(
      fc.property(cases, now, planOptions, policies, ([r, t, tg], at, options, p) => {
        fc.pre(!FINAL.has(r.status?.phase ?? ''));
        const o: Observation = { kind: 'described', table: t, tags: tg };
        const { status, action } = plan(r, o, at, options, p);
        if ((o.kind === 'described' && mayBeOurLostAnswer(r, o.table, o.tags, options.adoptionSkewMs))) return;
        assert.equal(status.startTime, undefined, 'not adopted');
        assert.equal(status.tableArn, r.status?.tableArn, 'its ARN is not taken over');
        assert.ok(action.kind !== 'tagTable' && !isRestoreCall(action) && action.kind !== 'changeSetting', `no action on it (${action.kind})`);
        assert.equal(status.phase, 'Failed');
      }),
    );
  });

  it('gives the Ready condition a CamelCase reason and the resource generation', () => {
    check(
      fc.property(restore(), observation(), now, planOptions, policies, (r, o, at, options, p) => {
        const step = plan(r, o, at, options, p);
        if (isDeepStrictEqual(step.status, r.status ?? {})) return;
        const ready = readyOf(step.status);
        if (!ready) return;
        assert.match(ready.reason, CONDITION_REASON);
        if (!isDeepStrictEqual(ready, readyOf(r.status ?? {}))) assert.equal(ready.observedGeneration, r.metadata.generation);
      }),
    );
  });

  it('writes only statuses the CRD admits, given an admitted resource and AWS answers as the SDK adapter makes them', () => {
    check(
      fc.property(restore({ spec: validSpec, status: fc.option(validStatus, { nil: undefined }) }), observation({ realistic: true }, plainError), now, planOptions, policies, (r, o, at, options, p) => {
        assertStatusWritable(plan(r, o, at, options, p).status);
      }),
    );
  });

  it('keeps status messages bounded for an admitted resource and AWS answers of ordinary size', () => {
    check(
      fc.property(restore({ spec: validSpec }), observation({}, plainError), now, planOptions, policies, (r, o, at, options, p) => {
        assertMessagesBounded(plan(r, o, at, options, p).status);
      }),
    );
  });

  // Found by this property (src/restore/restore-errors.ts, reached through planRestore's 'failed' branch and fail()): an AWS error
  // message goes whole into the Ready message and lastError.message. Over 32768 characters the apiserver refuses the
  // status write (the CRD's limit on a condition message): the resource never shows the error, and each reconcile
  // fails the same way. Fixed: AWS's words are cut at 1 KiB and every status message at MAX_STATUS_MESSAGE.
  it('keeps status messages bounded whatever the size of AWS error message', () => {
    check(
      fc.property(restore(), awsError, now, planOptions, (r, e, at, options) => {
        assertMessagesBounded(plan(r, { kind: 'failed', error: e }, at, options, []).status);
      }),
    );
  });

  // Found by this property (src/restore/restore-policy.ts, denial()): a PolicyDenied message lists every pattern of the rule, and a
  // policy may hold 100 patterns of 1024 characters: a message of up to ~100 KiB, refused by the apiserver over
  // 32768. Fixed: every status message is cut at MAX_STATUS_MESSAGE.
  it('keeps a PolicyDenied message bounded, however large the policy', () => {
    check(
      fc.property(restore({ spec: validSpec, status: fc.constant(undefined) }), bigPolicy, now, planOptions, (r, big, at, options) => {
        const { status } = plan(r, { kind: 'nothing' }, at, options, [big]);
        assertMessagesBounded(status);
      }),
    );
  });
});
