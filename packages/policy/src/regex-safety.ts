// What a regular expression's shape says about its running time on a backtracking engine.

/** A pattern read token by token: enough structure to find groups, alternatives and repetition. */
interface Token {
  kind: 'escape' | 'class' | 'open' | 'close' | 'alternative' | 'quantifier' | 'char';
  text: string;
  /** For quantifiers: whether the repetition has no upper bound (`*`, `+`, `{n,}`). */
  unbounded?: boolean;
  /** For quantifiers: whether it repeats at all (`?`, `{0,1}`, `{1}` do not). */
  repeats?: boolean;
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; ) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      tokens.push({ kind: 'escape', text: pattern.slice(i, i + 2) });
      i += 2;
    } else if (ch === '[') {
      let end = i + 1;
      if (pattern[end] === '^') end++;
      if (pattern[end] === ']') end++;
      while (end < pattern.length && pattern[end] !== ']') end += pattern[end] === '\\' ? 2 : 1;
      tokens.push({ kind: 'class', text: pattern.slice(i, end + 1) });
      i = end + 1;
    } else if (ch === '(') {
      const prefix = /^\((?:\?(?::|=|!|<=|<!|<[A-Za-z_][A-Za-z0-9_]*>))?/.exec(pattern.slice(i))![0];
      tokens.push({ kind: 'open', text: prefix });
      i += prefix.length;
    } else if (ch === ')') {
      tokens.push({ kind: 'close', text: ch });
      i++;
    } else if (ch === '|') {
      tokens.push({ kind: 'alternative', text: ch });
      i++;
    } else if (ch === '*' || ch === '+' || ch === '?') {
      const lazy = pattern[i + 1] === '?' ? '?' : '';
      tokens.push({ kind: 'quantifier', text: ch + lazy, unbounded: ch !== '?', repeats: ch !== '?' });
      i += 1 + lazy.length;
    } else {
      const braces = ch === '{' ? /^\{(\d+)(,(\d*))?\}\??/.exec(pattern.slice(i)) : null;
      if (braces) {
        const [text, min, comma, max] = braces;
        const unbounded = comma !== undefined && max === '';
        const upper = unbounded ? Infinity : Number(max ?? min);
        tokens.push({ kind: 'quantifier', text, unbounded, repeats: upper > 1 });
        i += text.length;
      } else {
        tokens.push({ kind: 'char', text: ch });
        i++;
      }
    }
  }
  return tokens;
}

/** Each group's tokens (without its parentheses) and the quantifier that follows it, if any. */
function groups(tokens: Token[]): Array<{ body: Token[]; quantifier?: Token }> {
  const found: Array<{ body: Token[]; quantifier?: Token }> = [];
  const starts: number[] = [];
  tokens.forEach((token, index) => {
    if (token.kind === 'open') starts.push(index);
    if (token.kind === 'close') {
      const start = starts.pop() ?? -1;
      const next = tokens[index + 1];
      found.push({ body: tokens.slice(start + 1, index), ...(next?.kind === 'quantifier' ? { quantifier: next } : {}) });
    }
  });
  return found;
}

/** The top-level alternatives of a group's body. */
function alternatives(body: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of body) {
    if (token.kind === 'open') depth++;
    if (token.kind === 'close') depth--;
    if (token.kind === 'alternative' && depth === 0) parts.push([]);
    else parts[parts.length - 1]!.push(token);
  }
  return parts;
}

/** The literal first character an alternative must start with, or undefined when it can vary. */
function firstCharacter(alternative: Token[]): string | undefined {
  const first = alternative[0];
  if (!first || first.kind !== 'char' || first.text === '.' || first.text === '^' || first.text === '$') return undefined;
  return first.text.toLowerCase();
}

/**
 * Finds regular expressions that can backtrack catastrophically: a repeated group that itself
 * holds a repetition (`(a+)+`, `(\w*)*`), or a repeated group with alternatives that can match
 * the same text (`(a|a)*`, `(a|ab)+`). Returns a reason, or undefined when the shape is safe.
 */
