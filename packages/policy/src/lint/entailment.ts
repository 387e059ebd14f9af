// What a set of tests that all hold says about one more test: it must hold, it cannot hold, or
// lint cannot tell (undefined). Every answer is sound; "cannot tell" is the answer for anything
// lint does not understand, so an operator added later never yields a finding by mistake.
//
// A decision in which any test meets a value of the wrong type fails closed whichever rule would
// have decided (docs: "Values of the wrong type"), so when a rule decides, every test saw a value
// it can take: a test that could only see a value of the wrong type counts as not holding.
import type { LeafCondition } from '../document.js';
import { mistypedSide, numberOf, operators, regexLookup } from '../operators.js';
import type { Atom, Literal } from './terms.js';

const regexes = regexLookup();

const isReference = (value: unknown) => value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value;
const isNumberText = (value: unknown) => typeof value === 'string' && !Number.isNaN(numberOf(value));
const numericOperators = new Set(['numberAbove', 'numberAtLeast', 'numberBelow', 'numberAtMost']);

/**
 * The operators whose meaning lint reasons with: each is false on an absent value. An operator
 * added later is not among them until someone checks that it fits what is assumed here.
 */
const understood = new Set([
  'textContains', 'textContainsIgnoreCase', 'textContainsAny', 'textContainsAnyIgnoreCase', 'textContainsAll', 'textContainsAllIgnoreCase',
  'textStartsWith', 'textStartsWithIgnoreCase', 'textEndsWith', 'textEndsWithIgnoreCase', 'textMatches', 'equals', 'equalsIgnoreCase', 'oneOf',
  'textOrListContains', 'listContains', 'numberAbove', 'numberAtLeast', 'numberBelow', 'numberAtMost', 'exists', 'everyNth',
]);

const knownLeaves = new WeakMap<Atom, LeafCondition | null>();

/** A test lint understands, with a literal on the right; anything else lint leaves alone. */
function known(atom: Atom): LeafCondition | undefined {
  let leaf = knownLeaves.get(atom);
  if (leaf === undefined) {
    const candidate = atom.leaf;
    leaf = candidate && understood.has(candidate.operator) && Object.hasOwn(operators, candidate.operator) && !isReference(candidate.value) ? candidate : null;
    knownLeaves.set(atom, leaf);
  }
  return leaf ?? undefined;
}

const byField = new WeakMap<readonly Literal[], Map<string | undefined, Literal[]>>();

/** The literals of `given` on one field, grouped once per list. */
function onField(given: readonly Literal[], field: string | undefined): readonly Literal[] {
  let groups = byField.get(given);
  if (!groups) {
    groups = new Map();
    for (const literal of given) {
      const group = groups.get(literal.atom.field);
      if (group) group.push(literal);
      else groups.set(literal.atom.field, [literal]);
    }
    byField.set(given, groups);
  }
  return groups.get(field) ?? [];
}

/**
 * Whether `leaf` holds when its field equals `pinned` (a literal of `==` or `in`): true, false,
 * or undefined when the values equal to `pinned` do not all agree.
 */
function holdsOnPinned(leaf: LeafCondition, pinned: unknown): boolean | undefined {
  const definition = operators[leaf.operator]!;
  // The values equal to a literal (see sameValue): itself; a number's text too when it is one.
  let values: unknown[];
  if (typeof pinned === 'boolean' || (typeof pinned === 'string' && !isNumberText(pinned))) values = [pinned];
  else if (typeof pinned === 'string') values = [pinned, numberOf(pinned)];
  // A number equals every text of it ("5", "5.0"): only number tests give them one answer.
  else if (typeof pinned === 'number' && definition.takes === 'number') values = [pinned];
  else return undefined;
  const results = values.map((value) => !mistypedSide(definition.takes, value, leaf.value, definition.value === 'scalars') && definition.holds(value, leaf.value, regexes));
  return results.every((result) => result === results[0]) ? results[0] : undefined;
}

