/**
 * The passes after the first one, for numeric columns that did not fit in memory: rank search
 * until every order statistic is exact, then one counting pass for the PSI bins and KS slots.
 * The caller supplies `replay`, which reads every row of the input again (a file, or rows in a
 * test). Pure apart from what `replay` does.
 */
import { BaselineAccumulator, type StreamedColumn } from './accumulator.js';
import type { ClassifiedValue } from './values.js';

/** Reads the input again and calls `visit` for every data row, in the order of pass 1. */
export type ReplayRows = (
  visit: (row: ReadonlyMap<string, ClassifiedValue>) => void,
  pass: number,
) => Promise<void>;

/**
 * Runs the passes the first pass left (none when `streamed` is empty). Returns the number of
 * passes in all, the first one included.
 */
export async function completePasses(
  streamed: readonly StreamedColumn[],
  bins: number,
  replay: ReplayRows,
): Promise<number> {
  let pass = 1;
  if (streamed.length === 0) return pass;
  for (;;) {
    const open = streamed.filter((s) => !s.selector.done);
    if (open.length === 0) break;
    pass++;
    for (const s of open) s.selector.beginPass(s.passBudget);
    await replay((row) => {
      for (const s of open) {
        const v = row.get(s.column);
        if (v !== undefined && v.kind === 'number') s.selector.add(v.num);
      }
    }, pass);
    for (const s of open) s.selector.endPass();
  }
  pass++;
  for (const s of streamed) BaselineAccumulator.prepareCounting(s, bins);
  await replay((row) => {
    for (const s of streamed) {
      const v = row.get(s.column);
      if (v !== undefined && v.kind === 'number') BaselineAccumulator.countValue(s, v.num);
    }
  }, pass);
  return pass;
}
