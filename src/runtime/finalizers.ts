// One finalizer added or removed as a JSON Patch that cannot clobber anyone else's: removal tests the entry it
// removes; addition tests the resourceVersion it read (JSON Patch cannot test that a path is absent).
import type { KubernetesObject } from '@kubernetes/client-node';

export type JsonPatchOp = { op: 'test' | 'add' | 'remove'; path: string; value?: unknown };

/** The patch that makes obj carry (present) or not carry the finalizer; undefined when it already does as asked. */
export function finalizerPatch(obj: KubernetesObject, finalizer: string, present: boolean): JsonPatchOp[] | undefined {
  const finalizers = obj.metadata?.finalizers ?? [];
  const at = finalizers.indexOf(finalizer);
  if (present === at >= 0) return undefined;
  if (!present) {
    return [
      { op: 'test', path: `/metadata/finalizers/${at}`, value: finalizer },
      { op: 'remove', path: `/metadata/finalizers/${at}` },
    ];
  }
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata?.resourceVersion },
    finalizers.length > 0
      ? { op: 'add', path: '/metadata/finalizers/-', value: finalizer }
      : { op: 'add', path: '/metadata/finalizers', value: [finalizer] },
  ];
}
