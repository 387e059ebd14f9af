// The fast evaluator: compiles a policy's json-rules-engine conditions to one JavaScript function,
// as ajv compiles a schema. Values enter the source only through JSON.stringify or a constant
// table, never as raw text.
import { isLeaf, type CompiledRule, type ConditionNode, type FactReference } from '../document.js';
import { operators, regexFor } from '../operators.js';
import { pathKeys, readPath } from './path.js';

/** Indices (into the rules given) of the rules whose conditions hold, in the order given. */
export type FastEvaluator = (facts: Record<string, unknown>) => readonly number[];

const none: readonly number[] = Object.freeze([]);

export function compileFastEvaluator(rules: readonly CompiledRule[]): FastEvaluator {
  const constants: unknown[] = [];
  const constant = (value: unknown) => `K[${constants.push(value) - 1}]`;
  const references = new Map<string, { variable: string; lower?: string; reference: FactReference }>();
  const read = (reference: FactReference) => {
    const key = `${reference.fact}\u0000${reference.path ?? ''}`;
    let entry = references.get(key);
    if (!entry) references.set(key, (entry = { variable: `V${references.size}`, reference }));
    return entry;
  };

  const expression = (node: ConditionNode): string => {
    if (!isLeaf(node)) {
      if ('all' in node) return `(${node.all.map(expression).join(' && ') || 'true'})`;
      if ('any' in node) return `(${node.any.map(expression).join(' || ') || 'true'})`;
      return `!${expression(node.not)}`;
    }
    const definition = operators[node.operator];
    if (!definition) throw new Error(`unknown operator ${node.operator}`);
    const fact = read(node);
    const lower = () => (fact.lower ??= `L${fact.variable.slice(1)}`) && `(${fact.lower} ??= (typeof ${fact.variable} === "string" ? ${fact.variable}.toLowerCase() : false))`;
    const value = node.value;
    let valueSource: string;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value) valueSource = read(value as FactReference).variable;
    else if (node.operator === 'textMatches') valueSource = constant(regexFor(value as { pattern: string; flags: string }));
    else if (node.operator.endsWith('IgnoreCase') && typeof value === 'string') valueSource = JSON.stringify(value.toLowerCase());
    else valueSource = JSON.stringify(value);
    return definition.source(fact.variable, valueSource, lower, value);
  };

  const tests = rules.map((rule, index) => `  if (${expression(rule.conditions)}) fired === none ? (fired = [${index}]) : fired.push(${index});`);
  const reads = [...references.values()].map(({ variable, lower, reference }) => {
    const root = `f[${JSON.stringify(reference.fact)}]`;
    const valueSource = reference.path ? `readPath(${root}, ${constant(Object.freeze(pathKeys(reference.path)))})` : root;
    return `  const ${variable} = ${valueSource};${lower ? ` let ${lower} = null;` : ''}`;
  });
  const body = ['"use strict";', 'return function evaluate(f) {', ...reads, '  let fired = none;', ...tests, '  return fired;', '};'].join('\n');
  return new Function('K', 'readPath', 'none', body)(constants, readPath, none) as FastEvaluator;
}
