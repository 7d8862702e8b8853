// `parley test [FILE|DIR…] [--coverage] [--min-coverage N] [--json]` (shared/spec/test-format.md).
import { jsonReport, textReport } from '../testing/report.js';
import { runTests } from '../testing/run-tests.js';

export interface TestOptions {
  coverage?: boolean;
  minCoverage?: number;
  json?: boolean;
}

export async function test(paths: string[], options: TestOptions): Promise<void> {
  const report = await runTests(paths, {
    ...(options.coverage === true ? { coverage: true } : {}),
    ...(options.minCoverage === undefined ? {} : { minCoverage: options.minCoverage }),
  });
  process.stdout.write(options.json === true ? jsonReport(report) : textReport(report));
  process.exitCode = report.exitCode;
}