/** The literals `==` or `in` allow for a field, or undefined when the test is not such. */
function pinnedValues(leaf: LeafCondition): unknown[] | undefined {
  if (leaf.operator === 'equals') return [leaf.value];
  if (leaf.operator === 'oneOf' && Array.isArray(leaf.value)) return leaf.value;
  return undefined;
}

interface Interval {
  low: number;
  lowOpen: boolean;
  high: number;
  highOpen: boolean;
}

const everything: Interval = { low: -Infinity, lowOpen: true, high: Infinity, highOpen: true };

/** The numbers a comparison with a literal allows (negated: the numbers it refuses). */
function intervalOf(leaf: LeafCondition, negated = false): Interval | undefined {
  if (!numericOperators.has(leaf.operator) || typeof leaf.value !== 'number') return undefined;
  const value = leaf.value;
  const operator = negated ? ({ numberAbove: 'numberAtMost', numberAtLeast: 'numberBelow', numberBelow: 'numberAtLeast', numberAtMost: 'numberAbove' } as const)[leaf.operator as 'numberAbove'] : leaf.operator;
  switch (operator) {
    case 'numberAbove':
      return { ...everything, low: value, lowOpen: true };
    case 'numberAtLeast':
      return { ...everything, low: value, lowOpen: false };
    case 'numberBelow':
      return { ...everything, high: value, highOpen: true };
    default:
      return { ...everything, high: value, highOpen: false };
  }
}

function intersect(a: Interval, b: Interval): Interval {
  const low = a.low > b.low ? a : a.low < b.low ? b : { low: a.low, lowOpen: a.lowOpen || b.lowOpen };
  const high = a.high < b.high ? a : a.high > b.high ? b : { high: a.high, highOpen: a.highOpen || b.highOpen };
  return { low: low.low, lowOpen: low.lowOpen, high: high.high, highOpen: high.highOpen };
}

const isEmpty = (i: Interval) => i.low > i.high || (i.low === i.high && (i.lowOpen || i.highOpen));
const within = (inner: Interval, outer: Interval) =>
  (inner.low > outer.low || (inner.low === outer.low && (inner.lowOpen || !outer.lowOpen))) &&
  (inner.high < outer.high || (inner.high === outer.high && (inner.highOpen || !outer.highOpen)));

/** Text tests lint compares: what the text must contain, start or end with, and in which case. */
function textTest(leaf: LeafCondition): { where: 'contains' | 'starts' | 'ends' | 'equals'; text: string; ignoreCase: boolean } | undefined {
  const match = /^(textContains|textStartsWith|textEndsWith|equals)(IgnoreCase)?$/.exec(leaf.operator);
  if (!match || typeof leaf.value !== 'string' || (match[1] === 'equals' && !match[2] && isNumberText(leaf.value))) return undefined;
  const where = ({ textContains: 'contains', textStartsWith: 'starts', textEndsWith: 'ends', equals: 'equals' } as const)[match[1] as 'equals'];
  return { where, text: leaf.value, ignoreCase: match[2] !== undefined };
}

/** Whether text known from `given` (that it contains, starts or ends with something) makes `wanted` hold. */
function textImplies(given: NonNullable<ReturnType<typeof textTest>>, wanted: NonNullable<ReturnType<typeof textTest>>): boolean {
  if (given.ignoreCase && !wanted.ignoreCase) return false;
  const fold = (text: string) => (wanted.ignoreCase ? text.toLowerCase() : text);
  const [known, sought] = [fold(given.text), fold(wanted.text)];
  switch (wanted.where) {
    case 'contains':
      return known.includes(sought);
    case 'starts':
      return (given.where === 'starts' || given.where === 'equals') && known.startsWith(sought);
    case 'ends':
      return (given.where === 'ends' || given.where === 'equals') && known.endsWith(sought);
    case 'equals':
      return given.where === 'equals' && known === sought;
  }
}

