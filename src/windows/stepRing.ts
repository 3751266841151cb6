/**
 * The ring of per-step buckets both window kinds are made of (ModelWindow for drift, ServingWindow
 * for serving): step s lives in bucket s mod steps, running totals hold the live buckets' sum, and
 * advancing the window expires the buckets that leave it. Pure helpers over the windows' arrays.
 */

/** The bucket of step `step` in a ring of `steps` (negative steps too). */
export function ringIndex(step: number, steps: number): number {
  const r = step % steps;
  return r < 0 ? r + steps : r;
}

/** @throws RangeError when `step` is not a safe integer. */
export function checkStep(step: number): void {
  if (!Number.isSafeInteger(step)) throw new RangeError(`window: step must be an integer, got ${step}`);
}

/**
 * Moves a ring whose last step is `newest` (null: nothing yet) so that it ends at `step`, expiring
 * the steps that leave it with `expire` (which subtracts a bucket from the totals and zeroes it),
 * or, when the whole window leaves at once, zeroing every non-empty bucket (slot 0 counts its
 * events) and the totals outright. Returns the ring's new last step; a step at or before `newest`
 * changes nothing (a window never moves back).
 * @throws RangeError when `step` is not a safe integer.
 */
export function advanceRing<B extends Uint32Array | Float64Array>(
  buckets: readonly B[],
  totals: Float64Array,
  newest: number | null,
  step: number,
  expire: (bucket: B) => void,
): number {
  checkStep(step);
  if (newest !== null && step <= newest) return newest;
  const steps = buckets.length;
  if (newest !== null) {
    if (step - newest >= steps) {
      for (const bucket of buckets) if (bucket[0] !== 0) bucket.fill(0);
      totals.fill(0);
    } else {
      for (let s = newest + 1; s <= step; s++) expire(buckets[ringIndex(s, steps)]!);
    }
  }
  return step;
}