export function findBacktrackingHazard(pattern: string): string | undefined {
  for (const { body, quantifier } of groups(tokenize(pattern))) {
    if (!quantifier?.unbounded) continue;
    const text = body.map((token) => token.text).join('');
    if (body.some((token) => token.kind === 'quantifier' && token.repeats)) return `the group (${text}) is repeated and repeats inside too, which can take exponential time`;
    const firsts = alternatives(body).map(firstCharacter);
    for (let a = 0; a < firsts.length; a++)
      for (let b = a + 1; b < firsts.length; b++)
        if (firsts[a] === undefined || firsts[b] === undefined || firsts[a] === firsts[b])
          return `the repeated group (${text}) has alternatives that can match the same text, which can take exponential time`;
  }
  return undefined;
}

/** A pattern's shape, enough to bound a backtracking engine's work from one position. */
type Shape =
  | { kind: 'atom'; first?: string; text: string }
  | { kind: 'assertion' }
  | { kind: 'sequence'; items: Shape[] }
  | { kind: 'alternation'; items: Shape[] }
  | { kind: 'repeat'; body: Shape; min: number; max: number; bounded?: true };

/** Deeper groups than this are not analysed: such a pattern runs on the linear engine. */
const deepestAnalysis = 100;

function bounds(quantifier: string): { min: number; max: number } {
  const text = quantifier.replace(/\?$/, '') || '?';
  if (text === '*') return { min: 0, max: Infinity };
  if (text === '+') return { min: 1, max: Infinity };
  if (text === '?') return { min: 0, max: 1 };
  const [, min, comma, max] = /^\{(\d+)(,(\d*))?\}$/.exec(text)!;
  return { min: Number(min), max: comma === undefined ? Number(min) : max === '' ? Infinity : Number(max) };
}

/** Reads tokens into a shape; undefined when groups nest deeper than is worth analysing. */
function shapeOf(tokens: Token[]): Shape | undefined {
  let at = 0;
  const alternation = (depth: number): Shape | undefined => {
    if (depth > deepestAnalysis) return undefined;
    const items: Shape[] = [];
    let sequence: Shape[] = [];
    while (at < tokens.length && tokens[at]!.kind !== 'close') {
      const token = tokens[at++]!;
      if (token.kind === 'alternative') {
        items.push({ kind: 'sequence', items: sequence });
        sequence = [];
      } else if (token.kind === 'quantifier') {
        const body = sequence.pop() ?? { kind: 'assertion' };
        sequence.push({ kind: 'repeat', body, ...bounds(token.text) });
      } else if (token.kind === 'open') {
        const inner = alternation(depth + 1);
        if (!inner) return undefined;
        at++; // the closing parenthesis
        sequence.push(token.text.startsWith('(?=') || token.text.startsWith('(?!') || token.text.startsWith('(?<=') || token.text.startsWith('(?<!') ? { kind: 'assertion' } : inner);
      } else if (token.kind === 'escape' && /^\\[bB]$/.test(token.text)) sequence.push({ kind: 'assertion' });
      else if (token.kind === 'char' && (token.text === '^' || token.text === '$')) sequence.push({ kind: 'assertion' });
      else if (token.kind === 'char' && token.text !== '.') sequence.push({ kind: 'atom', first: token.text.toLowerCase(), text: token.text });
      else sequence.push({ kind: 'atom', text: token.text });
    }
    items.push({ kind: 'sequence', items: sequence });
    return items.length === 1 ? items[0] : { kind: 'alternation', items };
  };
  return alternation(0);
}

/**
 * Whether a pattern can match the empty text without passing an assertion (`a*`, `(x)?`, `a|`):
 * then it matches at the start of every text, and a test with it holds on any text. Anchors and
 * `\b` count as failing, so `^$` (empty text only) and `\b` are not such patterns.
 *
 * @example
 * matchesEmptyEverywhere('ERROR:\\s*\\w*'); // false
 * matchesEmptyEverywhere('(ERROR)?'); // true
 */
