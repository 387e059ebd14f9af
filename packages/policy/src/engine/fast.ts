// The fast evaluator: compiles a policy's json-rules-engine conditions to JavaScript, as ajv
// compiles a schema. Values enter the source only through JSON.stringify or a constant table,
// never as raw text. Two functions come out: `firstFiring` (rules are in resolution order, so
// the first that fires decides) and `trace` (one rule's conditions with the values seen, in
// json-rules-engine's result shape).
import { isLeaf, type CompiledRule, type ConditionNode, type FactReference, type LeafCondition } from '../document.js';
import type { TraceNode } from '../decision.js';
import { operators, regexFor } from '../operators.js';
import { pathKeys, readPath } from './path.js';

export interface FastEvaluator {
  /** The index of the first rule whose conditions hold, or -1. */
  firstFiring(facts: Record<string, unknown>): number;
  /** The evaluated condition tree of rule `index`. */
  trace(facts: Record<string, unknown>, index: number): TraceNode;
}

// Builders for the trace's boolean nodes; json-rules-engine evaluates every child, so do we.
const runtime = {
  all: (all: TraceNode[]): TraceNode => ({ all, result: all.every((child) => child.result) }),
  any: (any: TraceNode[]): TraceNode => ({ any, result: any.some((child) => child.result) }),
  not: (not: TraceNode): TraceNode => ({ not, result: !not.result }),
};

export function compileFastEvaluator(rules: readonly CompiledRule[]): FastEvaluator {
  const constants: unknown[] = [];
  const constant = (value: unknown) => `K[${constants.push(value) - 1}]`;
  const references = new Map<string, { variable: string; lower?: string; reference: FactReference }>();
  let used = new Set<string>();
  const read = (reference: FactReference) => {
    const key = `${reference.fact}\u0000${reference.path ?? ''}`;
    let entry = references.get(key);
    if (!entry) references.set(key, (entry = { variable: `V${references.size}`, reference }));
    used.add(key);
    return entry;
  };
  const isReference = (value: unknown): value is FactReference => value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value;

  const test = (node: LeafCondition): string => {
    const definition = operators[node.operator];
    if (!definition) throw new Error(`unknown operator ${node.operator}`);
    const fact = read(node);
    const lower = () => {
      fact.lower ??= `L${fact.variable.slice(1)}`;
      return `(${fact.lower} ??= (typeof ${fact.variable} === "string" ? ${fact.variable}.toLowerCase() : false))`;
    };
    const value = node.value;
    let valueSource: string;
    if (isReference(value)) valueSource = read(value).variable;
    else if (node.operator === 'textMatches') valueSource = constant(regexFor(value as { pattern: string; flags: string }));
    else if (node.operator.endsWith('IgnoreCase') && typeof value === 'string') valueSource = JSON.stringify(value.toLowerCase());
    else valueSource = JSON.stringify(value);
    return definition.source(fact.variable, valueSource, lower, value);
  };

  const expression = (node: ConditionNode): string => {
    if (isLeaf(node)) return test(node);
    if ('all' in node) return `(${node.all.map(expression).join(' && ') || 'true'})`;
    if ('any' in node) return `(${node.any.map(expression).join(' || ') || 'true'})`;
    return `!${expression(node.not)}`;
  };

  const traceExpression = (node: ConditionNode): string => {
    if (!isLeaf(node)) {
      if ('all' in node) return `R.all([${node.all.map(traceExpression).join(', ')}])`;
      if ('any' in node) return `R.any([${node.any.map(traceExpression).join(', ')}])`;
      return `R.not(${traceExpression(node.not)})`;
    }
    const fields = [`fact: ${JSON.stringify(node.fact)}`];
    if (node.path) fields.push(`path: ${JSON.stringify(node.path)}`);
    fields.push(`operator: ${JSON.stringify(node.operator)}`, `value: ${constant(node.value)}`, `factResult: ${read(node).variable}`);
    if (isReference(node.value)) fields.push(`valueResult: ${read(node.value).variable}`);
    fields.push(`result: ${test(node)}`);
    return `{ ${fields.join(', ')} }`;
  };

  const tests = rules.map((rule, index) => `  if (${expression(rule.conditions)}) return ${index};`);
  const reads = (keys: Iterable<string>) =>
    [...keys].map((key) => {
      const { variable, lower, reference } = references.get(key)!;
      const root = `f[${JSON.stringify(reference.fact)}]`;
      const valueSource = reference.path ? `readPath(${root}, ${constant(Object.freeze(pathKeys(reference.path)))})` : root;
      return `  const ${variable} = ${valueSource};${lower ? ` let ${lower} = null;` : ''}`;
    });
  const evaluateReads = reads(references.keys());
  // Each rule's trace reads only the facts that rule uses.
  const traces = rules.map((rule, index) => {
    used = new Set();
    const expression = traceExpression(rule.conditions);
    return [`    case ${index}: {`, ...reads(used).map((line) => `    ${line}`), `      return ${expression};`, '    }'].join('\n');
  });
  const body = [
    '"use strict";',
    'function firstFiring(f) {',
    ...evaluateReads,
    ...tests,
    '  return -1;',
    '}',
    'function trace(f, index) {',
    '  switch (index) {',
    ...traces,
    '  }',
    '}',
    'return { firstFiring, trace };',
  ].join('\n');
  return new Function('K', 'readPath', 'R', body)(constants, readPath, runtime) as FastEvaluator;
}
