// Properties of planDeletion over any resource, status and answer from AWS: it never throws, it deletes only a table
// whose TableId it recorded (or, none recorded, the lost answer to its own restore call, ADR 4) and that carries this
// resource's uid tag, it tags only that table, and with Retain past its slot, a policy forbidding Delete or no
// restore ever asked for, it lets the resource go without an AWS call.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DynamoDBRestore } from '../../../src/api/dynamodb-restore.ts';
import type { DynamoDBRestorePolicy } from '../../../src/api/dynamodb-restore-policy.ts';
import type { TableState } from '../../../src/aws/dynamodb-port.ts';
import { planDeletion } from '../../../src/restore/restore-deletion.ts';
import { OWNER_UID_TAG, ownerTags } from '../../../src/restore/restore-ownership.ts';
import type { Observation, PlanOptions, Step } from '../../../src/restore/restore-vocabulary.ts';
import { awsErrorOf, errorCode, now, observation, nearlyOurTable, observedSettings, ownershipCase, planOptions, policies, policy, restore, validSpec, validStatus } from './arbitraries.ts';
import { mayBeOurLostAnswer } from './lost-answer-oracle.ts';
import { check, propertyTimeoutMs } from './runs.ts';
import { assertMessagesBounded, assertStatusWritable, assertWellFormed } from './status-checks.ts';

const plan = (r: DynamoDBRestore, o: Observation, at: Date, options: PlanOptions, p: readonly DynamoDBRestorePolicy[]): Step => planDeletion(r, o, at, options, p);
const DELETION_ACTIONS = new Set(['releaseFinalizer', 'describeSettings', 'tagTable', 'deleteTable', 'requeue', 'done']);
const deleting = (r: DynamoDBRestore): DynamoDBRestore => ({ ...r, spec: { ...r.spec, deletionPolicy: 'Delete' } });
/** Mostly the table-and-tags reads the deletion plan asks for. */
const answers = fc.oneof({ weight: 3, arbitrary: observedSettings().map((settings): Observation => ({ kind: 'settingsDescribed', settings })) }, { weight: 2, arbitrary: observation() });
/** A resource with deletionPolicy Delete, and an answer that may or may not be about its table. */
const deletionCase = ownershipCase({
  answer: (r) => nearlyOurTable(r).map(({ table, tags }): Observation => ({ kind: 'settingsDescribed', settings: { table, tags } })),
}).map(([r, o]): [DynamoDBRestore, Observation] => [deleting(r), o]);
/** The table is the one this resource recorded, or, none recorded, may be the lost answer to its restore call. */
const recordedOrLostAnswer = (r: DynamoDBRestore, table: TableState, tags: Record<string, string> | undefined, skewMs: number): boolean =>
  r.status?.tableId !== undefined ? table.id === r.status.tableId : mayBeOurLostAnswer(r, table, tags, skewMs);
const plainError = fc.tuple(errorCode, fc.string({ maxLength: 300 })).map(([c, m]) => awsErrorOf(c, m, 'DeleteTable'));

