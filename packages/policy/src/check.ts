// Semantic checks on a parsed policy: names, types, values, regexes. Collects every problem.
import type * as ast from './ast.js';
import type { Diagnostic } from './errors.js';
import { builtInFacts, factTypes, ownDefinition, resettableCounters, type FactDefinition, type FactType } from './facts.js';
import { keywords } from './syntax/lexer.js';
import { findBacktrackingHazard } from './regex-safety.js';
import { regexProblem } from './policy-regex.js';
import { closest, didYouMean } from './suggest.js';
import { regexLookup, type RegexLookup } from './operators.js';
import { maxHistoryWindow } from './history.js';
import { parameterFacts } from './parameter-facts.js';

/** The declared custom facts of a policy, by name. */
export type CustomFacts = Map<string, FactDefinition>;

/** A declared tool's arguments, in declaration order, and whether calls may carry others. */
export interface ToolSignature {
  args: Map<string, { type: FactType; optional: boolean }>;
  openEnded: boolean;
}

/** The declared tools of a policy, by name. */
export type DeclaredTools = Map<string, ToolSignature>;

/** What the checker learned, for the compiler. */
export interface CheckedPolicy {
  ast: ast.Policy;
  customFacts: CustomFacts;
  tools: DeclaredTools;
  preset?: string;
  maxAutoReplies?: number;
  defaultAction?: ast.Action;
  rules: ast.Rule[];
}

const allowedRegexFlags = new Set(['i', 'm', 's', 'u']);
const nameList = (names: Iterable<string>) => [...names].map((n) => n);

/** `regexes` compiles the policy's regexes; pass the lookup that will decide, so each compiles once. */
export function checkPolicy(policy: ast.Policy, presets: readonly string[], regexes: RegexLookup = regexLookup()): { checked: CheckedPolicy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report = (code: Diagnostic['code'], message: string, span: ast.Span, expected?: string[]) =>
    diagnostics.push(expected ? { code, message, span, expected } : { code, message, span });

  const customFacts: CustomFacts = new Map();
  const tools: DeclaredTools = new Map();
  const checked: CheckedPolicy = { ast: policy, customFacts, tools, rules: [] };
  const seen = new Map<string, ast.Span>();
  const once = (key: string, span: ast.Span, what: string) => {
    if (seen.has(key)) report('DUPLICATE_SETTING', `${what} is already set on line ${seen.get(key)!.line}`, span);
    seen.set(key, span);
  };

  // Declarations first, so rules may use facts declared below them.
  for (const statement of policy.statements) {
    if (statement.kind !== 'fact') continue;
    const name = statement.name.name;
    const type = statement.type.name as FactType;
    if (ownDefinition(builtInFacts, name) || parameterFacts.has(name)) report('DUPLICATE_FACT', `"${name}" is a built-in fact`, statement.name.span);
    else if (customFacts.has(name)) report('DUPLICATE_FACT', `fact "${name}" is declared twice`, statement.name.span);
    if (!factTypes.includes(type)) report('UNKNOWN_TYPE', withHint(`unknown fact type "${type}"`, type, factTypes), statement.type.span, nameList(factTypes));
    customFacts.set(name, { type: factTypes.includes(type) ? type : 'any', description: 'declared by the policy' });
  }
  const toolsDeclaredAt = new Map<string, ast.Span>();
  for (const statement of policy.statements) if (statement.kind === 'tool') declareTool(statement, tools, toolsDeclaredAt, report);

  const ruleNames = new Map<string, ast.Span>();
  for (const statement of policy.statements) {
    switch (statement.kind) {
      case 'fact':
      case 'tool':
        break;
      case 'mode': {
        once('mode', statement.span, 'mode');
        const preset = statement.preset.name;
        if (!presets.includes(preset)) report('UNKNOWN_PRESET', withHint(`unknown mode "${preset}"`, preset, presets), statement.preset.span, [...presets]);
        else checked.preset = preset;
        break;
      }
      case 'max': {
        once('max', statement.span, 'max auto_replies');
        if (statement.counter.name !== 'auto_replies') report('UNKNOWN_COUNTER', withHint(`unknown counter "${statement.counter.name}"`, statement.counter.name, resettableCounters), statement.counter.span, [...resettableCounters]);
        const value = statement.value.value;
        if (!Number.isInteger(value) || value < 0) report('INVALID_VALUE', `the limit must be a whole number of 0 or more, not ${value}`, statement.value.span);
        else checked.maxAutoReplies = value;
        break;
      }
      case 'default':
        once('default', statement.span, 'default');
        checkAction(statement.action, report);
        checked.defaultAction = statement.action;
        break;
      case 'rule': {
        const name = statement.name.name;
        const previous = ruleNames.get(name);
        if (previous) report('DUPLICATE_RULE', `rule "${name}" is already defined on line ${previous.line}`, statement.name.span);
        ruleNames.set(name, statement.name.span);
        if (statement.priority) {
          const p = statement.priority.value;
          if (!Number.isInteger(p) || p < 1) report('INVALID_VALUE', `priority must be a whole number of 1 or more, not ${p}`, statement.priority.span);
        }
        const depth = nestingDepth(statement.when);
        if (depth > maxNesting) report('TOO_DEEP', `the condition nests ${depth} levels deep; at most ${maxNesting} are allowed`, statement.when.span);
        else checkCondition(statement.when, { customFacts, tools, narrowed: undefined, regexes }, report);
        checkAction(statement.then, report);
        const resets = new Set<string>();
        for (const counter of statement.resets) {
          if (!(resettableCounters as readonly string[]).includes(counter.name))
            report('UNKNOWN_COUNTER', withHint(`unknown counter "${counter.name}"`, counter.name, resettableCounters), counter.span, [...resettableCounters]);
          else if (resets.has(counter.name)) report('DUPLICATE_OPTION', `${counter.name} is reset twice`, counter.span);
          resets.add(counter.name);
        }
        checked.rules.push(statement);
        break;
      }
    }
  }
  return { checked, diagnostics };
}

