// metav1.Condition bookkeeping: lastTransitionTime moves only when status flips.
export interface ConditionLike {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export function setCondition<C extends ConditionLike>(
  conditions: readonly C[] | undefined,
  next: Omit<C, 'lastTransitionTime'>,
  now: Date,
): C[] {
  const current = conditions?.find((c) => c.type === next.type);
  const lastTransitionTime = current && current.status === next.status ? current.lastTransitionTime : now.toISOString();
  const updated = { ...next, lastTransitionTime } as C;
  return [...(conditions ?? []).filter((c) => c.type !== next.type), updated];
}

export function findCondition<C extends ConditionLike>(conditions: readonly C[] | undefined, type: string): C | undefined {
  return conditions?.find((c) => c.type === type);
}