/** Whether two prefixes (or two suffixes) in the same case cannot both be those of one text. */
function textConflicts(a: NonNullable<ReturnType<typeof textTest>>, b: NonNullable<ReturnType<typeof textTest>>): boolean {
  if (a.where !== b.where || a.ignoreCase !== b.ignoreCase || (a.where !== 'starts' && a.where !== 'ends')) return false;
  const [x, y] = a.ignoreCase ? [a.text.toLowerCase(), b.text.toLowerCase()] : [a.text, b.text];
  return a.where === 'starts' ? !x.startsWith(y) && !y.startsWith(x) : !x.endsWith(y) && !y.endsWith(x);
}

/** Whether a literal on a field says the field is present (every known test but `not …` is false on an absent value). */
const presentBy = (literal: Literal) => !literal.negated && known(literal.atom) !== undefined;
const absentBy = (literal: Literal) => literal.negated && literal.atom.leaf?.operator === 'exists' && literal.atom.leaf.value === true;

/** Whether `literal` may hold when the field equals `value`: false only when it surely cannot. */
function mayHoldOnPinned(literal: Literal, value: unknown): boolean {
  const leaf = known(literal.atom);
  if (!leaf) return true;
  const result = holdsOnPinned(leaf, value);
  return result === undefined || result !== literal.negated;
}

/**
 * Whether `target` holds whenever every literal of `given` holds: true (it must), false (it
 * cannot), or undefined (lint cannot tell).
 *
 * @example
 * // given `amount > 100`, the test `amount > 50` must hold and `amount < 5` cannot
 */
export function entailed(target: Atom, given: readonly Literal[]): boolean | undefined {
  const same = onField(given, target.field);
  // Equal keys mean one field (or, for atoms that are not one leaf, none).
  for (const literal of same) if (literal.atom.key === target.key) return !literal.negated;
  const leaf = known(target);
  if (!leaf || !same.length) return undefined;

  if (leaf.operator === 'exists' && leaf.value === true) return same.some(presentBy) ? true : undefined;
  if (same.some(absentBy)) return false;

  // Values the field may equal, from `==` and `in` among the given tests, each checked against the others.
  const pinning = same.find((literal) => !literal.negated && known(literal.atom) && pinnedValues(literal.atom.leaf!));
  if (pinning) {
    const candidates = pinnedValues(pinning.atom.leaf!)!.filter((value) => same.every((literal) => literal === pinning || mayHoldOnPinned(literal, value)));
    if (candidates.length) {
      const results = candidates.map((value) => holdsOnPinned(leaf, value));
      if (results.every((result) => result === true)) return true;
      if (results.every((result) => result === false)) return false;
    }
  }
  // The target itself pins the field: it cannot hold when none of its values fits the given tests.
  const own = pinnedValues(leaf);
  if (own && own.every((value) => !same.every((literal) => mayHoldOnPinned(literal, value)))) return false;

  const wanted = intervalOf(leaf);
  if (wanted) {
    const bounds = same.filter((literal) => !literal.negated).map((literal) => known(literal.atom) && intervalOf(literal.atom.leaf!));
    if (bounds.some(Boolean)) {
      // With one comparison holding, the value is a number, so a negated comparison bounds it too.
      let allowed = everything;
      for (const literal of same) {
        const interval = known(literal.atom) && intervalOf(literal.atom.leaf!, literal.negated);
        if (interval) allowed = intersect(allowed, interval);
      }
      if (!isEmpty(allowed) && within(allowed, wanted)) return true;
      if (isEmpty(intersect(allowed, wanted))) return false;
    }
  }

  const text = textTest(leaf);
  if (text) {
    for (const literal of same) {
      const other = !literal.negated && known(literal.atom) ? textTest(literal.atom.leaf!) : undefined;
      if (!other) continue;
      if (textImplies(other, text)) return true;
      if (textConflicts(other, text)) return false;
    }
  }
  return undefined;
}
