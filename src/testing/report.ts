// How `parley test` tells its results: one line per test, the first difference of a failure
// under it, then the coverage; or all of it as JSON for CI tools (`--json`).
import { formatProblem } from '../bot/problems.js';
import type { BotCoverage } from './coverage.js';
import type { RunReport } from './run-tests.js';

export function textReport(report: RunReport): string {
  const lines: string[] = [];
  for (const problem of report.problems) lines.push(formatProblem(problem));
  for (const r of report.results) {
    lines.push(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name}  (${r.file}, ${formatMs(r.ms)})`);
    const f = r.failure;
    if (f === undefined) continue;
    lines.push(`      ${f.file}:${f.line}:${f.column}: ${f.message}`);
    if (f.expected !== undefined) lines.push(`        expected: ${f.expected}`);
    if (f.got !== undefined) lines.push(`        got:      ${f.got}`);
    for (const entry of f.logged ?? []) lines.push(`        the engine logged: ${entry}`);
  }
  if (report.coverage !== undefined) {
    lines.push('', 'Coverage:');
    for (const c of report.coverage) lines.push(...coverageLines(c));
  }
  for (const shortfall of report.shortfalls) lines.push(`coverage too low: ${shortfall}`);
  const passed = report.results.filter((r) => r.ok).length;
  const failed = report.results.length - passed;
  const invalid = report.problems.length > 0 ? `, ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in files (nothing of those ran)` : '';
  lines.push('', `${report.results.length} test${report.results.length === 1 ? '' : 's'}: ${passed} passed, ${failed} failed${invalid}`);
  return `${lines.join('\n')}\n`;
}

function coverageLines(c: BotCoverage): string[] {
  const head = `  ${c.bot}: steps ${c.steps.reached}/${c.steps.total} (${c.steps.percent}%), ways out ${c.branches.taken}/${c.branches.total} (${c.branches.percent}%)`;
  return [head, ...c.unreached.map((u) => `    ${u.file}:${u.line}:${u.column}: ${u.what}`)];
}

function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

export function jsonReport(report: RunReport): string {
  const passed = report.results.filter((r) => r.ok).length;
  return `${JSON.stringify(
    {
      ok: report.exitCode === 0,
      exitCode: report.exitCode,
      passed,
      failed: report.results.length - passed,
      tests: report.results.map((r) => ({ ...r, ms: Math.round(r.ms * 100) / 100 })),
      problems: report.problems,
      ...(report.coverage === undefined ? {} : { coverage: report.coverage }),
      shortfalls: report.shortfalls,
    },
    null,
    2,
  )}\n`;
}
