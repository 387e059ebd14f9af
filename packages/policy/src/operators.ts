// Every operator a compiled policy may use, once: how json-rules-engine tests it (`test`) and
// the JavaScript the fast evaluator inlines for it (`source`). Both must agree on every input;
// the differential property test holds them to it.
import { Engine, Operator } from 'json-rules-engine';
import { PolicyRegex } from './policy-regex.js';

export interface OperatorDefinition {
  /** Value the operator takes on the right: checked by the JSON Schema of compiled policies. */
  value: 'string' | 'strings' | 'scalar' | 'scalars' | 'number' | 'count' | 'boolean' | 'regex';
  /** Whether the right-hand side may be another fact (`auto_replies >= max_auto_replies`). */
  acceptsFact?: boolean;
  test(fact: unknown, value: any): boolean;
  /**
   * An expression for the fast evaluator. `fact` and `value` are expressions; `lower` is an
   * expression for the fact lowercased (false when it is not text), computed once per decision.
   */
  source(fact: string, value: string, lower: () => string, literal: unknown): string;
}

const lower = (value: unknown): string | false => (typeof value === 'string' ? value.toLowerCase() : false);
const regexCache = new Map<string, PolicyRegex>();
/** Compiled once per distinct pattern and flags. */
export function regexFor(value: { pattern: string; flags: string }): PolicyRegex {
  const key = `${value.flags}/${value.pattern}`;
  let regex = regexCache.get(key);
  if (!regex) regexCache.set(key, (regex = new PolicyRegex(value.pattern, value.flags)));
  return regex;
}

const isString = (fact: string) => `typeof ${fact} === "string"`;

/** Unrolls a literal list into one test per item, joined by `||` or `&&`. */
function each(list: unknown, test: (item: string) => string, join: string, lowerCase = false): string {
  const items = (list as unknown[]).map((item) => JSON.stringify(lowerCase && typeof item === 'string' ? item.toLowerCase() : item));
  if (items.length === 0) return join === ' || ' ? 'false' : 'true';
  return items.map(test).join(join);
}

