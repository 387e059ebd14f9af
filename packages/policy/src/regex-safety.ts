/**
 * Finds regular expressions that can backtrack catastrophically: a quantified group that itself
 * contains a quantifier (`(a+)+`, `(\w*)*`), or a quantified group with alternatives that can match
 * the same text (`(a|a)*`, `(a|ab)+`). Returns a reason, or undefined when the pattern is safe.
 */
export function findBacktrackingHazard(pattern: string): string | undefined {
  let i = 0;
  const groupOpen: number[] = [];
  const bodies: Array<{ start: number; end: number }> = [];
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === '[') {
      i = skipClass(pattern, i);
      continue;
    }
    if (ch === '(') groupOpen.push(i);
    if (ch === ')') {
      const start = groupOpen.pop();
      if (start !== undefined) bodies.push({ start, end: i });
    }
    i++;
  }
  for (const { start, end } of bodies) {
    if (!isQuantifier(pattern, end + 1)) continue;
    const body = pattern.slice(start + 1, end).replace(/^\?(?::|=|!|<=|<!|<[A-Za-z_][A-Za-z0-9_]*>)/, '');
    if (containsQuantifier(body)) return `the group (${body}) is repeated and repeats inside too, which can take exponential time`;
    const alternatives = splitTopLevel(body);
    if (alternatives.length > 1) {
      const firsts = alternatives.map(firstAtom);
      for (let a = 0; a < firsts.length; a++)
        for (let b = a + 1; b < firsts.length; b++)
          if (firsts[a] === undefined || firsts[b] === undefined || firsts[a] === firsts[b])
            return `the repeated group (${body}) has alternatives that can match the same text, which can take exponential time`;
    }
  }
  return undefined;
}

function skipClass(pattern: string, at: number): number {
  let i = at + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}

function isQuantifier(pattern: string, at: number): boolean {
  const ch = pattern[at];
  if (ch === '*' || ch === '+') return true;
  if (ch === '{') return /^\{\d+(,\d*)?\}/.test(pattern.slice(at)) && !/^\{(\d+)(,\1)?\}/.test(pattern.slice(at)) && !/^\{[01](,1)?\}/.test(pattern.slice(at));
  return false;
}

function containsQuantifier(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '[') {
      i = skipClass(body, i) - 1;
      continue;
    }
    if (isQuantifier(body, i)) return true;
  }
  return false;
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let last = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '[') {
      i = skipClass(body, i) - 1;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) {
      parts.push(body.slice(last, i));
      last = i + 1;
    }
  }
  parts.push(body.slice(last));
  return parts;
}

/** The literal first character an alternative must start with, or undefined when it can vary. */
function firstAtom(alternative: string): string | undefined {
  const ch = alternative[0];
  if (ch === undefined || '([.\\^$'.includes(ch)) return undefined;
  return ch.toLowerCase();
}

/**
 * How many unbounded quantifiers (`*`, `+`, `{n,}`) a pattern has, counting a bounded repetition
 * of a group that holds one as two. Each can multiply the work of a backtracking engine by the
 * text's length, so a pattern with more than one runs on the linear engine whatever the length.
 */
export function unboundedQuantifiers(pattern: string): number {
  let count = 0;
  const groupStart: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '[') {
      i = skipClass(pattern, i) - 1;
      continue;
    }
    if (ch === '(') groupStart.push(i);
    if (ch === ')') {
      const start = groupStart.pop() ?? 0;
      const next = pattern[i + 1];
      if ((next === '?' || next === '{') && containsUnbounded(pattern.slice(start + 1, i))) count += 2;
    }
    if (ch === '*' || ch === '+' || (ch === '{' && /^\{\d+,\}/.test(pattern.slice(i)))) count++;
  }
  return count;
}

function containsUnbounded(body: string): boolean {
  return unboundedQuantifiers(body) > 0;
}
