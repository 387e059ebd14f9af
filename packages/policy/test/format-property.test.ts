// The formatter on generated policies: random rules (after the generator of the differential
// test), laid out at random (spaces, line breaks, redundant parentheses) with comments between
// random tokens. Formatting twice changes nothing more, the compiled hash stays, every comment
// stays; a rule is broken over lines only when it must be, and no blank line is added.
// HANDRAIL_FUZZ_RUNS multiplies the number of generated policies.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../../test/adversarial/fuzz-runs.js';
import { compilePolicy, defaultLineWidth, formatPolicy, parsePolicy } from '../src/index.js';
import { createLexer } from '../src/syntax/lexer.js';

const words = ['delete', 'DROP TABLE', 'refund', 'Ünïcode', 'TERMINATE', 'error:', 'say \\"hi\\"', 'a\\u00e9', 'NEEDS_REVIEW'];
const quote = (s: string) => `"${s}"`;

const textField = fc.constantFrom('content', 'sender', 'tool.name', 'tool.args.to', 'tool.args.items[0]', 'tool.args["odd key"]', 'error', 'tier', 'code.text', 'profile.level', 'tool.args.default');
const numberField = fc.constantFrom('step', 'auto_replies', 'max_auto_replies', 'tool.args.amount', 'elapsed', 'tokens.total', 'risk', 'profile.score');
const word = fc.constantFrom(...words);
const wordList = fc.array(word, { minLength: 1, maxLength: 3 }).map((items) => `[${items.map(quote).join(', ')}]`);
const ignoring = fc.boolean().map((b) => (b ? ' ignoring case' : ''));
const number = fc.constantFrom('0', '-2', '12', '0.5', '100', '1.50', '250');

const test: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(textField, word, ignoring).map(([f, w, i]) => `${f} contains ${quote(w)}${i}`),
  fc.tuple(textField, wordList, ignoring, fc.constantFrom('any', 'all')).map(([f, l, i, q]) => `${f} contains ${q} ${l}${i}`),
  fc.tuple(textField, word, ignoring, fc.constantFrom('starts with', 'ends with', 'equals', '==', '!=')).map(([f, w, i, op]) => `${f} ${op} ${quote(w)}${i}`),
  fc.tuple(textField, fc.constantFrom('/err(or)?:/i', '/^ok$/m', '/\\d+/', '/a\\/b/', '/[/]x/')).map(([f, r]) => `${f} matches ${r}`),
  fc.tuple(numberField, fc.constantFrom('>', '>=', '<', '<=', '==', '!='), fc.oneof(number, numberField)).map(([f, op, n]) => `${f} ${op} ${n}`),
  fc.constantFrom('elapsed > 5m', 'elapsed <= 1500ms', 'code.languages contains "sh"', 'flags contains "vip"', 'is_termination', 'vip', 'profile.active', 'tool.args.items contains "ok"'),
  fc.tuple(textField, wordList, fc.boolean()).map(([f, l, n]) => `${f} ${n ? 'not in' : 'in'} ${l}`),
  fc.tuple(numberField, fc.array(number, { minLength: 1, maxLength: 3 })).map(([f, l]) => `${f} in [${l.join(', ')}]`),
  fc.constantFrom('step in [1m, 2]', 'role in ["assistant", "tool"]', 'source == "human"', 'tool exists', 'tool.args.confirm exists'),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom('auto_replies', 'step', 'risk')).map(([n, f]) => `every ${n} ${f}`),
);

// Parentheses at random: some needed, some redundant, some absent (then precedence decides).
const paren = (s: string, on: boolean) => (on ? `(${s})` : s);
const condition: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, test, tie('and'), tie('or'), tie('not')),
  and: fc.tuple(tie('node'), tie('node'), fc.boolean()).map(([a, b, p]) => paren(`${a} and ${b}`, p)),
  or: fc.tuple(tie('node'), tie('node'), fc.boolean()).map(([a, b, p]) => paren(`${a} or ${b}`, p)),
  not: fc.tuple(tie('node') as fc.Arbitrary<string>, fc.boolean()).map(([a, p]) => `not ${paren(a, p || / (and|or) /.test(a))}`),
})).node as fc.Arbitrary<string>;

const option = fc.constantFrom(' via slack', ' timeout 10m', ' else continue', ' else reply', ' prompt "Approve {sender}? Type exit to stop the whole conversation, or press enter to skip: "');
const action = fc.oneof(
  fc.constantFrom('continue', 'continue with "fixed"', 'stop', 'stop "halt"'),
  fc.tuple(fc.constantFrom('', ' "ask"'), fc.uniqueArray(option, { maxLength: 3, selector: (o) => o.split(' ')[1] })).map(([reason, options]) => `escalate${reason}${options.join('')}`),
);

const statements = fc.record({
  version: fc.constantFrom('', ' version 3', ' version "2024-06"'),
  settings: fc.shuffledSubarray(['mode always', 'mode never', 'max auto_replies 3', 'default stop "nothing matched"', 'fact risk: number', 'fact tier: string', 'fact flags: list', 'fact vip: boolean', 'fact profile: object', 'tool refund(to: string, amount?: number, ...)', 'tool ping(...)', 'tool "read-file"(path: string, default?: any, items?: list, some_rather_long_argument_name?: object, another_long_argument_name: boolean, ...)'], { minLength: 5 }),
  rules: fc.array(fc.record({ when: condition, then: action, priority: fc.constantFrom('', ' priority 2'), reset: fc.boolean() }), { minLength: 1, maxLength: 5 }),
  placement: fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
});

