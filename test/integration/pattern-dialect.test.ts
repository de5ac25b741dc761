// One pattern language: the apiserver's CEL (admission) and the operator's matcher give the same answer for each
// pattern and value of one table, and both equal the answer written down in it. CEL is asked through a throwaway
// CRD whose pattern field carries the DynamoDBRestorePolicy CRD's own pattern rule and whose value must match as the
// ValidatingAdmissionPolicy matches: value.matches('^(?:' + pattern + ')$').
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ApiException, ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { compiles, matchesWhole } from '../../src/restore/restore-policy.ts';
import { PATTERN_TABLE, type Answer } from '../support/pattern-table.ts';
import { waitFor } from '../support/processes.ts';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { REPO, type TestBed } from '../support/testbed.ts';

const PROBES = 'patternprobes';
const PROBE_GROUP = 'dialect.test.restore.dev';
const NO_MATCH = 'value does not match pattern';

/** The pattern rule of the shipped DynamoDBRestorePolicy CRD (spec.allowedSources' items), as it is in crds/. */
function policyPatternSchema(): unknown {
  const crd = parse(readFileSync(join(REPO, 'crds/dynamodb.restore.dev_dynamodbrestorepolicies.yaml'), 'utf8')) as {
    spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: { properties: { allowedSources: { items: unknown } } } } } } }> };
  };
  return crd.spec.versions[0]?.schema.openAPIV3Schema.properties.spec.properties.allowedSources.items;
}

describe('integration: one pattern dialect in CEL and in the operator', function () {
  this.timeout(120_000);
  let bed: TestBed;

  before(async () => {
    bed = await sharedTestBed();
    await bed.apply(
      JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${PROBES}.${PROBE_GROUP}` },
        spec: {
          group: PROBE_GROUP,
          scope: 'Cluster',
          names: { plural: PROBES, singular: 'patternprobe', kind: 'PatternProbe' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: {
                      type: 'object',
                      required: ['pattern', 'value'],
                      properties: { pattern: policyPatternSchema(), value: { type: 'string', maxLength: 64 } },
                      'x-kubernetes-validations': [{ rule: "self.value.matches('^(?:' + self.pattern + ')$')", message: NO_MATCH }],
                    },
                  },
                },
              },
            },
          ],
        },
      }),
    );
    const crds = bed.kubeConfig.makeApiClient(ApiextensionsV1Api);
    await waitFor('the probe CRD to be established', async () => {
      const crd = await crds.readCustomResourceDefinition({ name: `${PROBES}.${PROBE_GROUP}` });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    }, 30_000);
  });

  after(async () => {
    await bed.kubeConfig.makeApiClient(ApiextensionsV1Api).deleteCustomResourceDefinition({ name: `${PROBES}.${PROBE_GROUP}` });
  });

  /** CEL's answer: a dry-run create is admitted (match), refused by the match rule, or refused by the pattern rule. */
  async function celAnswer(pattern: string, value: string): Promise<Answer> {
    const api = bed.kubeConfig.makeApiClient(CustomObjectsApi);
    try {
      await api.createClusterCustomObject({
        group: PROBE_GROUP,
        version: 'v1',
        plural: PROBES,
        dryRun: 'All',
        body: { apiVersion: `${PROBE_GROUP}/v1`, kind: 'PatternProbe', metadata: { name: 'probe' }, spec: { pattern, value } },
      });
      return 'match';
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 422)) throw err;
      const message = String((JSON.parse(String(err.body)) as { message: string }).message);
      if (/spec.pattern: Invalid value: .*must be an RE2 regular expression/.test(message)) return 'does not compile';
      if (message.includes(NO_MATCH)) return 'no match';
      throw new Error(`unexpected refusal: ${message}`, { cause: err });
    }
  }

  const operatorAnswer = (pattern: string, value: string): Answer => (!compiles(pattern) ? 'does not compile' : matchesWhole(pattern, value) ? 'match' : 'no match');

  for (const [pattern, value, answer] of PATTERN_TABLE) {
    it(`${JSON.stringify(pattern)} against ${JSON.stringify(value)}: ${answer}, in CEL and in the operator`, async () => {
      assert.deepEqual({ cel: await celAnswer(pattern, value), operator: operatorAnswer(pattern, value) }, { cel: answer, operator: answer });
    });
  }
});
