// Renders the CustomResourceDefinitions from the TypeBox schemas in this folder.
import { stringify } from 'yaml';
import type { TSchema } from '@sinclair/typebox';
import { DynamoDBRestoreSpec, DynamoDBRestoreStatus, GROUP, KIND, PLURAL, PRINTER_COLUMNS, VERSION } from './dynamodb-restore.ts';

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

export function renderCrds(): RenderedCrd[] {
  const object = dynamodbRestoreCrd();
  const header = '# Generated from src/api by `make generate`. Do not edit.\n';
  return [{ fileName: `${GROUP}_${PLURAL}.yaml`, object, yaml: header + stringify(object, { lineWidth: 0 }) }];
}