const policyText = statements
  .filter(({ settings }) => ['risk', 'tier', 'flags', 'vip', 'profile'].every((f) => settings.includes(`fact ${f}: ${{ risk: 'number', tier: 'string', flags: 'list', vip: 'boolean', profile: 'object' }[f]}`)) && settings.filter((s) => s.startsWith('mode')).length <= 1)
  .map(({ version, settings, rules, placement }) => {
    const ruleTexts = rules.map((r, i) => `rule r${i}${r.priority}: when ${r.when} then ${r.then}${r.reset ? ' and reset auto_replies' : ''}`);
    // Settings interleaved with rules, as authors write them.
    const body = [...ruleTexts];
    settings.forEach((setting, i) => body.splice((placement[i] ?? 0) % (body.length + 1), 0, setting));
    return [`policy generated${version}`, ...body].join('\n');
  });

/** Separators between tokens: a space, line breaks, blank lines, comments at the end of lines. */
const separator = fc.oneof(
  { weight: 12, arbitrary: fc.constant(' ') },
  { weight: 2, arbitrary: fc.constantFrom('\n', '\n  ', '\n\n', '\t', '  \n\n\n    ') },
  { weight: 2, arbitrary: fc.constantFrom(' # note\n', '# tight\n', '\n# own line\n', '\n\n# after a blank\n\n', ' #\n', ' # a ( b ) and "c" # d   \n') },
);

function tokens(source: string): string[] {
  const lexer = createLexer().reset(source);
  const out: string[] = [];
  for (let token = lexer.next(); token; token = lexer.next()) out.push(token.text);
  return out;
}

const laidOut = policyText.chain((text) => {
  const parts = tokens(text);
  return fc.tuple(fc.array(separator, { minLength: parts.length + 1, maxLength: parts.length + 1 }), fc.constantFrom('', '# header comment\n', '# one\n\n# two\n\n')).map(
    ([separators, head]) => head + parts.map((token, i) => token + separators[i]).join('') + separators[parts.length],
  );
});

const commentTexts = (source: string) =>
  parsePolicy(source)
    .comments.map((c) => c.text.trimEnd())
    .sort();

const withoutBlankLines = (text: string) => text.replace(/^[ \t\r\f]*\n/gm, '');

/**
 * Checks how formatted text lays out its rules: one on one line fits the width; one broken over
 * lines holds a comment before its last line, or would not fit on one.
 */
function expectRulesLaidOut(formatted: string, width: number): void {
  const lines = formatted.split('\n');
  const commentAt = new Map(parsePolicy(formatted).comments.map((c) => [c.span.line, c.span.col - 1]));
  const code = (i: number) => lines[i]!.slice(0, commentAt.get(i + 1) ?? lines[i]!.length).trimEnd();
  lines.forEach((line, i) => {
    if (!line.startsWith('rule ')) return;
    if (!code(i).endsWith(':')) {
      expect(code(i).length, line).toBeLessThanOrEqual(width);
      return;
    }
    let last = i;
    while (lines[last + 1]?.startsWith(' ')) last++;
    const block = Array.from({ length: last - i + 1 }, (_, k) => i + k);
    if (block.some((n) => n !== last && commentAt.has(n + 1))) return;
    const flat = block.map((n) => code(n).trim()).join(' ');
    expect(flat.length, flat).toBeGreaterThan(width);
  });
}

describe('formatPolicy on generated policies', () => {
  it('is idempotent, keeps the compiled hash and every comment', () => {
    fc.assert(
      fc.property(laidOut, (source) => {
        const once = formatPolicy(source);
        expect(formatPolicy(once)).toBe(once);
        expect(compilePolicy(once).hash).toBe(compilePolicy(source).hash);
        expect(commentTexts(once)).toEqual(commentTexts(source));
        expect(once).not.toMatch(/[ \t]$/m);
        expect(once).not.toMatch(/\n\n\n/);
        expect(once.endsWith('\n') && !once.endsWith('\n\n')).toBe(true);
        expectRulesLaidOut(once, defaultLineWidth);
        // Blank lines are the author's: without them, the same text without them.
        expect(formatPolicy(withoutBlankLines(source))).toBe(withoutBlankLines(once));
      }),
      { numRuns: fuzzRuns(500) },
    );
  }, 300_000);

  it('keeps the layout of the condition tree at every width', () => {
    fc.assert(
      fc.property(laidOut, fc.integer({ min: 20, max: 140 }), (source, width) => {
        const once = formatPolicy(source, { width });
        expect(formatPolicy(once, { width })).toBe(once);
        expect(compilePolicy(once).hash).toBe(compilePolicy(source).hash);
        expectRulesLaidOut(once, width);
      }),
      { numRuns: fuzzRuns(300) },
    );
  }, 300_000);
});
