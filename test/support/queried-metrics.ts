// The operator's metric names a set of PromQL queries reads (a histogram's _bucket, _count and _sum as the histogram).
const METRIC = /\b(?:dynamodb_restore|controller_runtime|workqueue|leader_election)_[a-z_]+/g;

export function queriedMetricNames(queries: readonly string[]): Set<string> {
  return new Set(queries.flatMap((q) => q.match(METRIC) ?? []).map((name) => name.replace(/_(bucket|count|sum)$/, '')));
}
