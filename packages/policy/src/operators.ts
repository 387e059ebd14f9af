// Every operator a compiled policy may use, once: what value it takes (`takes`), how
// json-rules-engine tests it (`test`, through handrailOperators) and the JavaScript the fast
// evaluator inlines for it (`guard`, `source`). Both evaluators must agree on every input; the
// differential property test holds them to it.
//
// A value of the wrong type fails closed. Text that is a JSON number ("500", "-1.5e3") counts as
// that number; absent values (undefined, null) make a test false; any other value an operator
// cannot take makes the whole decision fail closed (MISTYPED_FACT), whatever the other conditions.
import type { Engine, Operator } from 'json-rules-engine';
import { loadOnUse } from './load-on-use.js';
import { pathTest } from './paths.js';
import { PolicyRegex } from './policy-regex.js';

/** What a test needs on its left (and, for numbers, on its right); see `mistypedSide`. */
export type Takes = 'text' | 'text or list' | 'list' | 'number' | 'comparable' | 'path' | 'anything';

/** Regexes compiled for one owner (a fast evaluator, an engine's operators); freed with it. */
export type RegexLookup = (value: { pattern: string; flags: string }) => PolicyRegex;

/** The expressions the fast evaluator gives an operator's `guard` and `source`. */
export interface SourceContext {
  /** The fact's value. */
  fact: string;
  /** The right-hand side: a JSON literal, a constant, or another fact's value. */
  value: string;
  /** The fact lowercased, or false when it is not text; computed once per decision. */
  lower(): string;
  /** The fact as a number (see `numberOf`), computed once per decision. */
  number(): string;
  /** The right-hand fact as a number, when the right-hand side is a fact. */
  valueNumber?(): string;
  /** The literal on the right, or undefined when it is a fact. */
  literal: unknown;
  /**
   * Whether the fact, known to be text (lowercased when `lowered`), contains any (or all) of
   * `words` (already lowercased when `lowered`): an `includes` per word, or look-ups in one scan
   * shared by every keyword test on that text.
   */
  contains(words: readonly string[], lowered: boolean, join: 'any' | 'all'): string;
}

export interface OperatorDefinition {
  /** Value the operator takes on the right: checked by the JSON Schema of compiled policies. */
  value: 'string' | 'strings' | 'scalar' | 'scalars' | 'number' | 'count' | 'boolean' | 'regex' | 'directory';
  /** Whether the right-hand side may be another fact (`auto_replies >= max_auto_replies`). */
  acceptsFact?: boolean;
  takes: Takes;
  /** Whether the test holds; called only when `mistypedSide` found nothing wrong. */
  holds(fact: unknown, value: any, regexes: RegexLookup): boolean;
  /** `holds` for the fast evaluator, which checks the guards of every test first. */
  source(context: SourceContext): string;
}

const jsonNumber = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/**
 * A value as a number: a number, or text in JSON's number grammar exactly ("500", "-1.5e3"; not
 * " 500", "0x10", "Infinity"); NaN for anything else (NaN itself included).
 */
export function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && jsonNumber.test(value) ? Number(value) : NaN;
}

const present = (value: unknown) => value !== undefined && value !== null;
const isNumber = (value: unknown) => !Number.isNaN(numberOf(value));

/** Whether two present values can be compared for equality: same kind, or both numbers. */
export function comparable(a: unknown, b: unknown): boolean {
  const type = typeof a;
  if (type === typeof b && (type === 'string' || type === 'boolean')) return true;
  return isNumber(a) && isNumber(b);
}

/** Equality of two comparable values: text with text as text, numbers (or number text) as numbers. */
export function sameValue(a: unknown, b: unknown): boolean {
  return typeof a === typeof b ? a === b : numberOf(a) === numberOf(b);
}

/**
 * Which side of a test has a value the operator cannot take: `fact`, `value` (a right-hand fact)
 * or undefined when the test can be evaluated. Absent values are never mistyped.
 */