/** `message; did you mean "x"?` when a known name is close to `name`. */
function withHint(message: string, name: string, known: Iterable<string>): string {
  const hint = didYouMean(name, known);
  return hint ? `${message}; ${hint}` : message;
}

type Report = (code: Diagnostic['code'], message: string, span: ast.Span, expected?: string[]) => void;

function declareTool(statement: ast.ToolDeclaration, tools: DeclaredTools, declaredAt: Map<string, ast.Span>, report: Report): void {
  const name = statement.name.name;
  const previous = declaredAt.get(name);
  if (previous) report('DUPLICATE_TOOL', `tool "${name}" is already declared on line ${previous.line}`, statement.name.span);
  else declaredAt.set(name, statement.name.span);
  const args: ToolSignature['args'] = new Map();
  for (const param of statement.params) {
    const type = param.type.name as FactType;
    if (!factTypes.includes(type)) report('UNKNOWN_TYPE', withHint(`unknown argument type "${type}"`, type, factTypes), param.type.span, nameList(factTypes));
    if (args.has(param.name.name)) report('DUPLICATE_ARGUMENT', `tool "${name}" declares the argument "${param.name.name}" twice`, param.name.span);
    args.set(param.name.name, { type: factTypes.includes(type) ? type : 'any', optional: param.optional });
  }
  if (!previous) tools.set(name, { args, openEnded: statement.openEnded });
}

/**
 * What a condition knows while it is checked: the facts and tools, and which tools the call can
 * be (`narrowed`) when an enclosing conjunction says so (`tool.name == "refund" and …`).
 */
export interface Scope {
  customFacts: CustomFacts;
  tools: DeclaredTools;
  narrowed: ReadonlySet<string> | undefined;
  /** Compiles the policy's regexes (the lookup that will decide, so each compiles once); by default each anew. */
  regexes?: RegexLookup;
}

