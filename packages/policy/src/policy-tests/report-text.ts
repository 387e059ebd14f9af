// The report a person reads in a terminal: one line per test file, every failure in full, the
// coverage when asked for, and the totals last.
import { printCompiledCondition } from '../format/print-compiled-condition.js';
import type { ConditionCoverage, PolicyCoverage } from './coverage.js';
import { failureLines } from './failure-details.js';
import type { PolicyTestRun } from './run-paths.js';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** A percentage without noise: `100%`, `87.5%`. */
export function formatPercent(value: number): string {
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}

/**
 * A leaf condition in the policy's own syntax: `tool.args.amount > 100`, with `not` before one
 * that a `not` negates (the outcomes counted are the leaf's own).
 */
export function formatCondition({ condition, path }: Pick<ConditionCoverage, 'condition' | 'path'>): string {
  return `${path.endsWith('/not') ? 'not ' : ''}${printCompiledCondition(condition)}`;
}

/** What a condition has not been seen as. */
export function missingOutcome(condition: ConditionCoverage): string {
  return !condition.seenTrue && !condition.seenFalse ? 'never evaluated' : condition.seenTrue ? 'never false' : 'never true';
}

/** The coverage section, one block per policy. */
export function formatCoverage(coverage: readonly PolicyCoverage[], threshold?: number): string[] {
  const lines = ['coverage: a rule is covered when it held in some case; a condition, when it was seen both true and false'];
  const width = Math.max(...coverage.map((c) => (c.file ?? c.policy).length));
  for (const policy of coverage) {
    const conditions = policy.conditionCount ? `conditions ${policy.conditionsCovered}/${policy.conditionCount} ${formatPercent(policy.conditionPercent)}` : 'no conditions';
    const below = threshold !== undefined && policy.rulePercent < threshold ? `  below ${formatPercent(threshold)}` : '';
    lines.push(`  ${(policy.file ?? policy.policy).padEnd(width)}  rules ${policy.rulesCovered}/${policy.rules.length} ${formatPercent(policy.rulePercent)}  ${conditions}${below}`);
    if (policy.turns === 0) {
      lines.push('    no case decides a turn with this policy');
      continue;
    }
    for (const rule of policy.rules) if (rule.held === 0) lines.push(`    rule never held: ${rule.rule}`);
    for (const rule of policy.rules)
      for (const condition of rule.conditions)
        if (!(condition.seenTrue && condition.seenFalse)) lines.push(`    condition ${missingOutcome(condition)}: ${rule.rule}: ${formatCondition(condition)}`);
  }
  return lines;
}

/**
 * The whole run as text, ending with `N passed, N failed`.
 *
 * @example
 * process.stdout.write(formatTextReport(await runPolicyTests(['policies'])));
 */
export function formatTextReport(run: PolicyTestRun, options: { threshold?: number } = {}): string {
  const lines: string[] = [];
  for (const result of run.suites) {
    const status = result.failed ? 'FAIL' : 'PASS';
    const counts = result.failed ? `${result.failed} of ${plural(result.cases.length, 'case')} failed` : plural(result.cases.length, 'case');
    lines.push(`${status} ${result.suite.file}  (${result.suite.policyFile}, ${counts})`);
  }
  for (const failure of run.failures) lines.push(`FAIL ${failure.file}  (could not be loaded: ${failure.code})`);
  for (const file of run.untested) lines.push(`NONE ${file}  (no tests)`);

  for (const result of run.suites) {
    for (const item of result.cases) {
      if (item.passed) continue;
      lines.push('', `✗ ${result.suite.file}:${item.span.line}:${item.span.col} › ${item.name}`);
      lines.push(...failureLines(item).map((line) => (line ? `    ${line}` : '')));
    }
  }
  for (const failure of run.failures) lines.push('', `✗ ${failure.file}`, ...failure.message.split('\n').map((line) => (line ? `    ${line}` : '')));

  if (run.coverage) lines.push('', ...formatCoverage(run.coverage, options.threshold));
  if (options.threshold !== undefined && run.coverage) {
    const below = run.coverage.filter((policy) => policy.rulePercent < options.threshold!);
    if (below.length) {
      lines.push('');
      for (const policy of below)
        lines.push(`rule coverage of ${policy.file ?? policy.policy} is ${formatPercent(policy.rulePercent)}, below the threshold of ${formatPercent(options.threshold)}`);
    }
  }
  lines.push('', `${run.passed} passed, ${run.failed} failed`);
  return `${lines.join('\n')}\n`;
}
