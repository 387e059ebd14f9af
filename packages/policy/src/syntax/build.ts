// Typed AST builders called by the grammar's actions. Each receives nearley's `data` array.
import type { Token } from './lexer.js';
import type * as ast from '../ast.js';
import { durationMs } from './lexer.js';

type Data = any[];


function isToken(value: unknown): value is Token {
  return typeof value === 'object' && value !== null && 'offset' in value && 'text' in value;
}

/** The span covering every token and node in `items` (nested arrays included, nulls skipped). */
function extent(...items: unknown[]): ast.Span {
  // Runs for every completed grammar item, so it allocates nothing but the result.
  const found = { start: undefined as { line: number; col: number; offset: number } | undefined, end: 0 };
  for (const item of items) cover(item, found);
  const { start, end } = found;
  if (!start) return { line: 1, col: 1, offset: 0, length: 0 };
  return { line: start.line, col: start.col, offset: start.offset, length: end - start.offset };
}

function cover(item: unknown, found: { start: { line: number; col: number; offset: number } | undefined; end: number }): void {
  if (item == null || typeof item !== 'object') return;
  if (Array.isArray(item)) {
    for (const each of item) cover(each, found);
    return;
  }
  let from: { line: number; col: number; offset: number };
  let to: number;
  if (isToken(item)) {
    from = item;
    to = item.offset + item.text.length;
  } else if ('span' in item) {
    from = (item as ast.Node).span;
    to = from.offset + (item as ast.Node).span.length;
  } else return;
  if (!found.start || from.offset < found.start.offset) found.start = from;
  if (to > found.end) found.end = to;
}

const identifier = (token: Token): ast.Identifier => ({ name: token.value, span: extent(token) });

/** A string token's value: JSON's reading, which a token without escapes needs no parser for. */
const stringValue = (text: string): string => (text.includes('\\') ? JSON.parse(text) : text.slice(1, -1));

export const string = ([token]: Data): ast.StringLiteral => ({ kind: 'string', value: stringValue(token.value), span: extent(token) });
export const number = ([token]: Data): ast.NumberLiteral => ({ kind: 'number', value: Number(token.value), span: extent(token) });
export const boolean = ([[token]]: Data): ast.BooleanLiteral => ({ kind: 'boolean', value: token.value === 'true', span: extent(token) });
export const duration = ([token]: Data): ast.DurationLiteral => ({ kind: 'duration', value: durationMs(token.value), text: token.value, span: extent(token) });
export const list = (data: Data): ast.ListLiteral => {
  const items = data.length === 2 ? [] : [data[1], ...data[2].map((pair: Data) => pair[1])];
  const asItem = (item: ast.Scalar) => (item.kind === 'duration' ? { kind: 'number' as const, value: item.value, span: item.span } : item);
  return { kind: 'list', items: items.map(asItem), span: extent(data) };
};
export const ignoreCase = (data: Data) => ({ kind: 'ignoreCase' as const, span: extent(data) });

export const field = ([head, segments]: Data): ast.FieldRef => ({
  kind: 'field',
  fact: identifier(head),
  path: segments,
  span: extent(head, segments),
});
export const key = ([dot, [name]]: Data) => ({ key: name.value as string, span: extent(dot, name) });
export const index = ([open, value, close]: Data) => ({ key: Number(value.value), span: extent(open, close) });
export const quotedKey = ([open, value, close]: Data) => ({ key: stringValue(value.value), span: extent(open, close) });

export const text =
  (operator: ast.TextOperator) =>
  (data: Data): ast.Condition => {
    const [fieldRef, ...rest] = data;
    const value = rest.find((item) => item && (item.kind === 'string' || item.kind === 'list'));
    const ignoreCase = data[data.length - 1]?.kind === 'ignoreCase';
    const operatorTokens = rest.filter(isToken);
    return { kind: 'text', operator, field: fieldRef, value, ignoreCase, span: extent(data), operatorSpan: extent(operatorTokens) };
  };
