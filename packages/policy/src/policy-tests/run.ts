// Running a test suite: each case's turns decided with every rule explained (for the failure
// report and for coverage), compared with what the case expects.
import type { Span } from '../ast.js';
import { decide } from '../decide.js';
import type { Decision } from '../decision.js';
import type { Turn } from '../turn.js';
import { afterDecision, type LoopCounters } from './conversation.js';
import { historyAfter, type RunHistory } from '../history.js';
import { preparedOf } from '../policy.js';
import { compareDecision, type Mismatch } from './expectation.js';
import type { Expectation } from './format.js';
import type { PolicyTestCase, PolicyTestSuite } from './load.js';

export interface RunPolicyTestOptions {
  /** `fast` (default) or `reference` (json-rules-engine itself). */
  engine?: 'fast' | 'reference';
}

/** One turn as it was decided. */
export interface StepResult {
  /** 0-based position in the conversation (0 for a single turn). */
  index: number;
  span: Span;
  /** The turn as decided, counters filled in. */
  turn: Turn;
  decision: Decision;
  /** The run's history the turn was decided on, for a policy that reads history. */
  history?: RunHistory;
  expected?: Expectation;
  mismatches: Mismatch[];
}

/** One case's outcome. A conversation stops at its first failing turn. */
export interface CaseResult {
  name: string;
  span: Span;
  kind: PolicyTestCase['kind'];
  passed: boolean;
  durationMs: number;
  /** The turns decided, up to the first that failed. */
  steps: StepResult[];
  /** How many turns the case has (a conversation may end before its last). */
  turns: number;
  /** Why a conversation failed other than by a wrong decision: it ended before its last turn. */
  problem?: string;
}

/** A test file's outcome. */
export interface SuiteResult {
  suite: PolicyTestSuite;
  cases: CaseResult[];
  passed: number;
  failed: number;
  durationMs: number;
}

async function runCase(suite: PolicyTestSuite, item: PolicyTestCase, options: RunPolicyTestOptions): Promise<CaseResult> {
  const started = performance.now();
  const steps: StepResult[] = [];
  let counters: LoopCounters = { ...item.start };
  let problem: string | undefined;
  const decideOptions = { explain: 'all' as const, engine: options.engine ?? 'fast', facts: item.facts, humanAvailable: item.humanAvailable, ...suite.paths };
  // The case's earlier turns (none: its first turn is the first of its run); a conversation's own
  // turns go on building the history as the supervisor does.
  let history = item.history;
  const readsHistory = preparedOf(suite.policy).readsHistory;
  for (const [index, step] of item.steps.entries()) {
    let turn: Turn = step.turn;
    if (item.kind === 'conversation') {
      // A turn that sets a counter restarts the count from its value.
      counters = { step: turn.step ?? counters.step, autoReplies: turn.autoReplies ?? counters.autoReplies };
      turn = { ...turn, step: counters.step, autoReplies: counters.autoReplies };
    }
    // The history is decided on, not reported: it is the turns before this one.
    const decision = await decide(suite.policy, { ...turn, history }, decideOptions);
    const before = history;
    history = historyAfter(history, step.turn);
    const mismatches = step.expect ? compareDecision(step.expect, decision) : [];
    steps.push({ index, span: step.span, turn, decision, ...(readsHistory ? { history: before } : {}), ...(step.expect ? { expected: step.expect } : {}), mismatches });
    if (mismatches.length) break;
    if (item.kind === 'conversation' && index < item.steps.length - 1) {
      const next = afterDecision(counters, decision, step.answer);
      if (next.ended) {
        const rest = item.steps.length - index - 1;
        problem = `the conversation ended at turn ${index + 1} (${next.why}), but ${rest === 1 ? '1 more turn follows' : `${rest} more turns follow`}`;
        break;
      }
      counters = next.counters;
    }
  }
  const passed = problem === undefined && steps.every((step) => step.mismatches.length === 0);
  return { name: item.name, span: item.span, kind: item.kind, passed, durationMs: performance.now() - started, steps, turns: item.steps.length, ...(problem ? { problem } : {}) };
}

/**
 * Runs every case of a loaded test file.
 *
 * @example
 * const result = await runPolicyTestSuite(await loadPolicyTestFile('invoices.policy.test.json'));
 * console.log(`${result.passed} passed, ${result.failed} failed`);
 */
export async function runPolicyTestSuite(suite: PolicyTestSuite, options: RunPolicyTestOptions = {}): Promise<SuiteResult> {
  const started = performance.now();
  const cases: CaseResult[] = [];
  for (const item of suite.cases) cases.push(await runCase(suite, item, options));
  const passed = cases.filter((c) => c.passed).length;
  return { suite, cases, passed, failed: cases.length - passed, durationMs: performance.now() - started };
}
