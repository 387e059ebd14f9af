// The fast evaluator: compiles a policy's json-rules-engine conditions to JavaScript, as ajv
// compiles a schema. Values enter the source only through JSON.stringify or a constant table,
// never as raw text. Two functions come out: `firstFiring` (rules are in resolution order, so
// the first that fires decides) and `trace` (one rule's conditions with the values seen, in
// json-rules-engine's result shape). Values of the wrong type are checked before any rule, as
// json-rules-engine evaluates every test of every rule.
import { isLeaf, type CompiledRule, type ConditionNode, type FactReference, type LeafCondition } from '../document.js';
import type { TraceNode } from '../decision.js';
import { comparable, guardSource, numberOf, operators, regexLookup, sameValue, type RegexLookup, type SourceContext } from '../operators.js';
import { KeywordScan } from './keyword-scan.js';
import { mistypedValue } from './mistyped.js';
import { pathKeys, readPath } from './path.js';
import { parameterFacts, parameterFactValue } from '../parameter-facts.js';
import { pathTest } from '../paths.js';

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

const guardSides = ['fact', 'value'] as const;

/** Rules per generated function: small functions stay optimised however many rules a policy has. */
const rulesPerChunk = 40;
/** From this many distinct words on one text, one shared scan beats an `includes` per word. */
export const sharedScanFromWords = 16;

/** Operators whose words can join a shared scan, and whether they compare lowercased text. */
const keywordOperators: Readonly<Record<string, boolean>> = {
  textContains: false,
  textContainsAny: false,
  textContainsAll: false,
  textContainsIgnoreCase: true,
  textContainsAnyIgnoreCase: true,
  textContainsAllIgnoreCase: true,
};

const lowerOf = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : false);

// A fact alone is keyed by its name (a name never holds NUL); with a path or parameters, by all three.
const referenceKey = (reference: FactReference) =>
  reference.path === undefined && reference.params === undefined
    ? reference.fact
    : `${reference.fact}\u0000${reference.path ?? ''}\u0000${reference.params ? JSON.stringify(reference.params) : ''}`;

function leaves(node: ConditionNode, into: LeafCondition[] = []): LeafCondition[] {
  if (isLeaf(node)) into.push(node);
  else if ('all' in node) node.all.forEach((child) => leaves(child, into));
  else if ('any' in node) node.any.forEach((child) => leaves(child, into));
  else leaves(node.not, into);
  return into;
}

/** The distinct words each text is searched for, by fact and case; each becomes a scan once there are enough. */
function keywordsByText(rules: readonly CompiledRule[]): Map<string, Map<string, number>> {
  const texts = new Map<string, Map<string, number>>();
  for (const rule of rules)
    for (const leaf of leaves(rule.conditions)) {
      const lowered = keywordOperators[leaf.operator];
      if (lowered === undefined) continue;
      const key = `${referenceKey(leaf)}\u0000${lowered}`;
      let words = texts.get(key);
      if (!words) texts.set(key, (words = new Map()));
      for (const word of (Array.isArray(leaf.value) ? leaf.value : [leaf.value]) as string[]) {
        const text = lowered ? word.toLowerCase() : word;
        if (!words.has(text)) words.set(text, words.size);
      }
    }
  return texts;
}

