// Built-in facts computed from a condition's `params`, as json-rules-engine computes dynamic facts:
// `history` (a window, one tool's count) and `directory` (what a path condition compares with).
// Both evaluators read them through `parameterFactValue`, so they see the same values.
import { historyValue, type HistoryParams, type RunHistory } from './history.js';
import { directoryValue, type PathContext } from './paths.js';

/** The facts whose value depends on a condition's `params`. */
export const parameterFacts: ReadonlySet<string> = new Set(['history', 'directory']);

/**
 * The value a condition reads from a parameterised fact, given the fact's raw value for this
 * decision (a RunHistory; a PathContext).
 *
 * @example
 * parameterFactValue('history', history, { calls: 'refund' }); // the number of refund calls so far
 */
export function parameterFactValue(name: string, raw: unknown, params: Record<string, unknown> | undefined): unknown {
  if (name === 'directory') return directoryValue(raw as PathContext | undefined, params);
  if (raw === undefined || raw === null) return undefined;
  return historyValue(raw as RunHistory, params as HistoryParams | undefined);
}

/**
 * The parameterised facts as json-rules-engine dynamic facts, from a decision's raw values: give
 * them to `engine.run` beside the other facts to run compiled rules on a plain Engine.
 *
 * @example
 * const engine = addOperators(new Engine(policy.document.rules));
 * await engine.run({ tool, ...engineParameterFacts({ history, directory: { workingDirectory: '/srv' } }) });
 */
export function engineParameterFacts(raw: { history?: unknown; directory?: unknown }): Record<string, (params?: Record<string, unknown>) => unknown> {
  const facts: Record<string, (params?: Record<string, unknown>) => unknown> = Object.create(null);
  for (const name of parameterFacts) {
    const value = (raw as Record<string, unknown>)[name];
    // json-rules-engine passes `{}` for a condition without params.
    facts[name] = (params) => parameterFactValue(name, value, params && Object.keys(params).length ? params : undefined);
  }
  return facts;
}
