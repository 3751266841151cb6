/**
 * Keeps a label's values bounded: the first `limit` distinct values per scope (model) are
 * kept as they are, every later one becomes `other`. Producers decide error classes and
 * version strings, and a buggy one must not be able to create unbounded series.
 */
export const OVERFLOW_LABEL = 'other';

export class BoundedLabel {
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly limit: number) {}

  value(scope: string, value: string): string {
    let values = this.seen.get(scope);
    if (values === undefined) {
      values = new Set();
      this.seen.set(scope, values);
    }
    if (values.has(value)) return value;
    if (values.size >= this.limit) return OVERFLOW_LABEL;
    values.add(value);
    return value;
  }
}