export const operators: Readonly<Record<string, OperatorDefinition>> = {
  textContains: {
    value: 'string',
    test: (fact, value) => typeof fact === 'string' && fact.includes(value),
    source: (fact, value) => `(${isString(fact)} && ${fact}.includes(${value}))`,
  },
  textContainsIgnoreCase: {
    value: 'string',
    test: (fact, value) => typeof fact === 'string' && fact.toLowerCase().includes(value.toLowerCase()),
    source: (_fact, value, low) => `(${low()} !== false && ${low()}.includes(${value}))`,
  },
  textContainsAny: {
    value: 'strings',
    test: (fact, values: string[]) => typeof fact === 'string' && values.some((v) => fact.includes(v)),
    source: (fact, _values, _low, literal) => `(${isString(fact)} && (${each(literal, (v) => `${fact}.includes(${v})`, ' || ')}))`,
  },
  textContainsAnyIgnoreCase: {
    value: 'strings',
    test: (fact, values: string[]) => {
      const text = lower(fact);
      return text !== false && values.some((v) => text.includes(v.toLowerCase()));
    },
    source: (_fact, _values, low, literal) => `(${low()} !== false && (${each(literal, (v) => `${low()}.includes(${v})`, ' || ', true)}))`,
  },
  textContainsAll: {
    value: 'strings',
    test: (fact, values: string[]) => typeof fact === 'string' && values.every((v) => fact.includes(v)),
    source: (fact, _values, _low, literal) => `(${isString(fact)} && ${each(literal, (v) => `${fact}.includes(${v})`, ' && ')})`,
  },
  textContainsAllIgnoreCase: {
    value: 'strings',
    test: (fact, values: string[]) => {
      const text = lower(fact);
      return text !== false && values.every((v) => text.includes(v.toLowerCase()));
    },
    source: (_fact, _values, low, literal) => `(${low()} !== false && ${each(literal, (v) => `${low()}.includes(${v})`, ' && ', true)})`,
  },
  textStartsWith: {
    value: 'string',
    test: (fact, value) => typeof fact === 'string' && fact.startsWith(value),
    source: (fact, value) => `(${isString(fact)} && ${fact}.startsWith(${value}))`,
  },
  textStartsWithIgnoreCase: {
    value: 'string',
    test: (fact, value) => typeof fact === 'string' && fact.toLowerCase().startsWith(value.toLowerCase()),
    source: (_fact, value, low) => `(${low()} !== false && ${low()}.startsWith(${value}))`,
  },
  textEndsWith: {
    value: 'string',
    test: (fact, value) => typeof fact === 'string' && fact.endsWith(value),
    source: (fact, value) => `(${isString(fact)} && ${fact}.endsWith(${value}))`,
  },
  textEndsWithIgnoreCase: {
    value: 'string',
    test: (fact, value) => typeof fact === 'string' && fact.toLowerCase().endsWith(value.toLowerCase()),
    source: (_fact, value, low) => `(${low()} !== false && ${low()}.endsWith(${value}))`,
  },
  textMatches: {
    value: 'regex',
    test: (fact, value) => typeof fact === 'string' && regexFor(value).test(fact),
    source: (fact, regex) => `(${isString(fact)} && ${regex}.test(${fact}))`,
  },
  equals: {
    value: 'scalar',
    acceptsFact: true,
    test: (fact, value) => fact !== undefined && fact === value,
    source: (fact, value) => `(${fact} !== undefined && ${fact} === ${value})`,
  },
  equalsIgnoreCase: {
    value: 'string',
    test: (fact, value) => typeof fact === 'string' && typeof value === 'string' && fact.toLowerCase() === value.toLowerCase(),
    source: (_fact, value, low) => `(${low()} !== false && ${low()} === ${value})`,
  },
  oneOf: {
    value: 'scalars',
    test: (fact, values: unknown[]) => fact !== undefined && values.includes(fact),
    source: (fact, _values, _low, literal) => `(${fact} !== undefined && (${each(literal, (v) => `${fact} === ${v}`, ' || ')}))`,
  },
  textOrListContains: {
    value: 'string',
    test: (fact, value) => (typeof fact === 'string' || Array.isArray(fact)) && fact.includes(value),
    source: (fact, value) => `((typeof ${fact} === "string" || Array.isArray(${fact})) && ${fact}.includes(${value}))`,
  },
  listContains: {
    value: 'scalar',
    test: (fact, value) => Array.isArray(fact) && fact.includes(value),
    source: (fact, value) => `(Array.isArray(${fact}) && ${fact}.includes(${value}))`,
  },
  numberAbove: {
    value: 'number',
    acceptsFact: true,
    test: (fact, value) => typeof fact === 'number' && typeof value === 'number' && fact > value,
    source: (fact, value) => `(typeof ${fact} === "number" && typeof ${value} === "number" && ${fact} > ${value})`,
  },
  numberAtLeast: {
    value: 'number',
    acceptsFact: true,
    test: (fact, value) => typeof fact === 'number' && typeof value === 'number' && fact >= value,
    source: (fact, value) => `(typeof ${fact} === "number" && typeof ${value} === "number" && ${fact} >= ${value})`,
  },
  numberBelow: {
    value: 'number',
    acceptsFact: true,
    test: (fact, value) => typeof fact === 'number' && typeof value === 'number' && fact < value,
    source: (fact, value) => `(typeof ${fact} === "number" && typeof ${value} === "number" && ${fact} < ${value})`,
  },
  numberAtMost: {
    value: 'number',
    acceptsFact: true,
    test: (fact, value) => typeof fact === 'number' && typeof value === 'number' && fact <= value,
    source: (fact, value) => `(typeof ${fact} === "number" && typeof ${value} === "number" && ${fact} <= ${value})`,
  },
  exists: {
    value: 'boolean',
    test: (fact, value) => (fact !== undefined && fact !== null) === value,
    source: (fact, value) => `((${fact} !== undefined && ${fact} !== null) === ${value})`,
  },
  everyNth: {
    value: 'count',
    test: (fact, value) => typeof fact === 'number' && Number.isInteger(fact) && fact > 0 && fact % value === 0,
    source: (fact, value) => `(typeof ${fact} === "number" && Number.isInteger(${fact}) && ${fact} > 0 && ${fact} % ${value} === 0)`,
  },
};

/**
 * The operators as json-rules-engine `Operator`s, so compiled rules run on a plain engine.
 *
 * @example
 * const engine = new Engine(policy.document.rules);
 * for (const operator of handrailOperators()) engine.addOperator(operator);
 */
export function handrailOperators(): Operator[] {
  return Object.entries(operators).map(([name, definition]) => new Operator(name, definition.test as (a: unknown, b: unknown) => boolean));
}

/** Adds every Handrail operator to a json-rules-engine `Engine`. */
export function addOperators(engine: Engine): Engine {
  for (const operator of handrailOperators()) engine.addOperator(operator);
  return engine;
}
