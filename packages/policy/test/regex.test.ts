import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../../test/adversarial/fuzz-runs.js';
import { findBacktrackingHazard } from '../src/regex-safety.js';
import { PolicyRegex } from '../src/policy-regex.js';
import { compilePolicy, regexEngines } from '../src/index.js';

describe('unsafe regexes', () => {
  it.each(['(a+)+b', '(a*)*', '(\\w+\\s?)*$', '(x|x)+', '(a|ab)*c', '(?:\\d+){2,}'])('refuses %s', (pattern) => {
    expect(findBacktrackingHazard(pattern)).toBeDefined();
  });
  it.each(['ERROR:|Traceback', '(a|b)*c', '\\d{3}-\\d{4}', '(ab)+', '[a+]+', '(?:api[_-]?key)\\s*[:=]', '(a){2}'])('accepts %s', (pattern) => {
    expect(findBacktrackingHazard(pattern)).toBeUndefined();
  });
});

describe('the two regex engines', () => {
  const patterns: Array<[string, string]> = [
    ['ERROR:|Traceback', ''],
    ['error', 'i'],
    ['^ok$', 'm'],
    ['^ok$', ''],
    ['a.c', ''],
    ['a.c', 's'],
    ['\\s+x', ''],
    ['[\\s,]x', ''],
    ['\\S+@\\S+', ''],
    ['\\bword\\b', 'i'],
    ['\\d{2,3}', ''],
    ['caf\\u00e9', 'i'],
    ['[^]x', ''],
    ['(?:api[_-]?key|password)\\s*[:=]', 'i'],
    ['^ok|x$', 'm'],
    ['(?:^|,)ok(?:$|,)', 'm'],
    ['sk', 'i'],
    ['sk', 'iu'],
    ['\\w+k', 'i'],
    ['[^a-z]+', 'i'],
    ['\\u{1F600}|\\u00e9', 'iu'],
  ];
  const alphabet = fc.constantFrom('a', 'b', 'c', 'x', 'o', 'k', ' ', '\t', '\n', '\r', '\u000b', '\u00a0', '\u2028', ',', '@', '1', '2', 'é', 'É', 'E', 'R', ':', '=', '_', '-', 'd', 'w', 'r', 'p', 's', 'S', 'K', '\u017f', '\u212a', '\u2029', '😀');
  const text = fc.array(alphabet, { maxLength: 40 }).map((chars) => chars.join(''));

  it('agree on the patterns a policy may use, line terminators and case folding included', () => {
    fc.assert(
      fc.property(fc.constantFrom(...patterns), text, ([pattern, flags], sample) => {
        const regex = new PolicyRegex(pattern, flags);
        expect(regex.testLinear(sample)).toBe(regex.native.test(sample));
      }),
      { numRuns: fuzzRuns(5000) },
    );
  });
});

describe('characters beyond U+FFFF without the u flag', () => {
  it('are two units on both engines, as JavaScript reads them', () => {
    for (const [pattern, flags, sample] of [
      ['a.c', 's', 'a\u{1F600}c'],
      ['a..c', '', 'a\u{1F600}c'],
      ['a[^x]c', '', 'a\u{1F600}c'],
      ['^.{2}$', '', '\u{1F600}'],
      ['a.c', '', 'a\uD800c'],
      ['x\\Wy', '', 'x\uE000y'],
    ] as const) {
      const regex = new PolicyRegex(pattern, flags);
      expect(regex.testLinear(sample), `/${pattern}/${flags} on ${JSON.stringify(sample)}`).toBe(regex.native.test(sample));
    }
  });

  it('are refused in a pattern, with the fix', () => {
    for (const pattern of ['\u{1F600}', '\\uD83D', '[\\uD000-\\uD900]', '\\uE000', '[a-\\uE100]']) {
      expect(() => new PolicyRegex(pattern, ''), pattern).toThrow(/add the u flag/);
      expect(() => new PolicyRegex(pattern === '\\uD83D' ? '\\uD83D\\uDE00' : pattern, 'u')).not.toThrow();
    }
  });
});

