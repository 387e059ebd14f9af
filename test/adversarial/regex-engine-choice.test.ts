// Patterns the engine choice leaves on JavaScript's backtracking engine at every length must
// stay linear there on hostile text: generated patterns whose unbounded repetitions follow
// characters outside their set (`key\s*[:=]`) or end the pattern (`ERROR:\s+\w+`), on texts of
// long runs of what those repetitions read. Time is compared between 16× longer texts (a
// quadratic pattern takes 256× as long, a linear one 16×); the best of three runs each, and a
// wide margin, so a loaded machine does not decide. HANDRAIL_FUZZ_RUNS multiplies the patterns.
import { describe, expect, it } from 'vitest';
import { chooseEngine } from '../../packages/policy/src/regex-safety.js';
import { nativeRegexLimit } from '../../packages/policy/src/policy-regex.js';
import { fuzzRuns } from './fuzz-runs.js';


function patterns(): string[] {
  const prefixes = ['key', '(api[_-]?key|password)', 'E1RROR:', '\\b(token|secret)', 'a', '[xy]', '='];
  const sets = ['\\s', '\\w', '\\d', '[a-z]', '[^:]', '.', ' '];
  const quantifiers = ['*', '+', '{2,}', '*?'];
  const suffixes = ['', '[:=]', 'b', '\\s*\\S+', 'x$', '(y|z)'];
  let seed = 11;
  const pick = <T>(items: readonly T[]) => items[(seed = (seed * 1103515245 + 12345) % 2147483648) % items.length]!;
  const found = new Set<string>();
  for (let i = 0; i < fuzzRuns(400); i++) found.add(`${pick(prefixes)}${pick(sets)}${pick(quantifiers)}${pick(suffixes)}`);
  return [...found].filter((pattern) => chooseEngine(pattern, nativeRegexLimit).nativeLimit === Infinity);
}

/** Texts of runs each part of the pattern could read: its literal characters, spaces, letters, digits. */
function attacks(pattern: string, length: number): string[] {
  const literal = pattern.replace(/\\[a-zA-Z]|[\\()[\]|?*+{}^$]/g, '').replace(/\d+,/g, '') || 'a';
  const unit = `${literal}${' '.repeat(40)}${'a'.repeat(40)}${'1'.repeat(40)}`;
  return [literal.repeat(length / literal.length), unit.repeat(Math.ceil(length / unit.length)).slice(0, length), `${literal}${' '.repeat(length)}!`, `${literal}${'a'.repeat(length)}!`];
}

function bestOfThree(regex: RegExp, text: string): number {
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    regex.test(text);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe('patterns chosen for the backtracking engine at every length', () => {
  it('take time that grows linearly with hostile text', () => {
    const chosen = patterns();
    expect(chosen.length).toBeGreaterThan(30);
    for (const pattern of chosen) {
      const regex = new RegExp(pattern);
      for (const [index, short] of attacks(pattern, 25_000).entries()) {
        const long = attacks(pattern, 400_000)[index]!;
        const shortMs = bestOfThree(regex, short);
        const longMs = bestOfThree(regex, long);
        // Below a millisecond the clock says little; above it, 16× the text may take at most 64×.
        if (longMs > 1) expect(longMs / Math.max(shortMs, 0.1), `${pattern} on text ${index}`).toBeLessThan(64);
      }
    }
  }, 300_000);
});
