// Naming the value of the wrong type that made a decision fail closed: the same words from both
// evaluators. The fast evaluator names the test whose guard failed; json-rules-engine only says
// that an operator threw, so the same test is found again with `findMistyped`, in the same order
// (rules in resolution order, conditions depth first, left side before right).
import { isLeaf, type CompiledRule, type ConditionNode, type FactReference, type LeafCondition } from '../document.js';
import { MistypedValueError, mistypedSide, operators } from '../operators.js';
import { pathKeys, readPath } from './path.js';
import { parameterFacts, parameterFactValue } from '../parameter-facts.js';
import { pathTest } from '../paths.js';

const isReference = (value: unknown): value is FactReference => value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value;

/** A short, printable form of any value: long text and deep or wide structures are cut. */
export function preview(value: unknown, budget = 80): string {
  const text = shown(value, 3);
  return text.length > budget ? `${text.slice(0, budget)}…` : text;
}

function shown(value: unknown, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? value.slice(0, 200) : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    if (depth === 0) return '[…]';
    const items = value.slice(0, 10).map((item) => shown(item, depth - 1));
    return `[${items.join(',')}${value.length > 10 ? ',…' : ''}]`;
  }
  if (typeof value === 'object') {
    if (depth === 0) return '{…}';
    const keys = Object.keys(value);
    const entries = keys.slice(0, 10).map((key) => `${JSON.stringify(key)}:${shown((value as Record<string, unknown>)[key], depth - 1)}`);
    return `{${entries.join(',')}${keys.length > 10 ? ',…' : ''}}`;
  }
  return typeof value;
}

const fieldName = (reference: FactReference) => reference.fact + (reference.path ? reference.path.slice(1) : '');

const expected: Record<string, string> = { text: 'text', 'text or list': 'text or a list', list: 'a list', number: 'a number' };

/** The error for a test of rule `rule` that met a value it cannot take. */
export function mistypedValue(rule: string, leaf: LeafCondition, side: 'fact' | 'value', factValue: unknown, rightValue: unknown): MistypedValueError {
  const { takes } = operators[leaf.operator]!;
  const reference = side === 'fact' ? leaf : (leaf.value as FactReference);
  const value = side === 'fact' ? factValue : rightValue;
  let problem: string;
  if (takes === 'path') {
    const outcome = pathTest(factValue, rightValue);
    problem = typeof outcome === 'object' ? `which cannot be resolved as a path: ${outcome.problem}` : 'not a path';
  } else if (takes !== 'comparable') problem = `not ${expected[takes]}`;
  else if (isReference(leaf.value)) problem = `which cannot be compared with ${fieldName(leaf.value)} (${preview(rightValue)})`;
  else problem = `which cannot be compared with ${preview(leaf.value)}`;
  return new MistypedValueError(`rule ${rule}: ${fieldName(reference)} is ${preview(value)}, ${problem}`);
}

function read(facts: Record<string, unknown>, reference: FactReference): unknown {
  let root = Object.hasOwn(facts, reference.fact) ? facts[reference.fact] : undefined;
  if (parameterFacts.has(reference.fact)) root = parameterFactValue(reference.fact, root, reference.params);
  return reference.path ? readPath(root, pathKeys(reference.path)) : root;
}

/** The first test, in the order the fast evaluator checks them, that meets a value of the wrong type. */
export function findMistyped(rules: readonly CompiledRule[], facts: Record<string, unknown>): MistypedValueError | undefined {
  for (const rule of rules) {
    const stack: ConditionNode[] = [rule.conditions];
    while (stack.length) {
      const node = stack.pop()!;
      if (!isLeaf(node)) {
        const children = 'all' in node ? node.all : 'any' in node ? node.any : [node.not];
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
        continue;
      }
      const definition = operators[node.operator]!;
      const factValue = read(facts, node);
      const rightValue = isReference(node.value) ? read(facts, node.value) : node.value;
      const side = mistypedSide(definition.takes, factValue, rightValue, definition.value === 'scalars');
      if (side) return mistypedValue(rule.name, node, side, factValue, rightValue);
    }
  }
  return undefined;
}
