// Properties of checkPolicies over any policies the CRD admits (patterns that do not compile included): it never
// throws, a restore must satisfy every policy that governs its namespace and no other, the order policies are listed
// in does not matter, and a denial names the policy and the rule.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DynamoDBRestorePolicy } from '../../../src/api/dynamodb-restore-policy.ts';
import { checkPolicies, deletionPolicyDenial, governs } from '../../../src/restore/restore-policy.ts';
import { backupArn, policies, REGIONS, restore, tableArn } from './arbitraries.ts';
import { check, propertyTimeoutMs } from './runs.ts';

const RULES = ['namespaces', 'allowedRegions', 'allowedSources', 'allowedRoleArns', 'targetTableNamePattern', 'allowedDeletionPolicies', 'maxProvisionedThroughput'];
const defaultRegion = fc.option(fc.constantFrom(...REGIONS), { nil: undefined });
const source = fc.option(fc.oneof(backupArn, tableArn), { nil: undefined });
/** Two sets of policies with no name in common (names are unique in a cluster). */
const twoSets = fc.tuple(policies, policies).map(([a, b]): [DynamoDBRestorePolicy[], DynamoDBRestorePolicy[]] => [a, b.filter((p) => !a.some((q) => q.metadata.name === p.metadata.name))]);

describe('properties: checkPolicies', function () {
  this.timeout(propertyTimeoutMs());

  it('never throws, whatever the patterns', () => {
    check(
      fc.property(restore(), policies, defaultRegion, source, (r, ps, region, src) => {
        checkPolicies(r, ps, region, src);
        deletionPolicyDenial(r, ps);
      }),
    );
  });

  it('denies only through a policy that governs the namespace, naming it and the rule', () => {
    check(
      fc.property(restore(), policies, defaultRegion, source, (r, ps, region, src) => {
        const denial = checkPolicies(r, ps, region, src);
        if (!denial) return;
        const p = ps.find((x) => x.metadata.name === denial.policy);
        assert.ok(p && governs(p, r.metadata.namespace), `policy ${denial.policy} does not govern ${r.metadata.namespace}`);
        assert.ok(RULES.includes(denial.rule), denial.rule);
        assert.ok(denial.message.startsWith(`DynamoDBRestorePolicy ${denial.policy} denies this restore (${denial.rule}): `), denial.message);
      }),
    );
  });

  it('allows exactly what every governing policy allows on its own', () => {
    check(
      fc.property(restore(), policies, defaultRegion, source, (r, ps, region, src) => {
        const alone = ps.map((p) => checkPolicies(r, [p], region, src));
        assert.equal(checkPolicies(r, ps, region, src) === undefined, alone.every((d) => d === undefined));
      }),
    );
  });

  it('never lifts a denial when more policies come', () => {
    check(
      fc.property(restore(), twoSets, defaultRegion, source, (r, [a, b], region, src) => {
        if (checkPolicies(r, a, region, src)) assert.ok(checkPolicies(r, [...a, ...b], region, src));
      }),
    );
  });

  it('gives the same answer whatever order the policies come in', () => {
    check(
      fc.property(restore(), policies.chain((ps) => fc.tuple(fc.constant(ps), fc.shuffledSubarray(ps, { minLength: ps.length }))), defaultRegion, source, (r, [ps, shuffled], region, src) => {
        assert.deepEqual(checkPolicies(r, shuffled, region, src), checkPolicies(r, ps, region, src));
      }),
    );
  });
});
