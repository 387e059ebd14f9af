// AST (already checked) → json-rules-engine rules inside a PolicyDocument.
import type * as ast from '../ast.js';
import type { CheckedPolicy } from '../check.js';
import { documentFormat, type ActionEvent, type ConditionNode, type FactReference, type PolicyDocument, type TopLevelCondition } from '../document.js';
import { resolveField } from '../check.js';
import type { Counter, FactType } from '../facts.js';

type TypeOf = (field: ast.FieldRef) => FactType | undefined;

export function toDocument(checked: CheckedPolicy, presetRules: PolicyDocument['rules']): PolicyDocument {
  const { ast: policy } = checked;
  const typeOf: TypeOf = (field) => resolveField(field, checked.customFacts, () => {})?.type;
  // The file's own rules come first: on a tie with a mode's preset rule, the file's rule wins.
  const rules: PolicyDocument['rules'] = [];
  for (const rule of checked.rules) {
    rules.push({
      name: rule.name.name,
      priority: rule.priority?.value ?? 1,
      conditions: topLevel(condition(rule.when, typeOf)),
      event: action(rule.then, rule.name.name, rules.length, rule.resets.map((r) => r.name as Counter)),
    });
  }
  for (const rule of presetRules) rules.push({ ...rule, event: { ...rule.event, params: { ...rule.event.params, order: rules.length } } });
  // fromEntries defines own properties: a fact named __proto__ stays a fact.
  const facts: PolicyDocument['facts'] = Object.fromEntries([...checked.customFacts].map(([name, definition]) => [name, { type: definition.type }]));
  const tools: PolicyDocument['tools'] = Object.fromEntries(
    [...checked.tools].map(([name, signature]) => [
      name,
      {
        args: Object.fromEntries([...signature.args].map(([arg, { type, optional }]) => [arg, optional ? { type, optional: true as const } : { type }])),
        ...(signature.openEnded ? { openEnded: true as const } : {}),
      },
    ]),
  );
  return {
    format: documentFormat,
    name: policy.name.name,
    ...(policy.version ? { version: String(policy.version.value) } : {}),
    ...(checked.preset ? { mode: checked.preset } : {}),
    ...(checked.maxAutoReplies !== undefined ? { maxAutoReplies: checked.maxAutoReplies } : {}),
    facts,
    // Absent when no tool is declared, so such policies compile (and hash) as before.
    ...(checked.tools.size ? { tools } : {}),
    default: checked.defaultAction ? action(checked.defaultAction, '(default)', -1, []) : { type: 'continue', params: { rule: '(default)', order: -1, reason: 'no rule matched' } },
    rules,
  };
}

function action(node: ast.Action, rule: string, order: number, reset: Counter[]): ActionEvent {
  const base = { rule, order };
  const resets = reset.length ? { reset } : {};
  const fallbackReason = rule === '(default)' ? 'no rule matched' : `rule ${rule}`;
  switch (node.kind) {
    case 'continue':
      return { type: 'continue', params: { ...base, reason: fallbackReason, ...(node.reply ? { reply: node.reply.value } : {}), ...resets } };
    case 'stop':
      return { type: 'stop', params: { ...base, reason: node.reason?.value ?? fallbackReason, ...resets } };
    case 'escalate': {
      const params: ActionEvent['params'] = { ...base, reason: node.reason?.value ?? fallbackReason, onNoInput: 'stop' };
      for (const option of node.options) {
        if (option.kind === 'else') params.onNoInput = option.outcome;
        else if (option.kind === 'timeout') params.timeoutMs = option.duration.value;
        else if (option.kind === 'via') params.channel = option.channel.name;
        else params.prompt = option.text.value;
      }
      return { type: 'escalate', params: { ...params, ...resets } };
    }
  }
}

function topLevel(node: ConditionNode): TopLevelCondition {
  return 'all' in node || 'any' in node || 'not' in node ? node : { all: [node] };
}

