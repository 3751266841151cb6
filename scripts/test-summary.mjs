// Prints the suite's closing line, "vitest: N passed, N failed, N skipped", from vitest's
// JSON report, and fails when the report is missing or no test ran.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`no test report at ${file}: ${error.message}`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const brokenFiles = (report.testResults ?? []).filter(
  (t) => t.status === 'failed' && t.assertionResults.length === 0,
).length;
console.log(`vitest: ${passed} passed, ${failed + brokenFiles} failed, ${skipped} skipped`);
if (passed === 0 || failed + brokenFiles > 0) process.exit(1);
