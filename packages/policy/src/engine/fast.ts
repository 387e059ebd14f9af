// The fast evaluator: compiles a policy's json-rules-engine conditions to JavaScript, as ajv
// compiles a schema. Values enter the source only through JSON.stringify or a constant table,
// never as raw text. Two functions come out: `firstFiring` (rules are in resolution order, so
// the first that fires decides) and `trace` (one rule's conditions with the values seen, in
// json-rules-engine's result shape). Values of the wrong type are checked before any rule, as
// json-rules-engine evaluates every test of every rule.
import { isLeaf, type CompiledRule, type ConditionNode, type FactReference, type LeafCondition } from '../document.js';
import type { TraceNode } from '../decision.js';
import { comparable, guardSource, numberOf, operators, regexLookup, sameValue, type SourceContext } from '../operators.js';
import { mistypedValue } from './mistyped.js';
import { pathKeys, readPath } from './path.js';

export interface FastEvaluator {
  /**
   * The index of the first rule whose conditions hold, or -1. Throws a MistypedValueError when
   * any test of any rule meets a value of the wrong type.
   */
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
  // This evaluator's regexes: they live and die with it (and so with its policy).
  const regexes = regexLookup();
  interface Read {
    variable: string;
    lower?: string;
    number?: string;
    reference: FactReference;
  }
  const references = new Map<string, Read>();
  let used = new Set<string>();
  const read = (reference: FactReference): Read => {
    const key = `${reference.fact}\u0000${reference.path ?? ''}`;
    let entry = references.get(key);
    if (!entry) references.set(key, (entry = { variable: `V${references.size}`, reference }));
    used.add(key);
    return entry;
  };
  const isReference = (value: unknown): value is FactReference => value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value;
  const numberOfRead = (entry: Read) => (entry.number ??= `N${entry.variable.slice(1)}`);

  // Every test's check for a value of the wrong type, in resolution order: all run before any
  // rule is tested, so the outcome never depends on which tests a rule happened to reach.
  const guards = new Map<string, number>();
  const guardOwners: Array<{ rule: string; leaf: LeafCondition }> = [];
  let rule = '';
  let collectGuards = true;

  const test = (node: LeafCondition): string => {
    const definition = operators[node.operator];
    if (!definition) throw new Error(`unknown operator ${node.operator}`);
    const fact = read(node);
    const value = node.value;
    const right = isReference(value) ? read(value) : undefined;
    let valueSource: string;
    if (right) valueSource = right.variable;
    else if (node.operator === 'textMatches') valueSource = constant(regexes(value as { pattern: string; flags: string }));
    else if (node.operator.endsWith('IgnoreCase') && typeof value === 'string') valueSource = JSON.stringify(value.toLowerCase());
    else valueSource = JSON.stringify(value);
    const context: SourceContext = {
      fact: fact.variable,
      value: valueSource,
      literal: right ? undefined : value,
      lower: () => {
        fact.lower ??= `L${fact.variable.slice(1)}`;
        return `(${fact.lower} ??= (typeof ${fact.variable} === "string" ? ${fact.variable}.toLowerCase() : false))`;
      },
      number: () => numberOfRead(fact),
      ...(right ? { valueNumber: () => numberOfRead(right) } : {}),
    };
    if (collectGuards) {
      for (const side of ['fact', 'value'] as const) {
        const guard = guardSource(definition, context, side);
        if (guard === undefined || guards.has(guard)) continue;
        guards.set(guard, guardOwners.push({ rule, leaf: node }) - 1);
        const values = `${fact.variable}, ${right ? right.variable : 'undefined'}`;
        guardLines.push(`  if ${guard} M(${guards.get(guard)}, "${side}", ${values});`);
      }
    }
    return definition.source(context);
  };
  const guardLines: string[] = [];

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

  const tests = rules.map((each, index) => {
    rule = each.name;
    return `  if (${expression(each.conditions)}) return ${index};`;
  });
  collectGuards = false;
  const reads = (keys: Iterable<string>) =>
    [...keys].map((key) => {
      const { variable, lower, number, reference } = references.get(key)!;
      // Facts are own properties; a name Object.prototype also has must not find its member.
      const name = JSON.stringify(reference.fact);
      const root = reference.fact in Object.prototype ? `(hasOwn(f, ${name}) ? f[${name}] : undefined)` : `f[${name}]`;
      const valueSource = reference.path ? `readPath(${root}, ${constant(Object.freeze(pathKeys(reference.path)))})` : root;
      const numeric = number ? ` const ${number} = typeof ${variable} === "number" ? ${variable} : numberOf(${variable});` : '';
      return `  const ${variable} = ${valueSource};${lower ? ` let ${lower} = null;` : ''}${numeric}`;
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
    ...guardLines,
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
  const mistyped = (index: number, side: 'fact' | 'value', factValue: unknown, rightValue: unknown) => {
    const { rule, leaf } = guardOwners[index]!;
    throw mistypedValue(rule, leaf, side, factValue, rightValue);
  };
  const helpers = { hasOwn: Object.hasOwn, readPath, numberOf, comparable, sameValue, M: mistyped, R: runtime };
  return new Function('K', ...Object.keys(helpers), body)(constants, ...Object.values(helpers)) as FastEvaluator;
}