export function matchesEmptyEverywhere(pattern: string): boolean {
  const shape = shapeOf(tokenize(pattern));
  return shape !== undefined && nullable(shape);
}

function nullable(shape: Shape): boolean {
  switch (shape.kind) {
    case 'atom':
    case 'assertion':
      return false;
    case 'sequence':
      return shape.items.every(nullable);
    case 'alternation':
      return shape.items.some(nullable);
    case 'repeat':
      return shape.min === 0 || nullable(shape.body);
  }
}

/** Numbers past this are all "too many"; keeps the arithmetic finite. */
const many = 1e15;
const capped = (value: number) => Math.min(value, many);

interface Cost {
  /** Steps a backtracking engine may take from one start position (each unbounded repetition counted as one pass). */
  work: number;
  /** Distinct ways to finish, each of which the rest of the pattern may be retried after. */
  ends: number;
  /** Unbounded repetitions, each able to multiply the work by the text's length. */
  unbounded: number;
  first?: string;
}

function firstOf(shape: Shape): string | undefined {
  if (shape.kind === 'atom') return shape.first;
  if (shape.kind === 'sequence') return shape.items[0] ? firstOf(shape.items[0]) : undefined;
  if (shape.kind === 'repeat') return shape.min > 0 ? firstOf(shape.body) : undefined;
  return undefined;
}

function costOf(shape: Shape): Cost {
  switch (shape.kind) {
    case 'atom':
    case 'assertion':
      return { work: 1, ends: 1, unbounded: 0 };
    case 'sequence':
      return shape.items.map(costOf).reduce<Cost>(
        (sum, next) => ({ work: capped(sum.work + sum.ends * next.work), ends: capped(sum.ends * next.ends), unbounded: sum.unbounded + next.unbounded }),
        { work: 0, ends: 1, unbounded: 0 },
      );
    case 'alternation': {
      const costs = shape.items.map(costOf);
      const firsts = shape.items.map(firstOf);
      // Alternatives that start with different letters cannot both match at one place.
      const exclusive = firsts.every((first, index) => first !== undefined && firsts.indexOf(first) === index);
      return {
        work: capped(costs.reduce((sum, cost) => sum + cost.work, 0)),
        ends: capped(exclusive ? Math.max(...costs.map((cost) => cost.ends)) : costs.reduce((sum, cost) => sum + cost.ends, 0)),
        unbounded: costs.reduce((sum, cost) => sum + cost.unbounded, 0),
      };
    }
    case 'repeat': {
      const body = costOf(shape.body);
      const counted = Number.isFinite(shape.max) ? shape.max : Math.max(shape.min, 1);
      let work = 0;
      let ends = 0;
      let reaching = 1;
      for (let count = 1; count <= counted && work < many; count++) {
        work = capped(work + reaching * body.work);
        reaching = capped(reaching * body.ends);
        if (count >= shape.min) ends = capped(ends + reaching);
      }
      if (shape.min === 0) ends = capped(ends + 1);
      const unbounded = capped(body.unbounded * counted + (Number.isFinite(shape.max) || shape.bounded ? 0 : 1));
      return { work: Math.max(work, 1), ends: Math.max(ends, 1), unbounded };
    }
  }
}