export function mistypedSide(takes: Takes, fact: unknown, value: unknown, list = false): 'fact' | 'value' | undefined {
  switch (takes) {
    case 'anything':
      return undefined;
    case 'text':
      return present(fact) && typeof fact !== 'string' ? 'fact' : undefined;
    case 'text or list':
      return present(fact) && typeof fact !== 'string' && !Array.isArray(fact) ? 'fact' : undefined;
    case 'list':
      return present(fact) && !Array.isArray(fact) ? 'fact' : undefined;
    case 'number':
      if (present(fact) && !isNumber(fact)) return 'fact';
      return present(value) && !isNumber(value) ? 'value' : undefined;
    case 'path':
      return present(fact) && typeof pathTest(fact, value) === 'object' ? 'fact' : undefined;
    case 'comparable': {
      if (!present(fact)) return undefined;
      if (list) return (value as unknown[]).some((item) => comparable(fact, item)) ? undefined : 'fact';
      return present(value) && !comparable(fact, value) ? 'fact' : undefined;
    }
  }
}

/** Raised by a test that met a value of the wrong type; the decision fails closed. */
export class MistypedValueError extends Error {
  readonly code = 'MISTYPED_FACT';
}

const isString = (fact: string) => `typeof ${fact} === "string"`;
const json = (value: unknown) => {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
};

const lowerAll = (words: unknown) => (words as string[]).map((word) => word.toLowerCase());

/** The fast evaluator's `fact == literal`, with the rule of `sameValue`. */
function equalsLiteral(context: SourceContext, literal: unknown): string {
  if (typeof literal === 'number') return `${context.number()} === ${json(literal)}`;
  if (typeof literal === 'string' && isNumber(literal)) return `(${context.fact} === ${json(literal)} || ${context.fact} === ${json(numberOf(literal))})`;
  return `${context.fact} === ${json(literal)}`;
}

/**
 * The fast evaluator's check that a value has the wrong type: an expression true when it has.
 * Mirrors `mistypedSide`; `side` picks the left fact or the right-hand fact of a number test.
 */
export function guardSource(definition: OperatorDefinition, context: SourceContext, side: 'fact' | 'value'): string | undefined {
  const { fact, literal } = context;
  if (side === 'value') {
    if (literal !== undefined || definition.takes !== 'number') return undefined;
    return `(${context.value} != null && ${context.valueNumber!()} !== ${context.valueNumber!()})`;
  }
  switch (definition.takes) {
    case 'anything':
      return undefined;
    case 'text':
      return `(${fact} != null && typeof ${fact} !== "string")`;
    case 'text or list':
      return `(${fact} != null && typeof ${fact} !== "string" && !Array.isArray(${fact}))`;
    case 'list':
      return `(${fact} != null && !Array.isArray(${fact}))`;
    case 'number':
      return `(${fact} != null && ${context.number()} !== ${context.number()})`;
    case 'path':
      return `(${fact} != null && typeof pathTest(${fact}, ${context.value}) === "object")`;
    case 'comparable': {
      if (literal === undefined) return `(${fact} != null && ${context.value} != null && !comparable(${fact}, ${context.value}))`;
      const items = Array.isArray(literal) ? literal : [literal];
      const accepted: string[] = [];
      if (items.some((item) => typeof item === 'string')) accepted.push(isString(fact));
      if (items.some((item) => typeof item === 'boolean')) accepted.push(`typeof ${fact} === "boolean"`);
      if (items.some((item) => typeof item === 'number')) accepted.push(`${context.number()} === ${context.number()}`);
      else if (items.some((item) => typeof item === 'string' && isNumber(item))) accepted.push(`(typeof ${fact} === "number" && ${fact} === ${fact})`);
      return `(${fact} != null && !(${accepted.join(' || ') || 'false'}))`;
    }
  }
}

/**
 * Every operator of compiled policies, by name (see docs/policy-language.md, "Operators").
 *
 * @example
 * operators.numberAbove.holds('500', 50, regexLookup()); // true: JSON number text is a number
 * mistypedSide(operators.numberAbove.takes, '5e2x', 50); // 'fact': the decision fails closed
 */
