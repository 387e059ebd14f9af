// The compiled rules on a plain json-rules-engine Engine, as a user of json-rules-engine would
// run them: one reused Engine with Handrail's operators, `await engine.run(facts)`, then the
// winning event by Handrail's resolution order. Runs are awaited one at a time, never overlapped.
import { createRequire } from 'node:module';
import { addOperators, compareRules, engineParameterFacts, type Policy, type Turn } from '../packages/policy/src/index.js';
import { preparedOf } from '../packages/policy/src/policy.js';
import { builtInFactValues } from '../packages/policy/src/turn.js';
import type { HandDecision } from './hand-written.js';

type Engine = Parameters<typeof addOperators>[0];
type Ranked = Parameters<typeof compareRules>[0];

// json-rules-engine is a dependency of @handrail/policy, not of the workspace root: load the
// very module instance the policy package uses (its Operator class must be the same one).
const requireFromPolicy = createRequire(new URL('../packages/policy/package.json', import.meta.url));
const { Engine: EngineClass } = requireFromPolicy('json-rules-engine') as { Engine: new (rules: unknown[]) => Engine };

export type JreDecide = (turn: Turn) => Promise<HandDecision>;

export function jsonRulesEngineDecider(policy: Policy): JreDecide {
  const engine = addOperators(new EngineClass(structuredClone(policy.document.rules) as unknown[]));
  const maxAutoReplies = policy.document.maxAutoReplies;
  const fallback = policy.document.default;
  const { readsHistory } = preparedOf(policy);
  return async (turn) => {
    const facts = builtInFactValues(turn, maxAutoReplies, { readsCode: false, readsHistory }, {});
    // History rules read it through json-rules-engine's dynamic facts (a tool's count, a window).
    const { results } = await engine.run(readsHistory ? { ...facts, ...engineParameterFacts({ history: facts.history }) } : facts);
    // Each result carries its rule's priority and event (whose params hold the file order).
    let best: Ranked | undefined;
    for (const result of results as unknown as Ranked[]) {
      if (!best || compareRules(result, best) < 0) best = result;
    }
    if (!best) return { action: fallback.type, rule: null, reason: fallback.params.reason };
    return { action: best.event.type, rule: best.event.params.rule, reason: best.event.params.reason };
  };
}
