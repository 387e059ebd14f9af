// Compiled conditions (json-rules-engine leaves such as `{fact: 'tool', path: '$.args.amount',
// operator: 'numberAbove', value: 100}`) printed in the policy's own syntax
// (`tool.args.amount > 100`), for explanations and coverage. The one inverse of compile/to-document:
// a leaf becomes the AST test it compiles from, spelled into a small text of its own, and the
// formatter's printer prints it.
import type * as ast from '../ast.js';
import type { ConditionNode, LeafCondition } from '../document.js';
import { printFlat, type Test } from './print-condition.js';
import { SourceText } from './source-text.js';

/** Builds the text the printer reads tokens from, one token (or path segment) at a time. */
class Spelled {
  text = '';

  add(token: string): ast.Span {
    const span = { line: 1, col: this.text.length + 1, offset: this.text.length, length: token.length };
    this.text += `${token} `;
    return span;
  }
}

const textOperators: Record<string, ast.TextOperator> = {
  textContains: 'contains',
  textContainsAny: 'containsAny',
  textContainsAll: 'containsAll',
  textStartsWith: 'startsWith',
  textEndsWith: 'endsWith',
  // The compiled forms of `contains "x"` on a list fact or a fact of any type.
  listContains: 'contains',
  textOrListContains: 'contains',
};

const compareOperators: Record<string, ast.CompareOperator> = { numberAbove: '>', numberAtLeast: '>=', numberBelow: '<', numberAtMost: '<=' };

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `$.args.amount`, `$.items[0]`, `$['odd key']` (as toJsonPath writes them) → path segments; undefined for anything else. */
function pathKeys(path: string): Array<string | number> | undefined {
  const keys: Array<string | number> = [];
  const segment = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['([^']*)'\]/y;
  let at = 1;
  if (!path.startsWith('$')) return undefined;
  while (at < path.length) {
    segment.lastIndex = at;
    const match = segment.exec(path);
    if (!match) return undefined;
    keys.push(match[2] !== undefined ? Number(match[2]) : (match[1] ?? match[3])!);
    at = segment.lastIndex;
  }
  return keys;
}

type Scalar = ast.StringLiteral | ast.NumberLiteral | ast.BooleanLiteral;

/** Turns one compiled leaf into the AST test it compiles from; undefined when it is not one of ours. */
class Decompiler {
  readonly spelled = new Spelled();

