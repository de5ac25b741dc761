// Values for a Prometheus label that could otherwise grow without bound (a namespace per team): the first `limit`
// distinct values keep their own, every later one reads OTHER. A value once admitted keeps its label for the life of
// the process, so a series never changes its labels under a dashboard.
export const OTHER = 'other';

export class BoundedLabel {
  private readonly admitted = new Set<string>();

  constructor(private readonly limit: number) {}

  value(raw: string): string {
    if (this.admitted.has(raw)) return raw;
    if (this.admitted.size >= this.limit) return OTHER;
    this.admitted.add(raw);
    return raw;
  }
}