/** The literal characters a shape must end with (its own case), or undefined when it can vary. */
function lastCharacters(shape: Shape): string[] | undefined {
  switch (shape.kind) {
    case 'atom': {
      if (/^[^\\.[^$]$/.test(shape.text)) return [shape.text];
      return /^\\[^A-Za-z0-9]$/.test(shape.text) ? [shape.text[1]!] : undefined;
    }
    case 'assertion':
      return undefined;
    case 'sequence': {
      const last = shape.items[shape.items.length - 1];
      return last ? lastCharacters(last) : undefined;
    }
    case 'alternation': {
      const all: string[] = [];
      for (const item of shape.items) {
        const chars = lastCharacters(item);
        if (!chars) return undefined;
        all.push(...chars);
      }
      return all;
    }
    case 'repeat':
      return shape.min > 0 ? lastCharacters(shape.body) : undefined;
  }
}

/** Whether an unbounded repetition repeats one character set none of `before` belongs to. */
function separatedFrom(repeat: Extract<Shape, { kind: 'repeat' }>, before: Shape, flags: string): boolean {
  if (repeat.body.kind !== 'atom') return false;
  const chars = lastCharacters(before);
  if (!chars) return false;
  let set: RegExp;
  try {
    set = new RegExp(`^(?:${repeat.body.text})$`, flags.replace(/[gy]/g, ''));
  } catch {
    return false;
  }
  return chars.every((ch) => !set.test(ch));
}

/**
 * Marks unbounded repetitions that cannot make a backtracking engine super-linear:
 * - one character set right after characters outside it (`key\s*[:=]`): the runs it reads
 *   from different start positions never overlap, and giving characters back fails at once;
 * - one at the very end of the pattern (`ERROR:\s+\w+`): reaching it is a match, so it reads
 *   its run once and nothing is retried.
 */
function markBoundedRepetitions(shape: Shape, flags: string, atEnd: boolean): void {
  if (shape.kind === 'alternation') return shape.items.forEach((item) => markBoundedRepetitions(item, flags, atEnd));
  if (shape.kind === 'repeat') return markBoundedRepetitions(shape.body, flags, false);
  if (shape.kind !== 'sequence') return;
  shape.items.forEach((item, index) => {
    const last = index === shape.items.length - 1;
    if (item.kind === 'repeat' && !Number.isFinite(item.max)) {
      const before = shape.items[index - 1];
      if ((before && separatedFrom(item, before, flags)) || (atEnd && last && costOf(item.body).unbounded === 0)) item.bounded = true;
    }
    markBoundedRepetitions(item, flags, atEnd && last);
  });
}

/** Where a policy regex runs, and why. */
export interface EngineChoice {
  /** Longest text the backtracking engine gets: Infinity, `nativeRegexLimit`, or 0 (always linear). */
  nativeLimit: number;
  reason: string;
}

/** Most steps from one position for the backtracking engine at every length, and up to 4096 characters. */
const boundedWork = 1000;
const shortWork = 100;

/**
 * Chooses the engine for a pattern from the work a backtracking engine could do on it: with no
 * unbounded repetition (apart from those `markBoundedRepetitions` finds harmless) and bounded
 * work from each position, it is linear on JavaScript's engine at any length; with one unbounded repetition and little ambiguity, it is at most quadratic, so
 * fine on short texts; anything else (`.*a.*`, `(a|aa){1,40}`, `(a|a){25}`) runs on the linear
 * engine at every length.
 *
 * @example
 * chooseEngine('ERROR:|Traceback', 4096).nativeLimit; // Infinity
 * chooseEngine('(api[_-]?key|password)\\s*[:=]', 4096, 'i').nativeLimit; // Infinity
 * chooseEngine('.*foo', 4096).nativeLimit; // 4096
 * chooseEngine('(a|aa){1,40}c', 4096).nativeLimit; // 0
 */
export function chooseEngine(pattern: string, shortLimit: number, flags = ''): EngineChoice {
  const shape = shapeOf(tokenize(pattern));
  if (!shape) return { nativeLimit: 0, reason: 'groups nest too deeply to bound backtracking: linear engine' };
  markBoundedRepetitions(shape, flags, true);
  const { work, unbounded } = costOf(shape);
  if (unbounded === 0 && work <= boundedWork) return { nativeLimit: Infinity, reason: `at most ${work} steps from each position: backtracking engine at every length` };
  if (unbounded === 1 && work <= shortWork) return { nativeLimit: shortLimit, reason: `one unbounded repetition: backtracking engine up to ${shortLimit} characters, linear engine beyond` };
  return {
    nativeLimit: 0,
    reason: unbounded > 1 ? `${unbounded} unbounded repetitions could backtrack polynomially: linear engine` : 'ambiguous repetition could backtrack exponentially: linear engine',
  };
}
