// What every step of the core must give back, checked the way the apiserver and a person see it: an action of a kind
// the reconciler knows, a status the CRD's schema admits (else the status write is refused and the resource is stuck),
// and messages of a readable size.
import assert from 'node:assert/strict';
import { DynamoDBRestoreStatus, type Condition } from '../../../src/api/dynamodb-restore.ts';
import type { Action, Step } from '../../../src/restore/restore-vocabulary.ts';

/**
 * The bound on a status message (the Ready condition's message, lastError.message) this suite holds the core to. The
 * code enforces none; the CRD refuses a condition message over 32768 characters (metav1.Condition's limit), and events
 * cut notes at 1024. A sentence a person reads in `kubectl describe` fits in 4 KiB with room to spare.
 */
export const STATUS_MESSAGE_MAX = 4_096;

export const ACTION_KINDS = [
  'describeBackup',
  'listBackups',
  'claimTable',
  'acquireSlot',
  'restoreFromBackup',
  'describeContinuousBackups',
  'describeRecoveryPoint',
  'restoreToPointInTime',
  'startRestoreJob',
  'describeRestoreJob',
  'describeTable',
  'tagTable',
  'describeSettings',
  'changeSetting',
  'deleteTable',
  'releaseFinalizer',
  'requeue',
  'backoff',
  'done',
] as const;
type Unlisted = Exclude<Action['kind'], (typeof ACTION_KINDS)[number]>;
// Does not compile once the plan has an action kind this list lacks: the properties must learn it first.
const everyKindListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyKindListed;

export const RESTORE_CALLS: ReadonlySet<string> = new Set(['restoreFromBackup', 'restoreToPointInTime', 'startRestoreJob']);

export function readyOf(status: DynamoDBRestoreStatus): Condition | undefined {
  return status.conditions?.find((c) => c.type === 'Ready');
}

/** A step is a status object and an action of a known kind, with sane fields. */
export function assertWellFormed(step: Step): void {
  assert.ok(step && typeof step === 'object', 'a step');
  assert.ok(step.status && typeof step.status === 'object' && !Array.isArray(step.status), 'a status object');
  assert.ok((ACTION_KINDS as readonly string[]).includes(step.action.kind), `a known action kind, not ${step.action.kind}`);
  if (step.action.kind === 'requeue') assert.ok(Number.isFinite(step.action.afterMs) && step.action.afterMs >= 0, `requeue after ${step.action.afterMs} ms`);
}

/** metav1.Condition's reason: CamelCase, as the apiserver validates it for built-in kinds. */
export const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

export function statusMessages(status: DynamoDBRestoreStatus): Array<[string, string]> {
  const messages: Array<[string, string]> = [];
  const ready = readyOf(status);
  if (ready) messages.push(['Ready message', ready.message]);
  if (status.lastError) messages.push(['lastError.message', status.lastError.message]);
  return messages;
}

export function assertMessagesBounded(status: DynamoDBRestoreStatus, max = STATUS_MESSAGE_MAX): void {
  for (const [what, message] of statusMessages(status)) {
    assert.ok(message.length <= max, `${what} is ${message.length} characters, over ${max}: ${JSON.stringify(message.slice(0, 160))}…`);
  }
}

// --- the CRD's status schema, as the apiserver applies it ---------------------------------------------------------

interface OpenApi {
  type?: string;
  properties?: Record<string, OpenApi>;
  required?: string[];
  items?: OpenApi;
  enum?: unknown[];
  maxLength?: number;
  minLength?: number;
  maxItems?: number;
  minimum?: number;
  format?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
}

/** The status schema exactly as the generated CRD holds it (the TypeBox schema as JSON). */
const STATUS_SCHEMA = JSON.parse(JSON.stringify(DynamoDBRestoreStatus)) as OpenApi;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Where value breaks the schema (unknown fields are pruned by the apiserver, not refused, so they pass). */
export function schemaErrors(value: unknown, schema: OpenApi = STATUS_SCHEMA, path = 'status'): string[] {
  if (value === undefined) return [];
  const errors: string[] = [];
  const bad = (why: string) => errors.push(`${path}: ${why}`);
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: not an object`];
      const obj = value as Record<string, unknown>;
      for (const r of schema.required ?? []) if (obj[r] === undefined) bad(`${r} is required`);
      for (const [k, s] of Object.entries(schema.properties ?? {})) errors.push(...schemaErrors(obj[k], s, `${path}.${k}`));
      break;
    }
    case 'array': {
      if (!Array.isArray(value)) return [`${path}: not an array`];
      if (schema.maxItems !== undefined && value.length > schema.maxItems) bad(`more than ${schema.maxItems} items`);
      value.forEach((item, i) => errors.push(...schemaErrors(item, schema.items ?? {}, `${path}[${i}]`)));
      const listType = schema['x-kubernetes-list-type'];
      if (listType === 'set' || listType === 'map') {
        const keys = value.map((item) =>
          JSON.stringify(listType === 'map' ? (schema['x-kubernetes-list-map-keys'] ?? []).map((k) => (item as Record<string, unknown>)[k]) : item),
        );
        if (new Set(keys).size !== keys.length) bad(`duplicate entries in a list of type ${listType}`);
      }
      break;
    }
    case 'string': {
      if (typeof value !== 'string') return [`${path}: not a string`];
      const length = [...value].length; // code points, as the apiserver counts
      if (schema.maxLength !== undefined && length > schema.maxLength) bad(`${length} characters, over ${schema.maxLength}`);
      if (schema.minLength !== undefined && length < schema.minLength) bad(`under ${schema.minLength} characters`);
      if (schema.format === 'date-time' && !(RFC3339.test(value) && Number.isFinite(Date.parse(value)))) bad(`not an RFC 3339 date-time: ${JSON.stringify(value)}`);
      break;
    }
    case 'integer':
      if (!Number.isSafeInteger(value)) return [`${path}: not an integer`];
      if (schema.minimum !== undefined && (value as number) < schema.minimum) bad(`under ${schema.minimum}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return [`${path}: not a boolean`];
      break;
  }
  if (schema.enum && !schema.enum.includes(value)) bad(`${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  return errors;
}

export function assertStatusWritable(status: DynamoDBRestoreStatus): void {
  const errors = schemaErrors(status);
  assert.deepEqual(errors, [], 'the apiserver would refuse this status write');
}

export function isRestoreCall(action: Action): boolean {
  return RESTORE_CALLS.has(action.kind);
}