export const operators: Readonly<Record<string, OperatorDefinition>> = {
  textContains: {
    value: 'string',
    takes: 'text',
    holds: (fact, value) => typeof fact === 'string' && fact.includes(value),
    source: ({ fact, literal, contains }) => `(${isString(fact)} && ${contains([literal as string], false, 'any')})`,
  },
  textContainsIgnoreCase: {
    value: 'string',
    takes: 'text',
    holds: (fact, value) => typeof fact === 'string' && fact.toLowerCase().includes(value.toLowerCase()),
    source: ({ lower, literal, contains }) => `(${lower()} !== false && ${contains([(literal as string).toLowerCase()], true, 'any')})`,
  },
  textContainsAny: {
    value: 'strings',
    takes: 'text',
    holds: (fact, values: string[]) => typeof fact === 'string' && values.some((v) => fact.includes(v)),
    source: ({ fact, literal, contains }) => `(${isString(fact)} && ${contains(literal as string[], false, 'any')})`,
  },
  textContainsAnyIgnoreCase: {
    value: 'strings',
    takes: 'text',
    holds: (fact, values: string[]) => typeof fact === 'string' && values.some((v) => fact.toLowerCase().includes(v.toLowerCase())),
    source: ({ lower, literal, contains }) => `(${lower()} !== false && ${contains(lowerAll(literal), true, 'any')})`,
  },
  textContainsAll: {
    value: 'strings',
    takes: 'text',
    holds: (fact, values: string[]) => typeof fact === 'string' && values.every((v) => fact.includes(v)),
    source: ({ fact, literal, contains }) => `(${isString(fact)} && ${contains(literal as string[], false, 'all')})`,
  },
  textContainsAllIgnoreCase: {
    value: 'strings',
    takes: 'text',
    holds: (fact, values: string[]) => typeof fact === 'string' && values.every((v) => fact.toLowerCase().includes(v.toLowerCase())),
    source: ({ lower, literal, contains }) => `(${lower()} !== false && ${contains(lowerAll(literal), true, 'all')})`,
  },
  textStartsWith: {
    value: 'string',
    takes: 'text',
    holds: (fact, value) => typeof fact === 'string' && fact.startsWith(value),
    source: ({ fact, value }) => `(${isString(fact)} && ${fact}.startsWith(${value}))`,
  },
  textStartsWithIgnoreCase: {
    value: 'string',
    takes: 'text',
    holds: (fact, value) => typeof fact === 'string' && fact.toLowerCase().startsWith(value.toLowerCase()),
    source: ({ value, lower }) => `(${lower()} !== false && ${lower()}.startsWith(${value}))`,
  },
  textEndsWith: {
    value: 'string',
    takes: 'text',
    holds: (fact, value) => typeof fact === 'string' && fact.endsWith(value),
    source: ({ fact, value }) => `(${isString(fact)} && ${fact}.endsWith(${value}))`,
  },
  textEndsWithIgnoreCase: {
    value: 'string',
    takes: 'text',
    holds: (fact, value) => typeof fact === 'string' && fact.toLowerCase().endsWith(value.toLowerCase()),
    source: ({ value, lower }) => `(${lower()} !== false && ${lower()}.endsWith(${value}))`,
  },
  textMatches: {
    value: 'regex',
    takes: 'text',
    holds: (fact, value, regexes) => typeof fact === 'string' && regexes(value).test(fact),
    source: ({ fact, value }) => `(${isString(fact)} && ${value}.test(${fact}))`,
  },
  equals: {
    value: 'scalar',
    acceptsFact: true,
    takes: 'comparable',
    holds: (fact, value) => present(fact) && present(value) && sameValue(fact, value),
    source: (context) =>
      context.literal === undefined
        ? `(${context.fact} != null && ${context.value} != null && sameValue(${context.fact}, ${context.value}))`
        : `(${equalsLiteral(context, context.literal)})`,
  },
  equalsIgnoreCase: {
    value: 'string',
    takes: 'text',
    holds: (fact, value) => typeof fact === 'string' && typeof value === 'string' && fact.toLowerCase() === value.toLowerCase(),
    source: ({ value, lower }) => `(${lower()} !== false && ${lower()} === ${value})`,
  },
  oneOf: {
    value: 'scalars',
    takes: 'comparable',
    holds: (fact, values: unknown[]) => present(fact) && values.some((item) => sameValue(fact, item)),
    source: (context) => `(${(context.literal as unknown[]).map((item) => equalsLiteral(context, item)).join(' || ') || 'false'})`,
  },
  textOrListContains: {
    value: 'string',
    takes: 'text or list',
    holds: (fact, value) => (typeof fact === 'string' || Array.isArray(fact)) && fact.includes(value),
    source: ({ fact, value }) => `((typeof ${fact} === "string" || Array.isArray(${fact})) && ${fact}.includes(${value}))`,
  },
  listContains: {
    value: 'scalar',
    takes: 'list',
    holds: (fact, value) => Array.isArray(fact) && fact.includes(value),
    source: ({ fact, value }) => `(Array.isArray(${fact}) && ${fact}.includes(${value}))`,
  },
  numberAbove: {
    value: 'number',
    acceptsFact: true,
    takes: 'number',
    holds: (fact, value) => numberOf(fact) > numberOf(value),
    source: (context) => `(${context.number()} > ${context.valueNumber?.() ?? context.value})`,
  },
  numberAtLeast: {
    value: 'number',
    acceptsFact: true,
    takes: 'number',
    holds: (fact, value) => numberOf(fact) >= numberOf(value),
    source: (context) => `(${context.number()} >= ${context.valueNumber?.() ?? context.value})`,
  },
  numberBelow: {
    value: 'number',
    acceptsFact: true,
    takes: 'number',
    holds: (fact, value) => numberOf(fact) < numberOf(value),
    source: (context) => `(${context.number()} < ${context.valueNumber?.() ?? context.value})`,
  },
  numberAtMost: {
    value: 'number',
    acceptsFact: true,
    takes: 'number',
    holds: (fact, value) => numberOf(fact) <= numberOf(value),
    source: (context) => `(${context.number()} <= ${context.valueNumber?.() ?? context.value})`,
  },
  exists: {
    value: 'boolean',
    takes: 'anything',
    holds: (fact, value) => present(fact) === value,
    source: ({ fact, value }) => `((${fact} !== undefined && ${fact} !== null) === ${value})`,
  },
  pathWithin: {
    value: 'directory',
    takes: 'path',
    holds: (fact, value) => present(fact) && pathTest(fact, value) === true,
    source: ({ fact, value }) => `(${fact} != null && pathTest(${fact}, ${value}) === true)`,
  },
  everyNth: {
    value: 'count',
    takes: 'number',
    holds: (fact, value) => {
      const count = numberOf(fact);
      return Number.isInteger(count) && count > 0 && count % value === 0;
    },
    source: ({ number, value }) => `(Number.isInteger(${number()}) && ${number()} > 0 && ${number()} % ${value} === 0)`,
  },
};

