// Renders the CustomResourceDefinitions from the TypeBox schemas in this folder.
import { stringify } from 'yaml';
import type { TSchema } from '@sinclair/typebox';
import { DynamoDBRestoreSpec, DynamoDBRestoreStatus, GROUP, KIND, PLURAL, PRINTER_COLUMNS, VERSION } from './dynamodb-restore.ts';
import { DynamoDBRestorePolicySpec, POLICY_KIND, POLICY_PLURAL, POLICY_PRINTER_COLUMNS } from './dynamodb-restore-policy.ts';
import { renderApiReference } from './api-reference.ts';
import {
  DynamoDBRestoreScheduleSpec,
  DynamoDBRestoreScheduleStatus,
  MAX_SCHEDULE_NAME,
  SCHEDULE_KIND,
  SCHEDULE_PLURAL,
  SCHEDULE_PRINTER_COLUMNS,
} from './dynamodb-restore-schedule.ts';
import { celRules, type CelRule } from './schema-helpers.ts';

export interface RenderedCrd {
  fileName: string;
  object: Record<string, unknown>;
  yaml: string;
}

/** TypeBox adds symbol-keyed metadata; JSON keeps exactly the JSON Schema a CRD can hold. */
export function toOpenApi(schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema));
}

interface CrdSource {
  kind: string;
  plural: string;
  shortName: string;
  scope: 'Namespaced' | 'Cluster';
  description: string;
  printerColumns: readonly object[];
  spec: TSchema;
  /** With a status subresource, written by the operator only. */
  status?: TSchema;
  /** CEL rules on the whole object (the only place a rule may read metadata.name). */
  rules?: CelRule[];
}

/** One CustomResourceDefinition of the group, from its schemas. */
function crd(source: CrdSource): Record<string, unknown> {
  const { kind, plural, shortName, scope, description, printerColumns, spec, status, rules } = source;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames: [shortName], categories: ['dynamodb'] },
      scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          ...(status && { subresources: { status: {} } }),
          additionalPrinterColumns: printerColumns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description,
              required: ['spec'],
              ...(rules && celRules(...rules)),
              properties: {
                apiVersion: { type: 'string', description: 'APIVersion of this object.' },
                kind: { type: 'string', description: 'Kind of this object.' },
                metadata: { type: 'object' },
                spec: toOpenApi(spec),
                ...(status && { status: toOpenApi(status) }),
              },
            },
          },
        },
      ],
    },
  };
}

const CRDS: CrdSource[] = [
  {
    kind: KIND,
    plural: PLURAL,
    shortName: 'ddbr',
    scope: 'Namespaced',
    description: 'DynamoDBRestore restores one Amazon DynamoDB table from an on-demand backup, once, and reports the restore in its status.',
    printerColumns: PRINTER_COLUMNS,
    spec: DynamoDBRestoreSpec,
    status: DynamoDBRestoreStatus,
  },
  {
    kind: POLICY_KIND,
    plural: POLICY_PLURAL,
    shortName: 'ddbrp',
    scope: 'Cluster',
    description:
      'DynamoDBRestorePolicy sets the guardrails of self-service restores: which Regions, backups, table names and ' +
      'throughput the DynamoDBRestores of the namespaces it governs may use.',
    printerColumns: POLICY_PRINTER_COLUMNS,
    spec: DynamoDBRestorePolicySpec,
  },
  {
    kind: SCHEDULE_KIND,
    plural: SCHEDULE_PLURAL,
    shortName: 'ddbrs',
    scope: 'Namespaced',
    description:
      'DynamoDBRestoreSchedule restores a DynamoDB table on a cron schedule: each run is a DynamoDBRestore it owns, ' +
      'old runs are deleted past the history limits, and the newest completed table can be published in a ConfigMap.',
    printerColumns: SCHEDULE_PRINTER_COLUMNS,
    spec: DynamoDBRestoreScheduleSpec,
    status: DynamoDBRestoreScheduleStatus,
    rules: [
      {
        rule: `size(self.metadata.name) <= ${MAX_SCHEDULE_NAME}`,
        message: `a schedule's name is at most ${MAX_SCHEDULE_NAME} characters: each run is named <schedule>-<scheduled time>`,
      },
    ],
  },
];

export function renderCrds(): RenderedCrd[] {
  return CRDS.map((source) => {
    const object = crd(source);
    return { fileName: `${GROUP}_${source.plural}.yaml`, object, yaml: GENERATED + stringify(object, { lineWidth: 0 }) };
  });
}

const GENERATED = '# Generated from src/api by `make generate`. Do not edit.\n';

/**
 * Every generated file, by path from the repository root: the CRDs in crds/ (with a kustomization, so the
 * kustomize base can include them), the same CRDs in the Helm chart's crds/, and the API reference.
 */
export function generatedFiles(): Array<{ path: string; content: string }> {
  const crds = renderCrds();
  const kustomization = GENERATED + stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: crds.map((c) => c.fileName) });
  return [
    ...crds.map((c) => ({ path: `crds/${c.fileName}`, content: c.yaml })),
    { path: 'crds/kustomization.yaml', content: kustomization },
    ...crds.map((c) => ({ path: `deploy/helm/dynamodb-restore-operator/crds/${c.fileName}`, content: c.yaml })),
    { path: 'docs/api.md', content: renderApiReference(crds) },
  ];
}