describe('ignoring case', () => {
  it('matches the same letters on both engines, for every letter with a case partner', () => {
    const escape = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
    let compared = 0;
    for (let code = 0; code < 0x10000; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const letter = String.fromCharCode(code);
      const partners = new Set([letter.toUpperCase(), letter.toLowerCase(), letter.toUpperCase().toLowerCase(), letter.toLowerCase().toUpperCase(), '\u017f', '\u212a', '\u212b', '\u2126', '\u1e9e'].filter((p) => p.length === 1));
      let regex: PolicyRegex;
      try {
        regex = new PolicyRegex(escape(letter), 'i');
      } catch {
        continue; // a letter that folds apart: refused, as the checker reports
      }
      for (const partner of partners) {
        expect(regex.testLinear(partner), `${letter} vs ${partner}`).toBe(regex.native.test(partner));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100_000);
   }, 300_000); // a ceiling for a loaded machine
});

describe('which engine a pattern runs on', () => {
  it.each([
    ['ERROR:|Traceback', Infinity],
    ['\\d{3}-\\d{4}', Infinity],
    ['\\b\\d{4}[ -]?\\d{4}[ -]?\\d{4}[ -]?\\d{4}\\b', Infinity],
    ['(api[_-]?key|password)\\s*[:=]', Infinity],
    ['E5RROR:\\s+\\w+', Infinity],
    ['token\\s*=\\s*\\S+', Infinity],
    ['a\\s*\\s*b', 4096],
    ['a\\w*b', 4096],
    ['\\s*x', 4096],
    ['a*?b', 4096],
    ['.*foo.*', 4096],
    ['.*foo.*bar', 0],
    ['\\s*\\s*x', 0],
    ['\\s*\\s*\\s*x', 0],
    ['(a+){3}', 0],
    ['x{2,}y+', 4096],
    ['x{2,}y+z', 4096],
    ['x+\\w+z', 0],
    ['(a|aa){1,40}c', 0],
    ['(a|a){25}b', 0],
    ['(?:\\d|\\w){20}$', 0],
    ['a+(b|b)+', 4096],
    ['a+(b|b)+c', 0],
  ])('%s: native up to %s characters', (pattern, limit) => {
    expect(new PolicyRegex(pattern, '').nativeLimit).toBe(limit);
  });
});

describe('regexEngines', () => {
  it('lists every regex of a policy with its engine and the reason, rule by rule', () => {
    const policy = compilePolicy(`policy engines
rule secret: when content matches /(api[_-]?key|password)\\s*[:=]/i then stop
rule loose: when content matches /.*foo/ or not sender matches /^bot/ then escalate
rule risky: when content matches /(a|aa){1,40}c/ then stop`);
    expect(regexEngines(policy).map(({ rule, pattern, engine, nativeLimit }) => ({ rule, pattern, engine, nativeLimit }))).toEqual([
      { rule: 'secret', pattern: '(api[_-]?key|password)\\s*[:=]', engine: 'native', nativeLimit: Infinity },
      { rule: 'loose', pattern: '.*foo', engine: 'native-then-linear', nativeLimit: 4096 },
      { rule: 'loose', pattern: '^bot', engine: 'native', nativeLimit: Infinity },
      { rule: 'risky', pattern: '(a|aa){1,40}c', engine: 'linear', nativeLimit: 0 },
    ]);
    expect(regexEngines(policy)[3]!.reason).toContain('linear engine');
  });
});

describe('the linear engine is built on first use', () => {
  it('compiling a pattern that runs natively at every length builds no linear program', () => {
    const policy = compilePolicy('policy p version 1\nrule r: when content matches /E1RROR:|Fatal1:/ then stop "x"\n');
    expect(regexEngines(policy)[0]!.engine).toBe('native');
    const regex = new PolicyRegex('E1RROR:|Fatal1:', '');
    expect(regex.linearBuilt).toBe(false);
    expect(regex.test('x'.repeat(10_000))).toBe(false);
    expect(regex.linearBuilt).toBe(false);
  });

  it('a long text on a pattern that could backtrack builds it then', () => {
    const regex = new PolicyRegex('a.*b.*c', '');
    expect(regex.linearBuilt).toBe(false);
    expect(regex.test(`a${'x'.repeat(5000)}b c`)).toBe(true);
    expect(regex.linearBuilt).toBe(true);
  });

  it('refuses at compile time exactly what building the program refuses', async () => {
    const { RE2JS } = await import('re2js');
    const { toRe2Syntax } = await import('../src/policy-regex.js');
    const token = fc.constantFrom('a', 'b', '.', '*', '+', '?', '{2}', '{1001}', '{3,2}', '(', ')', '(?:', '|', '[', ']', '^', '$', '\\b', '\\d', '\\s', '\\S', '\\p{L}', '\\p{Nope}', '\\x41', '\\u00e9', '\\1', '(?<n>', '(?=', '-', 'z');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), fc.constantFrom('', 'i', 'm', 's', 'u', 'im'), (tokens, flags) => {
        const pattern = tokens.join('');
        try {
          new RegExp(pattern, flags);
        } catch {
          return;
        }
        let built: unknown;
        try {
          const re2 = toRe2Syntax(pattern, flags);
          built = RE2JS.compile(re2, (flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) | (flags.includes('m') ? RE2JS.MULTILINE : 0) | (flags.includes('s') ? RE2JS.DOTALL : 0));
        } catch (error) {
          built = error;
        }
        let accepted: PolicyRegex | undefined;
        try {
          accepted = new PolicyRegex(pattern, flags);
        } catch {
          accepted = undefined;
        }
        if (built instanceof Error) {
          // Refused when building the program: refused when compiling the policy (or for a reason of ours first).
          expect(accepted, `/${pattern}/${flags}`).toBeUndefined();
        } else if (accepted) {
          expect(() => accepted.testLinear('ab')).not.toThrow();
          expect(accepted.linearBuilt).toBe(true);
        }
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});