/** A JSONPath that jsonpath-plus (json-rules-engine's resolver) and the fast evaluator read alike. */
export function toJsonPath(path: ast.FieldRef['path']): string | undefined {
  if (path.length === 0) return undefined;
  return (
    '$' +
    path
      .map(({ key }) => (typeof key === 'number' ? `[${key}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `['${key}']`))
      .join('')
  );
}

/**
 * The reference a field compiles to. `history.calls.<tool>` reads one tool's count (0 when never
 * called), so `history.calls.refund < 1` holds before the first refund; a window is a parameter.
 */
function reference(field: ast.FieldRef, window?: ast.HistoryWindow): FactReference {
  const historyWindow = window && field.fact.name === 'history' ? { window: window.steps.value } : {};
  if (field.fact.name === 'history' && field.path.length === 2 && field.path[0]!.key === 'calls')
    return { fact: 'history', params: { calls: String(field.path[1]!.key), ...historyWindow } };
  const path = toJsonPath(field.path);
  const params = Object.keys(historyWindow).length ? { params: historyWindow } : {};
  return path ? { fact: field.fact.name, path, ...params } : { fact: field.fact.name, ...params };
}

function leaf(field: ast.FieldRef, operator: string, value: unknown, window?: ast.HistoryWindow): ConditionNode {
  return { ...reference(field, window), operator, value };
}

const textOperators: Record<ast.TextOperator, string> = {
  contains: 'textContains',
  containsAny: 'textContainsAny',
  containsAll: 'textContainsAll',
  startsWith: 'textStartsWith',
  endsWith: 'textEndsWith',
};

const compareOperators: Record<ast.CompareOperator, string> = { '>': 'numberAbove', '>=': 'numberAtLeast', '<': 'numberBelow', '<=': 'numberAtMost' };

function operand(value: ast.Operand, window?: ast.HistoryWindow): unknown {
  return value.kind === 'field' ? reference(value, window) : value.value;
}

export function condition(node: ast.Condition, typeOf: TypeOf): ConditionNode {
  switch (node.kind) {
    case 'and':
      return { all: [...flatten(node.left, 'and', typeOf), ...flatten(node.right, 'and', typeOf)] };
    case 'or':
      return { any: [...flatten(node.left, 'or', typeOf), ...flatten(node.right, 'or', typeOf)] };
    case 'not':
      return { not: condition(node.operand, typeOf) };
    case 'text': {
      if (node.operator === 'contains' && node.value.kind === 'string' && !node.ignoreCase) {
        const type = typeOf(node.field);
        if (type === 'list') return leaf(node.field, 'listContains', node.value.value, node.window);
        if (type === 'any') return leaf(node.field, 'textOrListContains', node.value.value, node.window);
      }
      const base = textOperators[node.operator];
      const lower = (s: string) => (node.ignoreCase ? s.toLowerCase() : s);
      const value = node.value.kind === 'string' ? lower(node.value.value) : node.value.items.map((item) => lower(String(item.value)));
      return leaf(node.field, node.ignoreCase ? `${base}IgnoreCase` : base, value, node.window);
    }
    case 'equals': {
      const value = node.ignoreCase && node.value.kind === 'string' ? node.value.value.toLowerCase() : operand(node.value, node.window);
      const test = leaf(node.field, node.ignoreCase ? 'equalsIgnoreCase' : 'equals', value, node.window);
      return node.negated ? { not: test } : test;
    }
    case 'matches':
      return leaf(node.field, 'textMatches', { pattern: node.value.pattern, flags: node.value.flags });
    case 'compare':
      return leaf(node.field, compareOperators[node.operator], operand(node.value, node.window), node.window);
    case 'within': {
      const test = leaf(node.field, 'pathWithin', { fact: 'directory', params: { path: node.value.value } });
      return node.negated ? { not: test } : test;
    }
    case 'in': {
      const test = leaf(node.field, 'oneOf', node.value.items.map((item) => item.value));
      return node.negated ? { not: test } : test;
    }
    case 'exists':
      return leaf(node.field, 'exists', true);
    case 'every':
      return leaf(node.field, 'everyNth', node.count.value);
    case 'truthy':
      return leaf(node.field, 'equals', true);
  }
}

/** `a and b and c` parses as nested pairs; emit one `all` with three conditions. */
function flatten(node: ast.Condition, kind: 'and' | 'or', typeOf: TypeOf): ConditionNode[] {
  if (node.kind === kind) return [...flatten(node.left, kind, typeOf), ...flatten(node.right, kind, typeOf)];
  return [condition(node, typeOf)];
}
