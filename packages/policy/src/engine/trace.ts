// Evaluates conditions the way json-rules-engine does (every condition, no short-circuit) and
// keeps what each saw: the explanation of a decision.
import { isLeaf, type ConditionNode, type FactReference } from '../document.js';
import type { TraceNode } from '../decision.js';
import { operators } from '../operators.js';
import { pathKeys, readPath } from './path.js';

function isFactReference(value: unknown): value is FactReference {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value;
}

export function readFact(facts: Record<string, unknown>, reference: FactReference): unknown {
  const root = facts[reference.fact];
  return reference.path ? readPath(root, pathKeys(reference.path)) : root;
}

export function traceCondition(node: ConditionNode, facts: Record<string, unknown>): TraceNode {
  if (!isLeaf(node)) {
    if ('all' in node) {
      const all = node.all.map((child) => traceCondition(child, facts));
      return { all, result: all.every((child) => child.result) };
    }
    if ('any' in node) {
      const any = node.any.map((child) => traceCondition(child, facts));
      return { any, result: any.length === 0 || any.some((child) => child.result) };
    }
    const not = traceCondition(node.not, facts);
    return { not, result: !not.result };
  }
  const factResult = readFact(facts, node);
  const byFact = isFactReference(node.value);
  const valueResult = byFact ? readFact(facts, node.value as FactReference) : node.value;
  const result = (operators[node.operator] as (typeof operators)[string]).test(factResult, valueResult);
  return {
    fact: node.fact,
    ...(node.path ? { path: node.path } : {}),
    operator: node.operator,
    value: node.value,
    factResult,
    ...(byFact ? { valueResult } : {}),
    result,
  };
}