export function compileFastEvaluator(rules: readonly CompiledRule[], regexes: RegexLookup = regexLookup()): FastEvaluator {
  const constants: unknown[] = [];
  const constant = (value: unknown) => `K[${constants.push(value) - 1}]`;
  // This evaluator's regexes (`regexes` compiled them while checking the policy) live and die
  // with it, and so with its policy.
  interface Read {
    /** `referenceKey` of `reference`. */
    key: string;
    variable: string;
    lower?: string;
    number?: string;
    reference: FactReference;
  }
  const references = new Map<string, Read>();
  let used = new Set<string>();
  // Variables (facts read, numbers) the chunk being generated takes as parameters.
  let parameters = new Set<string>();
  const read = (reference: FactReference): Read => {
    const key = referenceKey(reference);
    let entry = references.get(key);
    if (!entry) references.set(key, (entry = { key, variable: `V${references.size}`, reference }));
    used.add(key);
    parameters.add(entry.variable);
    return entry;
  };
  const isReference = (value: unknown): value is FactReference => value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value;
  const numberOfRead = (entry: Read) => {
    entry.number ??= `N${entry.variable.slice(1)}`;
    parameters.add(entry.number);
    return entry.number;
  };
  // Per-decision caches (lowercased texts, scan results) live on one object `s` of class State.
  const stateFields: string[] = [];
  const lowerField = (entry: Read) => {
    if (!entry.lower) stateFields.push((entry.lower = `L${entry.variable.slice(1)}`));
    return entry.lower;
  };
  const lowerOfRead = (entry: Read) => `(s.${lowerField(entry)} ??= lowerOf(${entry.variable}))`;
  // Shared scans: the words of every keyword test on one text, found in one pass.
  const scanners: string[] = [];
  const scans = new Map<string, { words: Map<string, number>; helper?: string }>();
  for (const [key, words] of keywordsByText(rules)) if (words.size >= sharedScanFromWords) scans.set(key, { words });
  const scanHelper = (entry: Read, lowered: boolean) => {
    const scan = scans.get(`${entry.key}\u0000${lowered}`)!;
    if (!scan.helper) {
      const name = `S${scanners.length}`;
      stateFields.push(name);
      const matcher = constant(new KeywordScan([...scan.words.keys()]));
      const text = lowered ? `(s.${lowerField(entry)} ??= lowerOf(v))` : 'v';
      // Wn(s, v, list, all): whether text v holds any (or all) of the words at indexes `list`.
      scanners.push(
        [
          `function W${scanners.length}(s, v, list, all) {`,
          `  const generation = s.${name} ??= ${matcher}.scan(${text});`,
          `  const found = ${matcher}.found;`,
          '  for (let i = 0; i < list.length; i++) if ((found[list[i]] === generation) !== all) return !all;',
          '  return all;',
          '}',
        ].join('\n'),
      );
      scan.helper = `W${scanners.length - 1}`;
    }
    return scan;
  };
  /** The fast evaluator's keyword test: an `includes` per word, or the text's shared scan. */
  const containsSource = (entry: Read, words: readonly string[], lowered: boolean, join: 'any' | 'all') => {
    if (words.length === 0) return join === 'any' ? 'false' : 'true';
    if (!scans.has(`${entry.key}\u0000${lowered}`)) {
      const text = lowered ? lowerOfRead(entry) : entry.variable;
      return `(${words.map((word) => `${text}.includes(${JSON.stringify(word)})`).join(join === 'any' ? ' || ' : ' && ')})`;
    }
    const { helper, words: indexes } = scanHelper(entry, lowered);
    return `${helper}(s, ${entry.variable}, ${constant(Int32Array.from(words, (word) => indexes.get(word)!))}, ${join === 'all'})`;
  };

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
    else if (node.operator === 'textMatches') {
      // A pattern that runs natively at every length is tested by its RegExp itself (stateless:
      // the g and y flags are refused), without the choice of engine on each call.
      const regex = regexes(value as { pattern: string; flags: string });
      valueSource = constant(regex.nativeLimit === Infinity ? regex.native : regex);
    }
    else if (node.operator.endsWith('IgnoreCase') && typeof value === 'string') valueSource = JSON.stringify(value.toLowerCase());
    else valueSource = JSON.stringify(value);
    const context: SourceContext = {
      fact: fact.variable,
      value: valueSource,
      literal: right ? undefined : value,
      lower: () => lowerOfRead(fact),
      number: () => numberOfRead(fact),
      ...(right ? { valueNumber: () => numberOfRead(right) } : {}),
      contains: (words, lowered, join) => containsSource(fact, words, lowered, join),
    };
    if (collectGuards) {
      for (const side of guardSides) {
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
    if (node.params) fields.push(`params: ${constant(node.params)}`);
    fields.push(`operator: ${JSON.stringify(node.operator)}`, `value: ${constant(node.value)}`, `factResult: ${read(node).variable}`);
    if (isReference(node.value)) fields.push(`valueResult: ${read(node.value).variable}`);
    fields.push(`result: ${test(node)}`);
    return `{ ${fields.join(', ')} }`;
  };

  // Rules in chunks, each its own function taking the values its rules read.
  const chunks: string[] = [];
  const calls: string[] = [];
  // A policy of one chunk tests its rules in firstFiring itself: one call fewer per decision.
  const inlineTests: string[] = [];
  for (let from = 0; from < rules.length; from += rulesPerChunk) {
    parameters = new Set();
    const tests = rules.slice(from, from + rulesPerChunk).map((each, offset) => {
      rule = each.name;
      return `  if (${expression(each.conditions)}) return ${from + offset};`;
    });
    const name = `C${chunks.length}`;
    const list = ['s', ...parameters].join(', ');
    chunks.push([`function ${name}(${list}) {`, ...tests, '  return -1;', '}'].join('\n'));
    calls.push(`  if ((r = ${name}(${list})) !== -1) return r;`);
    if (rules.length <= rulesPerChunk) inlineTests.push(...tests);
  }
  collectGuards = false;
  const reads = (keys: Iterable<string>) =>
    [...keys].map((key) => {
      const { variable, number, reference } = references.get(key)!;
      // Facts are own properties; a name Object.prototype also has must not find its member.
      const name = JSON.stringify(reference.fact);
      let root = reference.fact in Object.prototype ? `(hasOwn(f, ${name}) ? f[${name}] : undefined)` : `f[${name}]`;
      if (parameterFacts.has(reference.fact)) root = `P(${name}, ${root}, ${constant(reference.params)})`;
      const valueSource = reference.path ? `readPath(${root}, ${constant(Object.freeze(pathKeys(reference.path)))})` : root;
      const numeric = number ? ` const ${number} = typeof ${variable} === "number" ? ${variable} : numberOf(${variable});` : '';
      return `  const ${variable} = ${valueSource};${numeric}`;
    });
  const evaluateReads = reads(references.keys());
  const body = [
    '"use strict";',
    `function State() { ${stateFields.map((field) => `this.${field} = null;`).join(' ')} }`,
    ...scanners,
    ...(inlineTests.length ? [] : chunks),
    'function firstFiring(f) {',
    ...evaluateReads,
    ...guardLines,
    '  const s = new State();',
    ...(inlineTests.length ? inlineTests : ['  let r;', ...calls]),
    '  return -1;',
    '}',
    `return { firstFiring, State, scanners: [${scanners.map((_, index) => `W${index}`).join(', ')}] };`,
  ].join('\n');
  const mistyped = (index: number, side: 'fact' | 'value', factValue: unknown, rightValue: unknown) => {
    const { rule, leaf } = guardOwners[index]!;
    throw mistypedValue(rule, leaf, side, factValue, rightValue);
  };
  const helpers = { hasOwn: Object.hasOwn, readPath, numberOf, comparable, sameValue, lowerOf, pathTest, P: parameterFactValue, M: mistyped, R: runtime };
  const compiled = new Function('K', ...Object.keys(helpers), body)(constants, ...Object.values(helpers)) as {
    firstFiring: FastEvaluator['firstFiring'];
    State: unknown;
    scanners: unknown[];
  };
  // A rule's trace is compiled the first time it is asked for: most rules never decide, and
  // compiling them all up front would double the work of loading a large policy.
  const traces: Array<((facts: Record<string, unknown>) => TraceNode) | undefined> = [];
  const traceOf = (index: number) => {
    used = new Set();
    const expression = traceExpression(rules[index]!.conditions);
    const source = ['"use strict";', 'return function trace(f) {', ...reads(used), '  const s = new State();', `  return ${expression};`, '};'].join('\n');
    const scanNames = compiled.scanners.map((_, i) => `W${i}`);
    return new Function('K', ...Object.keys(helpers), 'State', ...scanNames, source)(constants, ...Object.values(helpers), compiled.State, ...compiled.scanners) as (facts: Record<string, unknown>) => TraceNode;
  };
  return {
    firstFiring: compiled.firstFiring,
    trace: (facts, index) => (traces[index] ??= traceOf(index))(facts),
  };
}

