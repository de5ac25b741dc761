// Renders the CustomResourceDefinitions from the TypeBox schemas in this folder.
import { stringify } from 'yaml';
import type { TSchema } from '@sinclair/typebox';
import { DynamoDBRestoreSpec, DynamoDBRestoreStatus, GROUP, KIND, PLURAL, PRINTER_COLUMNS, VERSION } from './dynamodb-restore.ts';
import { DynamoDBRestorePolicySpec, POLICY_KIND, POLICY_PLURAL, POLICY_PRINTER_COLUMNS } from './dynamodb-restore-policy.ts';

export interface RenderedCrd {
  fileName: string;
  object: Record<string, unknown>;
  yaml: string;
}

/** TypeBox adds symbol-keyed metadata; JSON keeps exactly the JSON Schema a CRD can hold. */
function toOpenApi(schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema));
}

function dynamodbRestoreCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${PLURAL}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: KIND.toLowerCase(),
        shortNames: ['ddbr'],
        categories: ['dynamodb'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: PRINTER_COLUMNS,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description:
                'DynamoDBRestore restores one Amazon DynamoDB table from an on-demand backup, once, and reports ' +
                'the restore in its status.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string', description: 'APIVersion of this object.' },
                kind: { type: 'string', description: 'Kind of this object.' },
                metadata: { type: 'object' },
                spec: toOpenApi(DynamoDBRestoreSpec),
                status: toOpenApi(DynamoDBRestoreStatus),
              },
            },
          },
        },
      ],
    },
  };
}

function dynamodbRestorePolicyCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${POLICY_PLURAL}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: POLICY_KIND,
        listKind: `${POLICY_KIND}List`,
        plural: POLICY_PLURAL,
        singular: POLICY_KIND.toLowerCase(),
        shortNames: ['ddbrp'],
        categories: ['dynamodb'],
      },
      scope: 'Cluster',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          additionalPrinterColumns: POLICY_PRINTER_COLUMNS,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description:
                'DynamoDBRestorePolicy sets the guardrails of self-service restores: which Regions, backups, table ' +
                'names and throughput the DynamoDBRestores of the namespaces it governs may use.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string', description: 'APIVersion of this object.' },
                kind: { type: 'string', description: 'Kind of this object.' },
                metadata: { type: 'object' },
                spec: toOpenApi(DynamoDBRestorePolicySpec),
              },
            },
          },
        },
      ],
    },
  };
}

export function renderCrds(): RenderedCrd[] {
  return [
    [PLURAL, dynamodbRestoreCrd()] as const,
    [POLICY_PLURAL, dynamodbRestorePolicyCrd()] as const,
  ].map(([plural, object]) => ({ fileName: `${GROUP}_${plural}.yaml`, object, yaml: GENERATED + stringify(object, { lineWidth: 0 }) }));
}

const GENERATED = '# Generated from src/api by `make generate`. Do not edit.\n';

/**
 * Every generated file, by path from the repository root: the CRDs in crds/ (with a kustomization, so the
 * kustomize base can include them) and the same CRDs in the Helm chart's crds/.
 */
export function generatedFiles(): Array<{ path: string; content: string }> {
  const crds = renderCrds();
  const kustomization = GENERATED + stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: crds.map((c) => c.fileName) });
  return [
    ...crds.map((c) => ({ path: `crds/${c.fileName}`, content: c.yaml })),
    { path: 'crds/kustomization.yaml', content: kustomization },
    ...crds.map((c) => ({ path: `deploy/helm/dynamodb-restore-operator/crds/${c.fileName}`, content: c.yaml })),
  ];
}