const isToolName = (field: ast.FieldRef) => field.fact.name === 'tool' && field.path.length === 1 && field.path[0]!.key === 'name';

/** The tool names a condition implies when it holds, or undefined when it implies none. */
export function narrowing(condition: ast.Condition): ReadonlySet<string> | undefined {
  switch (condition.kind) {
    case 'equals':
      return !condition.negated && !condition.ignoreCase && isToolName(condition.field) && condition.value.kind === 'string' ? new Set([condition.value.value]) : undefined;
    case 'in':
      return !condition.negated && isToolName(condition.field) ? new Set(condition.value.items.flatMap((item) => (item.kind === 'string' ? [item.value] : []))) : undefined;
    case 'and':
      return intersect(narrowing(condition.left), narrowing(condition.right));
    case 'or': {
      const left = narrowing(condition.left);
      const right = narrowing(condition.right);
      return left && right ? new Set([...left, ...right]) : undefined;
    }
    default:
      return undefined;
  }
}

/** The tools both narrowings allow (either alone when the other says nothing). */
export function intersect(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): ReadonlySet<string> | undefined {
  if (!a) return b;
  if (!b) return a;
  return new Set([...a].filter((name) => b.has(name)));
}

/** The span of a path segment's name: `amount` in `.amount`. */
function nameSpan(segment: ast.FieldRef['path'][number]): ast.Span {
  const { span, key } = segment;
  return typeof key === 'string' && span.length === key.length + 1 ? { ...span, col: span.col + 1, offset: span.offset + 1, length: key.length } : span;
}

/**
 * The definition of `tool.args.NAME…` from the declared tools the call can be; undefined when
 * the declarations say nothing about it (no tool declared, an undeclared or open-ended tool among
 * the candidates, a contradiction), so the field is read as today. Reports an argument that no
 * candidate declares.
 */