export const equals =
  (negated: boolean) =>
  ([fieldRef, operator, value, ignoreCase]: Data): ast.Condition => ({
    kind: 'equals', negated, field: fieldRef, value, ignoreCase: ignoreCase != null, span: extent(fieldRef, value, ignoreCase), operatorSpan: extent(operator),
  });
export const matches = ([fieldRef, operator, token]: Data): ast.Condition => {
  const text: string = token.value;
  const slash = text.lastIndexOf('/');
  const value: ast.RegexLiteral = { kind: 'regex', pattern: text.slice(1, slash), flags: text.slice(slash + 1), span: extent(token) };
  return { kind: 'matches', field: fieldRef, value, span: extent(fieldRef, token), operatorSpan: extent(operator) };
};
export const compare = ([fieldRef, [operator], value]: Data): ast.Condition => ({
  kind: 'compare', operator: operator.value, field: fieldRef, value, span: extent(fieldRef, value), operatorSpan: extent(operator),
});
export const inList =
  (negated: boolean) =>
  (data: Data): ast.Condition => {
    const fieldRef = data[0];
    const value = data[data.length - 1];
    return { kind: 'in', negated, field: fieldRef, value, span: extent(data), operatorSpan: extent(data.slice(1, -1)) };
  };
export const exists = ([fieldRef, operator]: Data): ast.Condition => ({ kind: 'exists', field: fieldRef, span: extent(fieldRef, operator), operatorSpan: extent(operator) });
export const every = ([keyword, count, fieldRef]: Data): ast.Condition => ({
  kind: 'every', count: number([count]), field: fieldRef, span: extent(keyword, fieldRef), operatorSpan: extent(keyword),
});
export const window = ([keyword, , , count, unit]: Data): ast.HistoryWindow => ({ steps: number([count]), span: extent(keyword, unit) });
/** A test followed by a window: the test as `build` makes it from the data before the window. */
export const windowed =
  (build: (data: Data) => ast.Condition) =>
  (data: Data): ast.Condition => {
    const historyWindow: ast.HistoryWindow = data[data.length - 1];
    return { ...build(data.slice(0, -1)), window: historyWindow, span: extent(data) } as ast.Condition;
  };
export const within =
  (negated: boolean) =>
  (data: Data): ast.Condition => {
    const fieldRef = data[0];
    const value: ast.StringLiteral = data[data.length - 1];
    return { kind: 'within', negated, field: fieldRef, value, span: extent(data), operatorSpan: extent(data.slice(1, -1)) };
  };
export const truthy = ([fieldRef]: Data): ast.Condition => ({ kind: 'truthy', field: fieldRef, span: fieldRef.span });

export const or = ([left, , right]: Data): ast.Condition => ({ kind: 'or', left, right, span: extent(left, right) });
export const and = ([left, , right]: Data): ast.Condition => ({ kind: 'and', left, right, span: extent(left, right) });
export const not = ([keyword, operand]: Data): ast.Condition => ({ kind: 'not', operand, span: extent(keyword, operand) });
export const group = ([open, condition, close]: Data): ast.Condition => ({ ...condition, span: extent(open, close) });

export const continueAction = (data: Data): ast.Action =>
  data.length === 3 ? { kind: 'continue', reply: string([data[2]]), span: extent(data) } : { kind: 'continue', span: extent(data) };
export const stopAction = (data: Data): ast.Action =>
  data.length === 2 ? { kind: 'stop', reason: string([data[1]]), span: extent(data) } : { kind: 'stop', span: extent(data) };