  field(fact: string, path: string | undefined, params?: Record<string, unknown>): ast.FieldRef | undefined {
    // `history.calls.refund` compiles to one tool's count, a parameter of `history`.
    if (fact === 'history' && typeof params?.calls === 'string' && path === undefined) path = identifier.test(params.calls) ? `$.calls.${params.calls}` : `$.calls['${params.calls}']`;
    const keys = path === undefined ? [] : pathKeys(path);
    if (!keys || !identifier.test(fact)) return undefined;
    const name = { name: fact, span: this.spelled.add(fact) };
    const segments = keys.map((key) => ({
      key,
      span: this.spelled.add(typeof key === 'number' ? `[${key}]` : identifier.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`),
    }));
    return { kind: 'field', fact: name, path: segments, span: name.span };
  }

  scalar(value: unknown): Scalar | undefined {
    if (typeof value === 'string') return { kind: 'string', value, span: this.spelled.add(JSON.stringify(value)) };
    if (typeof value === 'number' && Number.isFinite(value)) return { kind: 'number', value, span: this.spelled.add(String(value)) };
    if (typeof value === 'boolean') return { kind: 'boolean', value, span: this.spelled.add(String(value)) };
    return undefined;
  }

  operand(value: unknown): ast.Operand | undefined {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { fact?: unknown }).fact === 'string') {
      const reference = value as { fact: string; path?: string; params?: Record<string, unknown> };
      return this.field(reference.fact, reference.path, reference.params);
    }
    return this.scalar(value);
  }

  list(value: unknown): ast.ListLiteral | undefined {
    if (!Array.isArray(value)) return undefined;
    const items = value.map((item) => this.scalar(item));
    if (items.some((item) => item === undefined)) return undefined;
    return { kind: 'list', items: items as Scalar[], span: this.spelled.add('') };
  }

  test(leaf: LeafCondition): Test | undefined {
    const test = this.unwindowed(leaf);
    const steps = leaf.params?.window;
    if (!test || typeof steps !== 'number') return test;
    if (test.kind !== 'compare' && test.kind !== 'equals' && test.kind !== 'text') return undefined;
    return { ...test, window: { steps: { kind: 'number', value: steps, span: test.span }, span: test.span } };
  }

  unwindowed(leaf: LeafCondition): Test | undefined {
    const field = this.field(leaf.fact, leaf.path, leaf.params);
    if (!field) return undefined;
    const span = field.span;
    const operatorSpan = span;
    if (leaf.operator === 'pathWithin') {
      const root = (leaf.value as { params?: { path?: unknown } } | null)?.params?.path;
      const value = this.scalar(root);
      return value?.kind === 'string' ? { kind: 'within', negated: false, field, value, span, operatorSpan } : undefined;
    }
    const ignoreCase = leaf.operator.endsWith('IgnoreCase');
    const operator = ignoreCase ? leaf.operator.slice(0, -'IgnoreCase'.length) : leaf.operator;
    const text = textOperators[operator];
    if (text) {
      const value = typeof leaf.value === 'string' ? this.scalar(leaf.value) : this.list(leaf.value);
      if (!value || value.kind === 'number' || value.kind === 'boolean') return undefined;
      return { kind: 'text', operator: text, field, value, ignoreCase, span, operatorSpan };
    }
    const compare = compareOperators[operator];
    if (compare) {
      const value = this.operand(leaf.value);
      return value && { kind: 'compare', operator: compare, field, value, span, operatorSpan };
    }
    switch (operator) {
      case 'equals': {
        const value = this.operand(leaf.value);
        return value && { kind: 'equals', negated: false, field, value, ignoreCase, span, operatorSpan: this.spelled.add('==') };
      }
      case 'oneOf': {
        const value = this.list(leaf.value);
        return value && { kind: 'in', negated: false, field, value, span, operatorSpan };
      }
      case 'textMatches': {
        const regex = leaf.value as { pattern?: unknown; flags?: unknown } | null;
        if (typeof regex?.pattern !== 'string' || typeof regex.flags !== 'string') return undefined;
        return { kind: 'matches', field, value: { kind: 'regex', pattern: regex.pattern, flags: regex.flags, span }, span, operatorSpan };
      }
      case 'exists':
        return { kind: 'exists', field, span, operatorSpan };
      case 'everyNth': {
        const count = this.scalar(leaf.value);
        return count?.kind === 'number' ? { kind: 'every', count, field, span, operatorSpan } : undefined;
      }
    }
    return undefined;
  }

  condition(node: ConditionNode): ast.Condition | undefined {
    if ('all' in node || 'any' in node) {
      const operands = ('all' in node ? node.all : node.any).map((child) => this.condition(child));
      if (operands.length === 0 || operands.some((operand) => operand === undefined)) return undefined;
      const kind = 'all' in node ? 'and' : 'or';
      return (operands as ast.Condition[]).reduce((left, right) => ({ kind, left, right, span: left.span }));
    }
    if ('not' in node) {
      const operand = this.condition(node.not);
      return operand && { kind: 'not', operand, span: operand.span };
    }
    return this.test(node);
  }
}

/** A leaf as its operator name and JSON, for a document no policy text compiles to. */
function raw(node: ConditionNode): string {
  if ('all' in node) return `(${node.all.map(raw).join(' and ')})`;
  if ('any' in node) return `(${node.any.map(raw).join(' or ')})`;
  if ('not' in node) return `not ${raw(node.not)}`;
  const field = node.path?.startsWith('$') ? `${node.fact}${node.path.slice(1)}` : node.fact;
  return `${field} ${node.operator} ${JSON.stringify(node.value) ?? String(node.value)}`;
}

/**
 * A compiled condition as the policy author writes it. Lower-cased values of an `ignoring case`
 * test print lower-cased (they mean the same). A condition no policy text compiles to (a
 * hand-written document) prints with its operator names.
 *
 * @example
 * printCompiledCondition({ fact: 'tool', path: '$.args.amount', operator: 'numberAbove', value: 100 });
 * // 'tool.args.amount > 100'
 * printCompiledCondition({ fact: 'content', operator: 'textContainsAnyIgnoreCase', value: ['delete', 'drop table'] });
 * // 'content contains any ["delete", "drop table"] ignoring case'
 */
export function printCompiledCondition(node: ConditionNode): string {
  const decompiler = new Decompiler();
  const condition = decompiler.condition(node);
  if (!condition) return raw(node);
  return printFlat({ source: new SourceText(decompiler.spelled.text) }, condition);
}