export function resolveToolArgument(field: ast.FieldRef, scope: Scope, report: Report): FactDefinition | null | undefined {
  const [args, argument, ...deeper] = field.path;
  if (field.fact.name !== 'tool' || args?.key !== 'args' || !argument || typeof argument.key !== 'string' || scope.tools.size === 0) return undefined;
  const candidates = scope.narrowed ? [...scope.narrowed] : [...scope.tools.keys()];
  if (candidates.length === 0 || candidates.some((name) => !scope.tools.has(name) || scope.tools.get(name)!.openEnded)) return undefined;
  const name = argument.key;
  const declared = candidates.flatMap((tool) => {
    const found = scope.tools.get(tool)!.args.get(name);
    return found ? [found.type] : [];
  });
  if (declared.length === 0) {
    const known = [...new Set(candidates.flatMap((tool) => [...scope.tools.get(tool)!.args.keys()]))];
    const meant = closest(name, known);
    const hint = meant ? `; did you mean "${meant}"?` : '';
    const quoted = candidates.map((tool) => JSON.stringify(tool));
    const message = scope.narrowed
      ? `${candidates.length === 1 ? `tool ${quoted[0]} has` : `tools ${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)} have`} no argument "${name}"${hint}`
      : `no declared tool has an argument "${name}"${hint}; to read an undeclared tool's argument, name the tool: tool.name == "…" and tool.args${/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`} …`;
    report('UNKNOWN_ARGUMENT', message, nameSpan(argument), known);
    return null;
  }
  const type = declared.every((each) => each === declared[0]) ? declared[0]! : 'any';
  if (deeper.length && type !== 'any' && type !== 'object' && !(type === 'list' && typeof deeper[0]!.key === 'number')) {
    report('TYPE_MISMATCH', `tool.args.${name} is ${type}, so it has no fields`, deeper[0]!.span);
    return null;
  }
  return deeper.length ? { type: 'any', description: '' } : { type, description: `argument ${name} of a declared tool` };
}

/** Deeper conditions are refused: the compiler and the evaluators walk conditions recursively. */
export const maxNesting = 64;

/** How deeply `and` / `or` / `not` nest, measured without recursion (the input may be hostile). */
function nestingDepth(root: ast.Condition): number {
  let deepest = 0;
  const stack: Array<[ast.Condition, number]> = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    if (node.kind === 'and' || node.kind === 'or') stack.push([node.left, depth + 1], [node.right, depth + 1]);
    else if (node.kind === 'not') stack.push([node.operand, depth + 1]);
  }
  return deepest;
}

function checkAction(action: ast.Action, report: Report): void {
  if (action.kind !== 'escalate') return;
  const seen = new Set<string>();
  for (const option of action.options) {
    if (seen.has(option.kind)) report('DUPLICATE_OPTION', `"${option.kind}" is given twice`, option.span);
    seen.add(option.kind);
    if (option.kind === 'timeout' && option.duration.value <= 0) report('INVALID_VALUE', 'a timeout must be longer than 0', option.duration.span);
  }
}

/** The definition of a field, or a diagnostic when the fact or the path does not exist. */
export function resolveField(field: ast.FieldRef, customFacts: CustomFacts, report: Report, scope?: Scope): FactDefinition | undefined {
  if (scope) {
    const argument = resolveToolArgument(field, scope, report);
    if (argument !== undefined) return argument ?? undefined;
  }
  const name = field.fact.name;
  const found = ownDefinition(builtInFacts, name) ?? customFacts.get(name);
  if (!found) {
    const known = [...Object.keys(builtInFacts), ...customFacts.keys()];
    const keyword = keywords.includes(name as never) ? ` ("${name}" is a keyword)` : '';
    const declare = `declare custom facts with \`fact ${name}: string\``;
    const suggestion = didYouMean(name, known);
    const message = suggestion ? `unknown fact "${name}"${keyword}; ${suggestion} (or ${declare})` : `unknown fact "${name}"${keyword}; ${declare}`;
    report('UNKNOWN_FACT', message, field.fact.span, known);
    return undefined;
  }
  for (const segment of field.path) {
    if (typeof segment.key === 'string' && !/^[A-Za-z0-9_\- ]+$/.test(segment.key)) {
      report('INVALID_VALUE', 'a quoted field name may hold only letters, digits, _, - and spaces', segment.span);
      return undefined;
    }
  }
  if (field.path.length && found.type !== 'object') {
    report('TYPE_MISMATCH', `${name} is ${found.type}, so it has no fields; declare it \`fact ${name}: object\` to read into it`, field.path[0]!.span);
    return undefined;
  }
  let definition: FactDefinition = found;
  for (const segment of field.path) {
    if (definition.entries) {
      definition = definition.entries;
      continue;
    }
    if (definition.type === 'any' || (definition.type === 'object' && !definition.fields)) return { type: 'any', description: '' };
    const next: FactDefinition | undefined = ownDefinition(definition.fields, String(segment.key));
    if (!next) {
      const fields = Object.keys(definition.fields ?? {});
      report('UNKNOWN_FACT', withHint(`${describe(field, segment)} has no field "${segment.key}"`, String(segment.key), fields), segment.span, fields);
      return undefined;
    }
    definition = next;
  }
  return definition;
}

function describe(field: ast.FieldRef, upTo: { key: string | number }): string {
  const parts = [field.fact.name];
  for (const segment of field.path) {
    if (segment === upTo) break;
    parts.push(String(segment.key));
  }
  return parts.join('.');
}

