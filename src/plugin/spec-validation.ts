// The CRD's OpenAPI schema, checked on the client: the JSON Schema crds/ holds (from src/api, the one source), so
// `--dry-run=client` refuses what the apiserver's schema would. Unknown fields are refused as `kubectl apply`'s
// default strict field validation refuses them. The CEL rules are the apiserver's to check (`--dry-run=server`);
// the flags rule out the ones about sources by construction (restore-manifest.ts).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { toOpenApi } from '../api/crds.ts';
import { DynamoDBRestoreSpec, Overrides } from '../api/dynamodb-restore.ts';

type JsonSchema = { [key: string]: unknown };

/** Every object with declared properties closed to others (a schema map such as tags stays open). */
function closed(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (isSchema(schema.properties)) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, closed(v as JsonSchema)]));
    out.additionalProperties ??= false;
  }
  if (isSchema(schema.items)) out.items = closed(schema.items);
  if (isSchema(schema.additionalProperties)) out.additionalProperties = closed(schema.additionalProperties);
  return out;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null;
}

/** RFC 3339 with a time zone, as Kubernetes reads `format: date-time` (an ambiguous local time is refused here). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function ajv(options: { coerceTypes: boolean }): Ajv {
  const instance = new Ajv({ allErrors: true, ...options });
  instance.addVocabulary(['x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys']);
  instance.addFormat('date-time', (value: string) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
  return instance;
}

let specValidator: ValidateFunction | undefined;
let overridesCoercer: ValidateFunction | undefined;

/** What the schema refuses in spec, one sentence per problem, each naming its field; empty when it is valid. */
export function specProblems(spec: unknown): string[] {
  specValidator ??= ajv({ coerceTypes: false }).compile(closed(toOpenApi(DynamoDBRestoreSpec) as JsonSchema));
  return specValidator(spec) ? [] : (specValidator.errors ?? []).map(problem);
}

/**
 * Gives the strings of shorthand values (`ReadCapacityUnits=100`) the types the schema says (100, true), in place.
 * Whatever cannot be converted stays as it is, for specProblems to name.
 */
export function coerceOverrides(overrides: object): void {
  overridesCoercer ??= ajv({ coerceTypes: true }).compile(toOpenApi(Overrides) as JsonSchema);
  overridesCoercer(overrides);
}

function problem(error: ErrorObject): string {
  const field = ['spec', ...error.instancePath.split('/').slice(1)].join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  const params = error.params as { allowedValues?: unknown[]; additionalProperty?: string };
  if (error.keyword === 'additionalProperties') return `${field}: unknown field "${params.additionalProperty}"`;
  if (error.keyword === 'enum') return `${field}: must be one of ${(params.allowedValues ?? []).join(', ')}`;
  return `${field}: ${error.message ?? 'is invalid'}`;
}
