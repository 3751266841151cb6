// Builds the baselines of the demo models (fraud-scorer, price-estimator) into a directory:
// the same ones `driftwatch demo` builds, from the synthetic stream before its drift, so that
// the compose stack has drift statistics to show when `driftwatch demo --kafka` feeds it.
// Run once by the compose service `baselines`, with the driftwatch image:
//
//   node /opt/driftwatch-compose/demo-baselines.mjs /var/lib/driftwatch-baselines
//
// DRIFTWATCH_HOME is where the image keeps driftwatch (default /app). Files already built are
// kept, so restarting the stack does not change the baselines under a running daemon.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const out = process.argv[2];
if (out === undefined) {
  process.stderr.write('usage: node demo-baselines.mjs <output directory>\n');
  process.exit(2);
}
const home = process.env.DRIFTWATCH_HOME ?? '/app';
const models = ['fraud-scorer', 'price-estimator'];
const wanted = models.map((m) => join(out, `${m}.baseline.json`));

if (wanted.every((file) => existsSync(file))) {
  process.stdout.write(`demo baselines present in ${out}\n`);
} else {
  const { buildDemoBaselines } = await import(pathToFileURL(join(home, 'dist/cli/demo.js')).href);
  const { readVersion } = await import(pathToFileURL(join(home, 'dist/version.js')).href);
  mkdirSync(out, { recursive: true });
  // The seed of `driftwatch demo` (42): its stream before drift is what these baselines describe.
  const built = await buildDemoBaselines(42, out, readVersion());
  const missing = models.filter((m) => built[m] !== join(out, `${m}.baseline.json`));
  if (missing.length > 0) {
    process.stderr.write(`demo baselines: no baseline was built for ${missing.join(', ')}\n`);
    process.exit(1);
  }
  // The training files the baselines were built from are of no further use.
  for (const file of readdirSync(out)) if (file.endsWith('.train.jsonl')) rmSync(join(out, file));
  process.stdout.write(`demo baselines built in ${out}: ${models.join(', ')}\n`);
}