function fieldText(field: ast.FieldRef): string {
  return [field.fact.name, ...field.path.map((s) => (typeof s.key === 'number' ? `[${s.key}]` : s.key))].join('.').replace(/\.\[/g, '[');
}

function literalType(value: ast.Scalar): FactType {
  return value.kind === 'duration' ? 'number' : value.kind;
}

// Helpers of checkCondition at module level: it runs once per condition of every rule, and
// closures made on each call cost more than the checks themselves.
function resolveIn(scope: Scope, report: Report, field: ast.FieldRef): FactDefinition | undefined {
  return resolveField(field, scope.customFacts, report, scope);
}

function expectType(scope: Scope, report: Report, field: ast.FieldRef, allowed: FactType[], what: string, span: ast.Span): FactDefinition | undefined {
  const definition = resolveIn(scope, report, field);
  if (definition && definition.type !== 'any' && !allowed.includes(definition.type))
    report('TYPE_MISMATCH', `${what} needs ${allowed.join(' or ')}, but ${fieldText(field)} is ${definition.type}`, span);
  return definition;
}

function checkEnum(report: Report, definition: FactDefinition | undefined, value: ast.Scalar, field: ast.FieldRef): void {
  if (definition?.values && value.kind === 'string' && !definition.values.includes(value.value))
    report('INVALID_VALUE', `${fieldText(field)} is never ${JSON.stringify(value.value)}`, value.span, definition.values.map((v) => JSON.stringify(v)));
}

function checkCondition(condition: ast.Condition, scope: Scope, report: Report): void {
  if ((condition.kind === 'compare' || condition.kind === 'equals' || condition.kind === 'text') && condition.window) {
    const { steps } = condition.window;
    const fields = [condition.field, ...(condition.value.kind === 'field' ? [condition.value] : [])];
    if (!fields.some((field) => field.fact.name === 'history'))
      report('INVALID_VALUE', `"over the last ${steps.value} steps" counts the run's history: the test must read history (history.calls.refund, history.errors, …)`, condition.window.span);
    if (!Number.isInteger(steps.value) || steps.value < 1 || steps.value > maxHistoryWindow)
      report('INVALID_VALUE', `a window is a whole number of steps from 1 to ${maxHistoryWindow}, not ${steps.value}`, steps.span);
  }

  switch (condition.kind) {
    case 'within': {
      expectType(scope, report, condition.field, ['string'], 'within', condition.operatorSpan);
      const root = condition.value.value;
      if (root === '' || root.includes('\0')) report('INVALID_VALUE', 'the directory must be a non-empty path without NUL bytes', condition.value.span);
      return;
    }
    case 'and':
    case 'or':
      if (condition.kind === 'and') {
        // Each side is read where the other holds: `tool.name == "refund" and tool.args.amount > 5`.
        checkCondition(condition.left, { ...scope, narrowed: intersect(scope.narrowed, narrowing(condition.right)) }, report);
        checkCondition(condition.right, { ...scope, narrowed: intersect(scope.narrowed, narrowing(condition.left)) }, report);
        return;
      }
      checkCondition(condition.left, scope, report);
      checkCondition(condition.right, scope, report);
      return;
    case 'not':
      checkCondition(condition.operand, scope, report);
      return;
    case 'text': {
      const listOperand = condition.operator === 'containsAny' || condition.operator === 'containsAll';
      if (condition.operator === 'contains') {
        const definition = resolveIn(scope, report, condition.field);
        if (definition?.type === 'list' && condition.ignoreCase)
          report('TYPE_MISMATCH', '"ignoring case" works on text, and a list is compared item by item', condition.span);
        else if (definition && !['string', 'list', 'any'].includes(definition.type))
          report('TYPE_MISMATCH', `contains needs text or a list, but ${fieldText(condition.field)} is ${definition.type}`, condition.operatorSpan);
      } else expectType(scope, report, condition.field, ['string'], `"${condition.operator}"`, condition.operatorSpan);
      if (listOperand) {
        const list = condition.value as ast.ListLiteral;
        if (list.items.length === 0) report('INVALID_VALUE', 'the list is empty', list.span);
        for (const item of list.items) if (item.kind !== 'string') report('TYPE_MISMATCH', 'expected a "string"', item.span);
      }
      return;
    }
    case 'equals': {
      const definition = resolveIn(scope, report, condition.field);
      if (definition && (definition.type === 'list' || definition.type === 'object'))
        report('TYPE_MISMATCH', `equals compares text, numbers and true/false, but ${fieldText(condition.field)} is ${definition.type}`, condition.operatorSpan);
      if (condition.value.kind === 'field') {
        const other = resolveIn(scope, report, condition.value);
        if (condition.ignoreCase) report('TYPE_MISMATCH', '"ignoring case" needs a "string" on the right', condition.value.span);
        if (definition && other && definition.type !== 'any' && other.type !== 'any' && definition.type !== other.type)
          report('TYPE_MISMATCH', `${fieldText(condition.field)} is ${definition.type} but ${fieldText(condition.value)} is ${other.type}`, condition.value.span);
        return;
      }
      const type = literalType(condition.value);
      if (definition && definition.type !== 'any' && definition.type !== 'list' && definition.type !== 'object' && definition.type !== type)
        report('TYPE_MISMATCH', `${fieldText(condition.field)} is ${definition.type}, so compare it with ${article(definition.type)}`, condition.value.span);
      if (condition.ignoreCase && type !== 'string') report('TYPE_MISMATCH', '"ignoring case" needs a "string" on the right', condition.value.span);
      checkEnum(report, definition, condition.value, condition.field);
      return;
    }
    case 'matches': {
      expectType(scope, report, condition.field, ['string'], 'matches', condition.operatorSpan);
      const { pattern, flags, span } = condition.value;
      for (const flag of flags) {
        if (!allowedRegexFlags.has(flag)) {
          report('INVALID_REGEX', `the flag "${flag}" is not allowed here`, span, ['i', 'm', 's', 'u']);
          return;
        }
      }
      const problem = regexProblem(pattern, flags, scope.regexes);
      if (problem) {
        report('INVALID_REGEX', problem, span);
        return;
      }
      const hazard = findBacktrackingHazard(pattern);
      if (hazard) report('UNSAFE_REGEX', hazard, span);
      return;
    }
    case 'compare': {
      expectType(scope, report, condition.field, ['number'], `"${condition.operator}"`, condition.operatorSpan);
      if (condition.value.kind === 'field') expectType(scope, report, condition.value, ['number'], `"${condition.operator}"`, condition.value.span);
      else if (literalType(condition.value) !== 'number') report('TYPE_MISMATCH', `"${condition.operator}" needs a number or a duration`, condition.value.span);
      return;
    }
    case 'in': {
      const definition = expectType(scope, report, condition.field, ['string', 'number', 'boolean'], '"in"', condition.operatorSpan);
      if (condition.value.items.length === 0) report('INVALID_VALUE', 'the list is empty', condition.value.span);
      for (const item of condition.value.items) {
        if (definition && definition.type !== 'any' && definition.type !== item.kind)
          report('TYPE_MISMATCH', `${fieldText(condition.field)} is ${definition.type}, so the list needs ${article(definition.type)}`, item.span);
        checkEnum(report, definition, item, condition.field);
      }
      return;
    }
    case 'exists':
      resolveIn(scope, report, condition.field);
      return;
    case 'every': {
      const counter = condition.field;
      expectType(scope, report, counter, ['number'], '"every"', counter.span);
      const n = condition.count.value;
      if (!Number.isInteger(n) || n < 1) report('INVALID_VALUE', `every needs a whole number of 1 or more, not ${n}`, condition.count.span);
      return;
    }
    case 'truthy': {
      // A bare field is a test only when it is true or false; any other value is probably meant
      // to be tested for presence.
      const definition = resolveIn(scope, report, condition.field);
      if (definition && definition.type !== 'any' && definition.type !== 'boolean') {
        const text = fieldText(condition.field);
        const what = { string: 'text', number: 'a number', list: 'a list', object: 'an object' }[definition.type];
        report('TYPE_MISMATCH', `${text} is ${what}, not true or false, so it is no condition on its own; did you mean \`${text} exists\`?`, condition.field.span);
      }
      return;
    }
  }
}

function article(type: FactType): string {
  return type === 'string' ? 'a "string"' : type === 'number' ? 'a number' : type === 'boolean' ? 'true or false' : type;
}
