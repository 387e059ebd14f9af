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

/**
 * How many unbounded repetitions (`*`, `+`, `{n,}`) a pattern has, counting a bounded repetition
 * of a group that holds one as two. Each can multiply a backtracking engine's work by the text's
 * length, so a pattern with more than one runs on the linear engine whatever the length.
 */
export function unboundedQuantifiers(pattern: string): number {
  const tokens = tokenize(pattern);
  let count = tokens.filter((token) => token.kind === 'quantifier' && token.unbounded).length;
  for (const { body, quantifier } of groups(tokens)) {
    if (quantifier && !quantifier.unbounded && body.some((token) => token.kind === 'quantifier' && token.unbounded)) count += 2;
  }
  return count;
}
