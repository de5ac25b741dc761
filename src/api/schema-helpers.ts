// Small TypeBox builders that keep every schema structural (the subset a CRD accepts): no anyOf/const for enums,
// a description on everything, and CEL rules attached where Kubernetes reads them.
import { Type, type SchemaOptions, type TSchema } from '@sinclair/typebox';

export interface CelRule {
  rule: string;
  message: string;
  /** Kubernetes reports the error at this field (relative to the schema the rule sits on). */
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

export function celRules(...rules: CelRule[]): { 'x-kubernetes-validations': CelRule[] } {
  return { 'x-kubernetes-validations': rules };
}

/** A string enum as a CRD expects it (`type: string` + `enum`), typed as the union of its values. */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions & { description: string }) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** The schema with more CEL rules beside its own (a copy: the original stays as it is where else it is used). */
export function withRules<T extends TSchema>(schema: T, ...rules: CelRule[]): T {
  const own = (schema as { 'x-kubernetes-validations'?: CelRule[] })['x-kubernetes-validations'] ?? [];
  return { ...schema, 'x-kubernetes-validations': [...own, ...rules] };
}