const jsonRulesEngine = loadOnUse<typeof import('json-rules-engine')>('json-rules-engine');

/** A lookup that compiles each distinct pattern once, for as long as the lookup is kept. */
export function regexLookup(): RegexLookup {
  const compiled = new Map<string, PolicyRegex>();
  return (value) => {
    const key = `${value.flags}/${value.pattern}`;
    let regex = compiled.get(key);
    if (!regex) compiled.set(key, (regex = new PolicyRegex(value.pattern, value.flags)));
    return regex;
  };
}

/** An operator's test as json-rules-engine runs it: a value of the wrong type throws. */
export function testOperator(name: string, fact: unknown, value: unknown, regexes: RegexLookup): boolean {
  const definition = operators[name]!;
  const side = mistypedSide(definition.takes, fact, value, definition.value === 'scalars');
  if (side) throw new MistypedValueError(`${name} cannot take ${side === 'fact' ? 'the fact' : 'the right-hand fact'}'s value`);
  return definition.holds(fact, value, regexes);
}

/**
 * The operators as json-rules-engine `Operator`s, so compiled rules run on a plain engine. Their
 * compiled regexes live as long as the operators.
 *
 * @example
 * const engine = new Engine(policy.document.rules);
 * for (const operator of handrailOperators()) engine.addOperator(operator);
 */
export function handrailOperators(): Operator[] {
  const regexes = regexLookup();
  const { Operator } = jsonRulesEngine();
  return Object.keys(operators).map((name) => new Operator(name, (fact: unknown, value: unknown) => testOperator(name, fact, value, regexes)));
}

/** Adds every Handrail operator to a json-rules-engine `Engine`. */
export function addOperators(engine: Engine): Engine {
  for (const operator of handrailOperators()) engine.addOperator(operator);
  return engine;
}
