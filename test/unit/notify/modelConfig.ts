/** A configured model for the notification tests: only the name and the owner matter there. */
import type { ModelConfig } from '../../../src/config/types.js';

const MINUTE = 60_000;

/** Model `name` owned by `owner` (an owner or schedule name, or null), every other key a default. */
export function modelConfig(name: string, owner: string | null): ModelConfig {
  return {
    name,
    featureSource: 'predictions',
    owner,
    baseline: null,
    windowMs: 60 * MINUTE,
    stepMs: MINUTE,
    time: 'processing',
    allowedLatenessMs: 5 * MINUTE,
    windowKsQuantiles: 50,
    drift: {
      psi: 0.2,
      pValue: 0.05,
      correction: 'benjamini-hochberg',
      minKsStatistic: 0.1,
      minJsDistance: 0.1,
      minSamples: 200,
    },
  };
}
