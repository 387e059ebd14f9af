// A call of a declared tool must carry the arguments its declaration names, of the declared types
// (and no others unless the declaration ends in `...`). Checked on every call of a turn before any
// rule is evaluated, so both evaluators fail closed alike, whatever the rules read.
import type { ToolDocument } from './document.js';
import { preview } from './engine/mistyped.js';
import type { FactType } from './facts.js';

/** The type a declaration would give a value; undefined for a value of no declarable type. */
function valueType(value: unknown): Exclude<FactType, 'any'> | undefined {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : undefined;
  if (value !== null && typeof value === 'object') return 'object';
  return undefined;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  const type = valueType(value);
  return `${preview(value)} (${type ?? (typeof value === 'number' ? 'a number that is not finite' : typeof value)})`;
}

/**
 * What is wrong with a call of `tool` given `args` (already parsed from JSON), or undefined when
 * it matches the declaration. Names the first problem: arguments in declaration order, then any
 * argument the declaration does not know; the count of further problems follows.
 *
 * @example
 * const refund = { args: { amount: { type: 'number' } } } as const;
 * toolCallProblem('refund', refund, { amount: '250' });
 * // 'tool "refund": argument amount must be number, but the call gave "250" (string)'
 */
export function toolCallProblem(tool: string, declaration: ToolDocument, args: unknown): string | undefined {
  if (args === null || typeof args !== 'object' || Array.isArray(args))
    return `tool "${tool}" takes named arguments, but the call gave ${describeValue(args)}`;
  const given = args as Record<string, unknown>;
  // The first problem is named, the others only counted: hostile calls may carry many.
  let first: string | undefined;
  let count = 0;
  const problem = (text: () => string) => {
    first ??= text();
    count++;
  };
  for (const [name, { type, optional }] of Object.entries(declaration.args)) {
    const present = Object.hasOwn(given, name);
    const value = present ? given[name] : undefined;
    if (!present || value === undefined || (value === null && type !== 'any')) {
      if (optional) continue;
      problem(() => (present ? `argument ${name} must be ${type}, but the call gave null` : `argument ${name} (${type}) is missing`));
    } else if (type !== 'any' && valueType(value) !== type) problem(() => `argument ${name} must be ${type}, but the call gave ${describeValue(value)}`);
  }
  if (!declaration.openEnded) {
    for (const name of Object.keys(given)) {
      if (!Object.hasOwn(declaration.args, name)) problem(() => `the call gives ${JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name)}, which the declaration does not name (end it with \`...\` to allow other arguments)`);
    }
  }
  if (first === undefined) return undefined;
  const more = count > 1 ? ` (and ${count - 1} more ${count === 2 ? 'problem' : 'problems'})` : '';
  return `tool "${tool}": ${first}${more}`;
}

/**
 * A declared tool as the policy language writes it, for `handrail explain`.
 *
 * @example
 * toolSignature('refund', { args: { amount: { type: 'number' }, note: { type: 'string', optional: true } } });
 * // 'tool refund(amount: number, note?: string)'
 */
export function toolSignature(tool: string, declaration: ToolDocument): string {
  const params = Object.entries(declaration.args).map(([name, { type, optional }]) => `${name}${optional ? '?' : ''}: ${type}`);
  if (declaration.openEnded) params.push('...');
  return `tool ${/^[A-Za-z_][A-Za-z0-9_]*$/.test(tool) ? tool : JSON.stringify(tool)}(${params.join(', ')})`;
}
