// What a person needs to see about a failed case: where it is, the turn, expected against actual,
// and the conditions of the rules involved with the values they saw. Every reporter shows this.
import { formatDecisionLine, formatRuleTrace, formatValue } from '../format/explanation.js';
import type { RuleTrace } from '../decision.js';
import { formatExpectation, formatMismatches } from './expectation.js';
import type { RunHistory } from '../history.js';
import type { CaseResult, StepResult } from './run.js';

/** The rules whose traces explain a wrong decision: the one that decided, the one expected, and any `held` disagrees on. */
function rulesToShow(step: StepResult): RuleTrace[] {
  const names = new Set<string>();
  if (step.decision.rule !== null) names.add(step.decision.rule);
  const expected = step.expected?.rule;
  if (typeof expected === 'string') names.add(expected);
  const held = step.expected?.held;
  if (held) {
    const actual = step.decision.explanation.filter((trace) => trace.result).map((trace) => trace.rule);
    for (const name of [...held, ...actual]) if (held.includes(name) !== actual.includes(name)) names.add(name);
  }
  // In resolution order, as the explanation lists them.
  return step.decision.explanation.filter((trace) => names.has(trace.rule));
}

/** The step a failed case is reported by: its first wrong turn, or the turn where it ended early. */
export function failedStep(result: CaseResult): StepResult | undefined {
  return result.steps.find((step) => step.mismatches.length) ?? (result.problem ? result.steps[result.steps.length - 1] : undefined);
}

/** The turn as the test described it (with the counters a conversation filled in). */
export function formatTurn(step: StepResult): string {
  return formatValue(step.turn, 300);
}

/** The history a turn was decided on, in one line: earlier turns, calls by tool, errors. */
export function formatHistory(history: RunHistory): string {
  const calls = history.tools.map((tool) => `${formatValue(tool, 60)} ×${history.calls[tool] ?? 0}`).join(', ');
  const turns = `${history.turns} earlier turn${history.turns === 1 ? '' : 's'}`;
  return `${turns}; calls: ${calls || 'none'}; errors: ${history.errors}`;
}

/**
 * The lines describing why a case failed, without its title; empty for a case that passed.
 *
 * @example
 * failureLines(result).join('\n');
 */
export function failureLines(result: CaseResult): string[] {
  const step = failedStep(result);
  if (result.passed || !step) return [];
  const lines: string[] = [];
  if (result.problem) lines.push(result.problem);
  const which = result.kind === 'conversation' ? `turn ${step.index + 1} of ${result.turns}` : 'turn';
  lines.push(`${which}: ${formatTurn(step)}`);
  if (step.history) lines.push(`history: ${formatHistory(step.history)}`);
  if (step.mismatches.length && step.expected) {
    lines.push(`expected: ${formatExpectation(step.expected)}`, `actual:   ${formatDecisionLine(step.decision)}`);
    lines.push(...formatMismatches(step.mismatches).map((line) => `  ${line}`));
  } else lines.push(`decided:  ${formatDecisionLine(step.decision)}`);
  if (step.decision.error) lines.push(`deciding failed: ${step.decision.error.message}`);
  const traces = rulesToShow(step);
  if (traces.length) {
    lines.push('');
    for (const trace of traces) lines.push(...formatRuleTrace(trace, step.decision.rule));
  }
  return lines;
}
