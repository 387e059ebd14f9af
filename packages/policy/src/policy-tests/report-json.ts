// The report for programs: every case with its place and outcome, each failure with expected,
// actual, the differing fields and the explanation, and the coverage.
import type { Span } from '../ast.js';
import { summarizeDecision, type DecisionSummary, type Mismatch } from './expectation.js';
import { failedStep, failureLines } from './failure-details.js';
import type { Expectation } from './format.js';
import { formatCondition, missingOutcome } from './report-text.js';
import type { PolicyTestRun } from './run-paths.js';
import type { Turn } from '../turn.js';
import type { Decision } from '../decision.js';

/** The format of `handrail test --reporter json`; documented in docs/testing-policies.md. */
export const jsonReportFormat = 'handrail.policy-test-report/v1';

export interface JsonCaseReport {
  name: string;
  line: number;
  col: number;
  kind: 'turn' | 'conversation';
  status: 'passed' | 'failed';
  durationMs: number;
  failure?: {
    /** 0-based turn of a conversation (0 for a single turn). */
    turn: number;
    line: number;
    col: number;
    input: Turn;
    expected?: Expectation;
    actual: DecisionSummary;
    mismatches: Mismatch[];
    problem?: string;
    /** The failure as `handrail test` prints it, explanation included. */
    text: string;
    decision: Decision;
  };
}

export interface JsonReport {
  format: typeof jsonReportFormat;
  engine: 'fast' | 'reference';
  passed: number;
  failed: number;
  durationMs: number;
  files: Array<{ file: string; policy: { file: string; name: string; hash: string }; passed: number; failed: number; durationMs: number; cases: JsonCaseReport[] }>;
  errors: Array<{ file: string; code: string; message: string; line?: number; col?: number }>;
  untested: string[];
  coverage?: {
    threshold?: number;
    policies: Array<{
      policy: string;
      file?: string;
      turns: number;
      belowThreshold: boolean;
      rules: { total: number; covered: number; percent: number; uncovered: string[] };
      conditions: { total: number; covered: number; percent: number; uncovered: Array<{ rule: string; path: string; condition: string; missing: string }> };
    }>;
  };
}

const at = (span: Span) => ({ line: span.line, col: span.col });
const round = (value: number) => Math.round(value * 1000) / 1000;

/**
 * The run as a JSON-serialisable report.
 *
 * @example
 * await writeFile('report.json', JSON.stringify(jsonReport(run), null, 2));
 */
export function jsonReport(run: PolicyTestRun, options: { threshold?: number } = {}): JsonReport {
  const report: JsonReport = {
    format: jsonReportFormat,
    engine: run.engine,
    passed: run.passed,
    failed: run.failed,
    durationMs: round(run.durationMs),
    files: run.suites.map((result) => ({
      file: result.suite.file,
      policy: { file: result.suite.policyFile, name: result.suite.policy.name, hash: result.suite.policy.hash },
      passed: result.passed,
      failed: result.failed,
      durationMs: round(result.durationMs),
      cases: result.cases.map((item): JsonCaseReport => {
        const report: JsonCaseReport = { name: item.name, ...at(item.span), kind: item.kind, status: item.passed ? 'passed' : 'failed', durationMs: round(item.durationMs) };
        const step = item.passed ? undefined : failedStep(item);
        if (step)
          report.failure = {
            turn: step.index,
            ...at(step.span),
            input: step.turn,
            ...(step.expected ? { expected: step.expected } : {}),
            actual: summarizeDecision(step.decision),
            mismatches: step.mismatches,
            ...(item.problem ? { problem: item.problem } : {}),
            text: failureLines(item).join('\n'),
            decision: step.decision,
          };
        return report;
      }),
    })),
    errors: run.failures.map((failure) => ({ ...failure })),
    untested: [...run.untested],
  };
  if (run.coverage) {
    report.coverage = {
      ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
      policies: run.coverage.map((policy) => ({
        policy: policy.policy,
        ...(policy.file !== undefined ? { file: policy.file } : {}),
        turns: policy.turns,
        belowThreshold: options.threshold !== undefined && policy.rulePercent < options.threshold,
        rules: { total: policy.rules.length, covered: policy.rulesCovered, percent: round(policy.rulePercent), uncovered: policy.rules.filter((rule) => rule.held === 0).map((rule) => rule.rule) },
        conditions: {
          total: policy.conditionCount,
          covered: policy.conditionsCovered,
          percent: round(policy.conditionPercent),
          uncovered: policy.rules.flatMap((rule) =>
            rule.conditions
              .filter((condition) => !(condition.seenTrue && condition.seenFalse))
              .map((condition) => ({ rule: rule.rule, path: condition.path, condition: formatCondition(condition), missing: missingOutcome(condition) })),
          ),
        },
      })),
    };
  }
  return report;
}
