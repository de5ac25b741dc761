// Renders docs/api.md, the API reference, from the same CRD objects crds/ holds: one row per field with its type,
// constraints and description, and the admission rules with their messages. Generated, so it cannot drift from
// what `kubectl explain` and the API server say.
import type { RenderedCrd } from './crds.ts';

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  'x-kubernetes-validations'?: Array<{ rule: string; message?: string }>;
}

interface Row {
  path: string;
  schema: Schema;
  required: boolean;
}

/** Every field under schema, depth first, in declaration order; array items appear as `field[]`. */
function rows(schema: Schema, path: string): Row[] {
  const out: Row[] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const childPath = path ? `${path}.${name}` : name;
    out.push({ path: childPath, schema: child, required: schema.required?.includes(name) ?? false });
    out.push(...rows(child, childPath));
    if (child.items) out.push(...rows(child.items, `${childPath}[]`));
  }
  return out;
}

function typeOf(schema: Schema): string {
  if (schema.type === 'array') return `[]${schema.items ? typeOf(schema.items) : 'any'}`;
  return schema.format ? `${schema.type ?? 'any'} (${schema.format})` : (schema.type ?? 'any');
}

function constraints(schema: Schema): string[] {
  const out: string[] = [];
  if (schema.enum) out.push(`one of ${schema.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
  if (schema.default !== undefined) out.push(`default \`${JSON.stringify(schema.default)}\``);
  if (schema.pattern) out.push(`pattern \`${schema.pattern}\``);
  const range = (what: string, min?: number, max?: number) => {
    if (min !== undefined && max !== undefined) out.push(`${what} ${min}–${max}`);
    else if (min !== undefined) out.push(`${what} ≥ ${min}`);
    else if (max !== undefined) out.push(`${what} ≤ ${max}`);
  };
  range('length', schema.minLength, schema.maxLength);
  range('value', schema.minimum, schema.maximum);
  range('items', schema.minItems, schema.maxItems);
  return out;
}

/** Markdown cells hold no pipes or line breaks. */
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function fieldTable(root: Schema, prefix: string): string[] {
  const lines = ['| Field | Type | Required | Description |', '|---|---|---|---|'];
  for (const { path, schema, required } of rows(root, prefix)) {
    const extra = constraints(schema);
    const description = [schema.description ?? '', extra.length ? `(${extra.join('; ')})` : ''].filter(Boolean).join(' ');
    lines.push(`| \`${cell(path)}\` | ${cell(typeOf(schema))} | ${required ? 'yes' : ''} | ${cell(description)} |`);
  }
  return lines;
}

function rules(root: Schema, prefix: string): string[] {
  const found: Array<{ path: string; rule: string; message?: string }> = [];
  const visit = (schema: Schema, path: string) => {
    for (const v of schema['x-kubernetes-validations'] ?? []) found.push({ path, ...v });
    for (const [name, child] of Object.entries(schema.properties ?? {})) visit(child, `${path}.${name}`);
    if (schema.items) visit(schema.items, `${path}[]`);
  };
  visit(root, prefix);
  if (!found.length) return [];
  return [
    '',
    'Admission rules (CEL, checked by the API server):',
    '',
    '| On | Rule | Message |',
    '|---|---|---|',
    ...found.map((r) => `| \`${cell(r.path)}\` | \`${cell(r.rule)}\` | ${cell(r.message ?? '')} |`),
  ];
}

export function renderApiReference(crds: RenderedCrd[]): string {
  const lines = [
    '<!-- Generated from src/api by `make generate`. Do not edit. -->',
    '# API reference',
    '',
    'Every field of the API group `dynamodb.restore.dev`, as the CustomResourceDefinitions in `crds/` declare it',
    '(`kubectl explain` shows the same descriptions).',
  ];
  for (const { object } of crds) {
    const spec = object.spec as {
      group: string;
      names: { kind: string; shortNames: string[] };
      scope: string;
      versions: [{ name: string; schema: { openAPIV3Schema: Schema } }];
    };
    const [version] = spec.versions;
    const root = version.schema.openAPIV3Schema;
    lines.push('', `## ${spec.names.kind}`, '', `\`${spec.group}/${version.name}\`, ${spec.scope.toLowerCase()}, short name \`${spec.names.shortNames.join('`, `')}\`.`, '', root.description ?? '');
    for (const part of ['spec', 'status'] as const) {
      const schema = root.properties?.[part];
      if (!schema) continue;
      lines.push('', `### ${part}`, '', ...fieldTable(schema, part), ...rules(schema, part));
    }
  }
  return `${lines.join('\n')}\n`;
}
