// The scanner reads tokens by hand for speed; it must read every text exactly as one combined
// regular expression of the token rules in order (moo) reads it: the same tokens, types,
// offsets, lines and columns, and the same `invalid` rest when no rule reads on.
import fc from 'fast-check';
import moo from 'moo';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../../test/adversarial/fuzz-runs.js';
import { keywords, operators, punctuation, Scanner, tokenRules } from '../src/syntax/scanner.js';

const unsticky = (regex: RegExp) => new RegExp(regex.source);
const reference = moo.compile({
  whitespace: /[ \t\r\f]+/,
  newline: { match: /\n/, lineBreaks: true },
  comment: /#[^\n]*/,
  string: unsticky(tokenRules.string),
  regex: unsticky(tokenRules.regex),
  numberWithUnit: unsticky(tokenRules.numberWithUnit),
  duration: unsticky(tokenRules.duration),
  number: unsticky(tokenRules.number),
  identifier: { match: /[A-Za-z_][A-Za-z0-9_]*/, type: moo.keywords({ keyword: [...keywords] }) },
  operator: [...operators],
  punctuation: [...punctuation],
  invalid: moo.error,
});

const fields = (token: { type?: string; value: string; text: string; offset: number; lineBreaks: number; line: number; col: number }) => ({
  type: token.type,
  value: token.value,
  text: token.text,
  offset: token.offset,
  lineBreaks: token.lineBreaks,
  line: token.line,
  col: token.col,
});

function referenceTokens(text: string) {
  reference.reset(text);
  const out = [];
  for (let token = reference.next(); token; token = reference.next()) if (token.type !== 'whitespace' && token.type !== 'newline') out.push(fields(token));
  return out;
}

function scannedTokens(text: string) {
  const scanner = new Scanner();
  scanner.reset(text);
  const out = [];
  for (let token = scanner.next(); token; token = scanner.next()) out.push(fields(token));
  return out;
}

// Pieces of the language and its near misses, and anything at all between them.
const piece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...keywords, ...operators, ...punctuation, 'content', 'tool.args.amount', '_x9', 'notes') },
  { weight: 3, arbitrary: fc.constantFrom('"ok"', '"a\\"b"', '"\\u00e9"', '"\\x"', '"open', '"tab\there"', '"é😀"', '/a\\/b/i', '/[/]x/', '/^/etc/', '/open', '/a\nb/', '//') },
  { weight: 3, arbitrary: fc.constantFrom('10', '-3', '1.5', '10m', '90s', '15min', '50EUR', '1.5h', '10mx', '1.', '-', '-x', '0ms', '7d9', '3_') },
  { weight: 3, arbitrary: fc.constantFrom(' ', '\n', '\t', '\r\n', '\f', '  ', '# note\n', '#', '=', '!', '..', '....', '@', '\u00a0', '😀', '\u2028') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);
const text = fc.array(piece, { maxLength: 30 }).map((pieces) => pieces.join(''));

describe('Scanner', () => {
  it('reads every text as the ordered token rules do', () => {
    fc.assert(
      fc.property(text, (source) => {
        expect(scannedTokens(source)).toEqual(referenceTokens(source));
      }),
      { numRuns: fuzzRuns(3_000) },
    );
  });

  it('reads arbitrary text as the ordered token rules do', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (source) => {
        expect(scannedTokens(source)).toEqual(referenceTokens(source));
      }),
      { numRuns: fuzzRuns(1_000) },
    );
  });

  it('continues lines and columns from a saved state', () => {
    const scanner = new Scanner();
    scanner.reset('rule a:\n  when');
    while (scanner.next());
    const state = scanner.save();
    expect(state).toEqual({ line: 2, col: 7 });
    scanner.reset(' then', state);
    expect(fields(scanner.next()!)).toMatchObject({ text: 'then', type: 'keyword', line: 2, col: 8, offset: 1 });
  });
});
