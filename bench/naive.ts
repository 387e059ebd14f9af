// A naive per-rule predicate, as a program without a rule compiler would test a policy: rules in
// resolution order, each leaf a closure over Handrail's own operator tests, nothing shared
// between rules (each case-insensitive test lower-cases the text it reads, once per test).
import { operators, type CompiledRule, type ConditionNode, type LeafCondition, type Policy, type Turn } from '../packages/policy/src/index.js';
import { builtInFactValues } from '../packages/policy/src/turn.js';
import { regexLookup } from '../packages/policy/src/operators.js';
import { pathKeys, readPath } from '../packages/policy/src/engine/path.js';
import { compareRules } from '../packages/policy/src/decision.js';
import { parameterFacts, parameterFactValue } from '../packages/policy/src/parameter-facts.js';
import { preparedOf } from '../packages/policy/src/policy.js';
import type { HandDecision } from './hand-written.js';

type Test = (facts: Record<string, unknown>) => boolean;

const lowerCased: Record<string, (text: string, value: unknown) => boolean> = {
  textContainsIgnoreCase: (text, value) => text.includes(value as string),
  textContainsAnyIgnoreCase: (text, values) => (values as string[]).some((v) => text.includes(v)),
  textContainsAllIgnoreCase: (text, values) => (values as string[]).every((v) => text.includes(v)),
  textStartsWithIgnoreCase: (text, value) => text.startsWith(value as string),
  textEndsWithIgnoreCase: (text, value) => text.endsWith(value as string),
  equalsIgnoreCase: (text, value) => text === value,
};

const lowerValue = (value: unknown): unknown =>
  typeof value === 'string' ? value.toLowerCase() : Array.isArray(value) ? value.map((item) => (typeof item === 'string' ? item.toLowerCase() : item)) : value;

export function naiveDecider(policy: Policy): (turn: Turn) => HandDecision {
  const regexes = regexLookup();
  const reader = (fact: string, path?: string, params?: Record<string, unknown>) => {
    const keys = path ? pathKeys(path) : undefined;
    // History and directory are facts with parameters (a tool's count, a window), as json-rules-engine's dynamic facts.
    const raw = parameterFacts.has(fact) ? (facts: Record<string, unknown>) => parameterFactValue(fact, facts[fact], params) : (facts: Record<string, unknown>) => facts[fact];
    return (facts: Record<string, unknown>) => (keys ? readPath(raw(facts), keys) : raw(facts));
  };
  const leaf = (node: LeafCondition): Test => {
    const read = reader(node.fact, node.path, node.params);
    const value = node.value as unknown;
    const right = value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value ? reader((value as { fact: string }).fact, (value as { path?: string }).path) : undefined;
    const ignoringCase = lowerCased[node.operator];
    if (ignoringCase) {
      const lowered = lowerValue(value);
      return (facts) => {
        const text = read(facts);
        return typeof text === 'string' && ignoringCase(text.toLowerCase(), lowered);
      };
    }
    const { holds } = operators[node.operator]!;
    return right ? (facts) => holds(read(facts), right(facts), regexes) : (facts) => holds(read(facts), value, regexes);
  };
  const tree = (node: ConditionNode): Test => {
    if ('fact' in node) return leaf(node as LeafCondition);
    if ('all' in node) {
      const parts = node.all.map(tree);
      return (facts) => parts.every((part) => part(facts));
    }
    if ('any' in node) {
      const parts = node.any.map(tree);
      return (facts) => parts.some((part) => part(facts));
    }
    const inner = tree(node.not);
    return (facts) => !inner(facts);
  };
  const ordered = [...(policy.document.rules as CompiledRule[])].sort(compareRules);
  const rules = ordered.map((rule) => ({ test: tree(rule.conditions), rule }));
  const { maxAutoReplies } = policy.document;
  const fallback = policy.document.default;
  const { readsHistory } = preparedOf(policy);
  return (turn) => {
    const facts = builtInFactValues(turn, maxAutoReplies, { readsCode: false, readsHistory }, {});
    for (const { test, rule } of rules)
      if (test(facts)) return { action: rule.event.type, rule: rule.event.params.rule, reason: rule.event.params.reason };
    return { action: fallback.type, rule: null, reason: fallback.params.reason };
  };
}
