// "Did you mean": the known name nearest to a mistyped one. Used wherever a name is looked up in a
// table (facts, fields, modes, counters, types, tools' arguments), where the grammar expects a
// word, and for the CLI's commands and options, so every new name gets suggestions without a
// special case.

/**
 * Edits between two words: insertions, deletions, substitutions and swaps of two neighbours
 * (`contnet` is one edit from `content`). Stops early once `limit` is exceeded.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let twoBack: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, twoBack[j - 2]! + 1);
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    twoBack = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known name closest to `word`, when it is close enough to be a slip of the keyboard: one edit
 * for short names, one edit per three letters for longer ones; case is ignored. Undefined when
 * nothing is that close, or when two names are equally close.
 *
 * @example
 * closest('steps', ['step', 'elapsed']); // 'step'
 * closest('banana', ['step', 'elapsed']); // undefined
 */
export function closest(word: string, known: Iterable<string>): string | undefined {
  const wanted = word.toLowerCase();
  const limit = Math.max(1, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  let tie = false;
  for (const name of new Set(known)) {
    if (name === word) continue;
    const distance = editDistance(wanted, name.toLowerCase(), limit);
    if (distance < bestDistance) [best, bestDistance, tie] = [name, distance, false];
    else if (distance === bestDistance && distance <= limit) tie = true;
  }
  return best !== undefined && !tie ? best : undefined;
}

/**
 * `did you mean "step"?` for the closest known name, or undefined.
 *
 * @example
 * didYouMean('steps', ['step']); // 'did you mean "step"?'
 */
export function didYouMean(word: string, known: Iterable<string>): string | undefined {
  const name = closest(word, known);
  return name === undefined ? undefined : `did you mean "${name}"?`;
}
