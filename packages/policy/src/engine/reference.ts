// The reference evaluator: the compiled rules on json-rules-engine itself. An Engine's running
// state is shared between overlapping run() calls (one finishing can make another skip rules),
// so each run has an Engine to itself: an idle one, or a new one. No run waits for another (one
// may hang on a slow fact). A run that rejects keeps evaluating its remaining priority groups in
// the background and then marks its engine finished, so a failed run's engine is dropped.
import type { Engine, RuleResult } from 'json-rules-engine';
import { loadOnUse } from '../load-on-use.js';
import type { TraceNode } from '../decision.js';
import type { CompiledRule } from '../document.js';
import { addOperators } from '../operators.js';

export interface ReferenceResult {
  /** Names of the rules that fired. */
  fired: Set<string>;
  /** Every rule's evaluated conditions, by rule name. */
  traces: Map<string, TraceNode>;
}

const jsonRulesEngine = loadOnUse<typeof import('json-rules-engine')>('json-rules-engine');

/** Idle engines kept for reuse; more are made while runs overlap, and dropped after. */
const maxIdleEngines = 4;

export class ReferenceEvaluator {
  private readonly idle: Engine[];

  constructor(private readonly rules: readonly CompiledRule[]) {
    this.idle = [this.createEngine()];
  }

  private createEngine(): Engine {
    return addOperators(new (jsonRulesEngine().Engine)(structuredClone(this.rules) as never));
  }

  /** Runs the engine; `facts` may hold functions (json-rules-engine dynamic facts). */
  async run(facts: Record<string, unknown>): Promise<ReferenceResult> {
    const engine = this.idle.pop() ?? this.createEngine();
    const { results, failureResults } = await engine.run(facts);
    if (this.idle.length < maxIdleEngines) this.idle.push(engine);
    const fired = new Set(results.map((r) => r.name as string));
    const traces = new Map<string, TraceNode>();
    for (const result of [...results, ...failureResults]) {
      // json-rules-engine records the outcome of the top-level node on the result, not the node.
      const trace = toTrace((result as RuleResult & { conditions: unknown }).conditions);
      trace.result = result.result;
      traces.set(result.name as string, trace);
    }
    return { fired, traces };
  }
}

/** json-rules-engine's evaluated condition tree, in the shape of our traces. */
function toTrace(node: any): TraceNode {
  if (node.all) return { all: node.all.map(toTrace), result: node.result === true };
  if (node.any) return { any: node.any.map(toTrace), result: node.result === true };
  if (node.not) return { not: toTrace(node.not), result: node.result === true };
  const byFact = node.value !== null && typeof node.value === 'object' && !Array.isArray(node.value) && 'fact' in node.value;
  return {
    fact: node.fact,
    ...(node.path ? { path: node.path } : {}),
    ...(node.params ? { params: node.params } : {}),
    operator: node.operator,
    value: node.value,
    factResult: node.factResult,
    ...(byFact ? { valueResult: node.valueResult } : {}),
    result: node.result === true,
  };
}