export const escalateAction = (data: Data): ast.Action => {
  const options: ast.EscalateOption[] = data[data.length - 1];
  const reason = data.length === 3 ? string([data[1]]) : undefined;
  return reason ? { kind: 'escalate', reason, options, span: extent(data) } : { kind: 'escalate', options, span: extent(data) };
};
export const via = ([keyword, name]: Data): ast.EscalateOption => ({ kind: 'via', channel: identifier(name), span: extent(keyword, name) });
export const timeout = ([keyword, token]: Data): ast.EscalateOption => ({ kind: 'timeout', duration: duration([token]), span: extent(keyword, token) });
export const orElse = ([keyword, [outcome]]: Data): ast.EscalateOption => ({ kind: 'else', outcome: outcome.value, span: extent(keyword, outcome) });
export const prompt = ([keyword, token]: Data): ast.EscalateOption => ({ kind: 'prompt', text: string([token]), span: extent(keyword, token) });

export const priority = ([, token]: Data): ast.NumberLiteral => number([token]);
export const reset = ([, , name]: Data): ast.Identifier => identifier(name);
export const rule = ([keyword, name, priorityValue, , , when, , then, resets]: Data): ast.Rule => ({
  kind: 'rule',
  name: identifier(name),
  ...(priorityValue ? { priority: priorityValue } : {}),
  when,
  then,
  resets,
  span: extent(keyword, then, resets),
});

export const mode = ([keyword, name]: Data): ast.Statement => ({ kind: 'mode', preset: identifier(name), span: extent(keyword, name) });
export const max = ([keyword, counter, value]: Data): ast.Statement => ({
  kind: 'max', counter: identifier(counter), value: number([value]), span: extent(keyword, value),
});
export const factDeclaration = ([keyword, name, , [type]]: Data): ast.Statement => ({
  kind: 'fact', name: identifier(name), type: identifier(type), span: extent(keyword, type),
});
export const toolName = ([[token]]: Data): ast.Identifier =>
  token.type === 'string' ? { name: stringValue(token.value), span: extent(token) } : identifier(token);
export const toolParameter = ([[name], optional, , [type]]: Data): ast.ToolParameter => ({
  name: identifier(name), type: identifier(type), optional: optional != null, span: extent(name, type),
});
/** The parameters and whether a trailing `...` leaves the tool open to more arguments. */
export const toolParameters = (data: Data): { params: ast.ToolParameter[]; openEnded: boolean } => {
  if (data.length === 1 && isToken(data[0])) return { params: [], openEnded: true };
  const [first, rest, more] = data;
  return { params: [first, ...rest.map((pair: Data) => pair[1])], openEnded: more != null };
};
export const toolDeclaration = ([keyword, name, , parameters, close]: Data): ast.ToolDeclaration => ({
  kind: 'tool', name, params: parameters?.params ?? [], openEnded: parameters?.openEnded ?? false, span: extent(keyword, close),
});
export const defaultAction = ([keyword, action]: Data): ast.Statement => ({ kind: 'default', action, span: extent(keyword, action) });

export const version = ([, [token]]: Data): ast.StringLiteral | ast.NumberLiteral =>
  token.type === 'string' ? string([token]) : { kind: 'string', value: token.value, span: extent(token) };
export const header = ([keyword, name, versionValue]: Data) => ({ name: identifier(name), version: versionValue ?? undefined, span: extent(keyword, name, versionValue) });

/** Statements so far: each link holds one and the chain before it; built in constant time per statement. */
export interface StatementChain {
  statement: ast.Statement;
  before: StatementChain | null;
}
export const noStatements = (): StatementChain | null => null;
export const appendStatement = ([before, statement]: Data): StatementChain => ({ statement, before });

/** A parsed policy whose statements are still a chain: `finishPolicy` turns it into the AST. */
export interface ParsedPolicy {
  head: ReturnType<typeof header>;
  statements: StatementChain | null;
}
export const policy = ([head, statements]: Data): ParsedPolicy => ({ head, statements });

export function finishPolicy({ head, statements }: ParsedPolicy): ast.Policy {
  const list: ast.Statement[] = [];
  for (let link = statements; link; link = link.before) list.push(link.statement);
  list.reverse();
  return {
    kind: 'policy',
    name: head.name,
    ...(head.version ? { version: head.version } : {}),
    statements: list,
    comments: [],
    span: extent(head, list.length ? [list[0], list[list.length - 1]] : []),
  };
}
