/**
 * Writes a baseline as its JSON file (docs/baselines.md): snake_case keys, 2-space indent, arrays
 * of numbers kept on one line so that a feature stays readable. Called by `baseline build`;
 * `parseBaseline` reads the result back to the same object. Pure.
 */
import { BASELINE_FORMAT, BASELINE_VERSION, type Baseline, type BaselineFeature } from './format.js';

function featureJson(f: BaselineFeature): Record<string, unknown> {
  const common = {
    name: f.name,
    type: f.type,
    rows: f.rows,
    count: f.count,
    null_count: f.nullCount,
    invalid_count: f.invalidCount,
  };
  if (f.type === 'numeric') {
    return {
      ...common,
      min: f.min,
      max: f.max,
      mean: f.mean,
      std: f.std,
      percentiles: f.percentiles,
      bins: { cuts: f.bins.cuts, counts: f.bins.counts },
      ks: f.ks,
    };
  }
  return { ...common, categories: f.categories, counts: f.counts };
}

/** The file's JSON object for `b` (before formatting). */
export function baselineToJson(b: Baseline): Record<string, unknown> {
  return {
    format: BASELINE_FORMAT,
    version: BASELINE_VERSION,
    id: b.id,
    model: b.model,
    model_versions: b.modelVersions,
    created_at: b.createdAt,
    built_by: b.builtBy,
    source: {
      file: b.source.file,
      sha256: b.source.sha256,
      bytes: b.source.bytes,
      format: b.source.format,
      gzip: b.source.gzip,
      rows: b.source.rows,
      skipped_rows: b.source.skippedRows ?? 0,
    },
    options: {
      bins: b.options.bins,
      ks_quantiles: b.options.ksQuantiles,
      prediction_column: b.options.predictionColumn,
    },
    features: b.features.map(featureJson),
    excluded: (b.excluded ?? []).map((e) => ({ name: e.name, reason: e.reason })),
  };
}

/** The baseline file's text: JSON, 2-space indent, number arrays on one line, a final newline. */
export function serializeBaseline(b: Baseline): string {
  const text = JSON.stringify(baselineToJson(b), null, 2);
  // Arrays holding only numbers (cuts, counts, edges) go on one line: thousands of lines otherwise.
  return (
    text.replace(
      /\[\n(\s*-?[\d.eE+-]+,?\n)+\s*\]/g,
      (block) =>
        `[${block
          .slice(1, -1)
          .split('\n')
          .map((s) => s.trim())
          .filter((s) => s !== '')
          .join(' ')}]`,
    ) + '\n'
  );
}
