// One finalizer added or removed as a JSON Patch that cannot clobber anyone else's: each patch first tests the list
// it changes (kube-rs's finalizer helper does the same), so an unrelated write in between (a status) is no conflict,
// while a finalizer someone else added or removed meanwhile is.
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
  // An absent list tests as null (the apiserver's JSON Patch answers a missing member's test with null as passed).
  const list = obj.metadata?.finalizers;
  return list === undefined
    ? [
        { op: 'test', path: '/metadata/finalizers', value: null },
        { op: 'add', path: '/metadata/finalizers', value: [finalizer] },
      ]
    : [
        { op: 'test', path: '/metadata/finalizers', value: list },
        { op: 'add', path: '/metadata/finalizers/-', value: finalizer },
      ];
}