describe('properties: planDeletion', function () {
  this.timeout(propertyTimeoutMs());

  it('never throws, and answers only with the deletion actions', () => {
    check(
      fc.property(restore(), answers, now, planOptions, policies, (r, o, at, options, p) => {
        const step = plan(r, o, at, options, p);
        assertWellFormed(step);
        assert.ok(DELETION_ACTIONS.has(step.action.kind), step.action.kind);
      }),
    );
  });

  it("deletes only the target table, ACTIVE, without deletion protection, carrying this resource's uid tag", () => {
    check(
      fc.property(deletionCase, now, planOptions, policies, ([r, o], at, options, p) => {
        const { action } = plan(r, o, at, options, p);
        if (action.kind !== 'deleteTable') return;
        assert.equal(action.tableName, r.spec.targetTableName);
        assert.equal(o.kind, 'settingsDescribed', `deleteTable after ${o.kind}`);
        if (o.kind !== 'settingsDescribed') return;
        assert.ok(o.settings, 'a table that exists');
        assert.equal(o.settings.tags?.[OWNER_UID_TAG], r.metadata.uid, 'the uid tag is the proof');
        assert.ok(recordedOrLostAnswer(r, o.settings.table, o.settings.tags, options.adoptionSkewMs), 'the table is the one this resource recorded, or its lost answer');
        assert.equal(o.settings.table.status, 'ACTIVE');
        assert.ok(!o.settings.table.deletionProtection);
      }),
    );
  });

  it('tags only the table whose TableId it recorded (or its lost answer), untagged, with its own tags', () => {
    check(
      fc.property(deletionCase, now, planOptions, policies, ([r, o], at, options, p) => {
        const { action } = plan(r, o, at, options, p);
        if (action.kind !== 'tagTable') return;
        assert.deepEqual(action.tags, ownerTags(r));
        assert.ok(o.kind === 'settingsDescribed' && o.settings, `tagTable after ${o.kind}`);
        assert.ok(recordedOrLostAnswer(r, o.settings.table, o.settings.tags, options.adoptionSkewMs), 'the table is the one this resource recorded, or its lost answer');
        assert.equal(o.settings.tags?.[OWNER_UID_TAG], undefined, "no one's owner tag is replaced");
      }),
    );
  });

  it("never deletes or tags a table whose TableId is not the recorded one, whatever its tags say (a forged owner-uid tag included); none recorded, only its call's lost answer", () => {
    const forged = ownershipCase({
      answer: (r) =>
        nearlyOurTable(r).map(({ table }): Observation => ({
          kind: 'settingsDescribed',
          settings: { table: { ...table, id: 'not-the-recorded-id', status: 'ACTIVE', deletionProtection: false }, tags: { [OWNER_UID_TAG]: r.metadata.uid } },
        })),
    });
    check(
      fc.property(forged, now, planOptions, policies, ([r, o], at, options, p) => {
        const { action } = plan(deleting(r), o, at, options, p);
        if (action.kind !== 'deleteTable' && action.kind !== 'tagTable') return;
        assert.ok(o.kind === 'settingsDescribed' && o.settings, action.kind);
        assert.equal(r.status?.tableId, undefined, `${action.kind} of a table with another TableId than the recorded one`);
        assert.ok(mayBeOurLostAnswer(r, o.settings.table, o.settings.tags, options.adoptionSkewMs), `${action.kind} of a table that cannot be its lost answer`);
      }),
    );
  });

  it('lets the resource go without an AWS call under Retain once its restore is past its slot, before any restore was asked for, or when a policy forbids Delete', () => {
    const forbidsDelete = policy().map((pol) => ({ ...pol, spec: { ...pol.spec, namespaces: ['.*'], allowedDeletionPolicies: ['Retain' as const] } }));
    check(
      fc.property(
        restore(),
        fc.constantFrom('retain', 'never asked', 'policy'),
        answers,
        now,
        planOptions,
        policies,
        forbidsDelete,
        (r, why, o, at, options, p, forbid) => {
          const cases = {
            retain: { resource: { ...r, spec: { ...r.spec, deletionPolicy: 'Retain' as const }, status: { ...r.status, phase: 'Completed' as const } }, with: p },
            'never asked': { resource: deleting({ ...r, status: { ...r.status, restoreRequestedAt: undefined } }), with: p.filter((x) => !x.spec.allowedDeletionPolicies) },
            policy: { resource: deleting(r), with: [...p, forbid] },
          } as const;
          const { resource, with: ps } = cases[why];
          assert.equal(plan(resource, o, at, options, ps).action.kind, 'releaseFinalizer');
        },
      ),
    );
  });

  it('keeps status messages bounded and writable for an admitted resource and AWS answers of ordinary size', () => {
    const realistic = fc.oneof(
      observedSettings({ realistic: true }).map((settings): Observation => ({ kind: 'settingsDescribed', settings })),
      plainError.map((error): Observation => ({ kind: 'failed', error })),
    );
    check(
      fc.property(restore({ spec: validSpec, status: fc.option(validStatus, { nil: undefined }) }).map(deleting), realistic, now, planOptions, policies, (r, o, at, options, p) => {
        const { status } = plan(r, o, at, options, p);
        assertMessagesBounded(status);
        assertStatusWritable(status);
      }),
    );
  });
});
