import type { Diagnostic } from '../errors.js';
import { Scanner, type ScannerState, type Token } from './scanner.js';

export { keywords } from './scanner.js';
export type { Token } from './scanner.js';

const durationUnits: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The longest duration a policy may state: 365 days, so every timeout can really be waited for. */
export const maxDurationMs = 365 * 86_400_000;

/**
 * How deeply the parser lets parentheses and `not` nest: far above the checker's limit (64
 * condition levels, reported with the whole condition), far below what exhausts the stack.
 */
const deepestParse = 256;

/** The milliseconds a duration token stands for (`10m` is 600000). */
export function durationMs(text: string): number {
  const [, amount, unit] = /^([0-9]+)([a-z]+)$/.exec(text) as RegExpExecArray;
  return Number(amount) * (durationUnits[unit as string] as number);
}

/** Words people write after a number meaning a duration, by the unit the language uses. */
const unitWords: Record<string, string> = {
  msec: 'ms', msecs: 'ms', millisecond: 'ms', milliseconds: 'ms',
  sec: 's', secs: 's', second: 's', seconds: 's',
  min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  day: 'd', days: 'd',
};

/** `numbers have no units; durations are written 15m`, with the fix for this very token. */
function unitProblem(text: string): string {
  const [, amount, unit] = /^(-?[0-9]+(?:\.[0-9]+)?)(.*)$/.exec(text) as RegExpExecArray;
  const lower = unit!.toLowerCase();
  const durationUnit = unitWords[lower] ?? (Object.hasOwn(durationUnits, lower) ? lower : undefined);
  if (durationUnit === undefined) return `numbers have no units; write ${amount} (durations are written like 15m)`;
  if (/^[0-9]+$/.test(amount!)) return `numbers have no units; durations are written ${amount}${durationUnit}`;
  return 'numbers have no units; durations are written as a whole number and ms, s, m, h or d, such as 90s';
}

/**
 * What makes a token that reads as the language unable to stand: a number too large to be exact,
 * a duration too long to wait for, a number with a unit, a regex closed by a `/` meant as part of
 * it. `source` is the whole text being read.
 */
function problemWith(token: Token, source: string): Diagnostic | undefined {
  const span = { line: token.line, col: token.col, offset: token.offset, length: token.text.length };
  if (token.type === 'number') {
    const value = Number(token.text);
    if (!(Math.abs(value) <= Number.MAX_SAFE_INTEGER))
      return { code: 'INVALID_VALUE', message: `the number ${abbreviate(token.text)} is too large: numbers lie between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`, span };
  }
  if (token.type === 'duration' && !(durationMs(token.text) <= maxDurationMs))
    return { code: 'INVALID_VALUE', message: `the duration ${abbreviate(token.text)} is longer than the longest allowed, 365d (8760h)`, span };
  if (token.type === 'numberWithUnit') return { code: 'INVALID_TOKEN', message: unitProblem(token.text), span };
  if (token.type === 'regex') return misclosedRegex(token, source);
  return undefined;
}

const regexFlags = /^[dgimsuvy]*$/;

/**
 * A `/` inside a pattern ends it early: `/^/etc/` reads as `/^/` with the flags `etc`, then a
 * stray `/`. Told apart from a mistaken flag (`/a/g`, refused by the checker) by what follows.
 */
function misclosedRegex(token: Token, source: string): Diagnostic | undefined {
  const close = token.text.lastIndexOf('/');
  const flags = token.text.slice(close + 1);
  const after = token.offset + token.text.length;
  if (!(source[after] === '/' || (!regexFlags.test(flags) && after < source.length))) return undefined;
  const lineEnd = source.indexOf('\n', after);
  const line = source.slice(after, lineEnd < 0 ? source.length : lineEnd);
  if (!(line.startsWith('/') || (!regexFlags.test(flags) && line.includes('/')))) return undefined;
  // The regex as probably meant: on to the last `/` before a space, each bare `/` inside escaped.
  const [, meant, meantFlags] = /^(\S*)\/([a-z]*)(?=[\s)]|$)/.exec(token.text.slice(1) + line) ?? [];
  const fix = meant === undefined ? '' : `: write /${meant.replace(/\\.|\//g, (match) => (match === '/' ? '\\/' : match))}/${meantFlags}`;
  return {
    code: 'INVALID_REGEX',
    message: `this "/" ends the regular expression; escape "/" inside a regular expression as "\\/"${fix}`,
    span: { line: token.line, col: token.col + close, offset: token.offset + close, length: 1 },
  };
}

const abbreviate = (text: string) => (text.length > 24 ? `${text.slice(0, 12)}…${text.slice(-8)}` : text);

export interface Comment {
  text: string;
  line: number;
  col: number;
  offset: number;
}

/**
 * The tokens the parser reads, as nearley asks for them: comments are kept on the side so a
 * formatter can print them back.
 */
export function createLexer() {
  const inner = new Scanner();
  const comments: Comment[] = [];
  let source = '';
  // The parser's work (and its error reporting) recurses once per open level, so nesting is
  // bounded here, before it can run out of stack: each `(` still open, the `not`s before it, and
  // the `not`s since the last `and`, `or` or `then` (which end every negation before them).
  const groups: number[] = [];
  let nots = 0;
  const nesting = () => groups.length + groups.reduce((sum, count) => sum + count, 0) + nots;
  const lexer = {
    comments,
    /**
     * Set when the text stops at a token that cannot stand; the lexer then reports the end of
     * input, so the parser neither wraps the problem nor walks its states to describe it.
     */
    problem: undefined as Diagnostic | undefined,
    reset(chunk: string, state?: ScannerState) {
      inner.reset(chunk, state);
      source = chunk;
      comments.length = 0;
      lexer.problem = undefined;
      groups.length = 0;
      nots = 0;
      return lexer;
    },
    next(): Token | undefined {
      for (;;) {
        const token = inner.next();
        if (!token) return undefined;
        if (token.type === 'comment') {
          comments.push({ text: token.text, line: token.line, col: token.col, offset: token.offset });
          continue;
        }
        lexer.problem = problemWith(token, source);
        if (lexer.problem) return undefined;
        if (token.text === '(') {
          groups.push(nots);
          nots = 0;
        } else if (token.text === ')') nots = 0, groups.pop();
        else if (token.text === 'not') nots++;
        else if (token.text === 'and' || token.text === 'or' || token.text === 'then') nots = 0;
        if (nesting() > deepestParse) {
          const span = { line: token.line, col: token.col, offset: token.offset, length: token.text.length };
          lexer.problem = { code: 'TOO_DEEP', message: `the condition nests more than ${deepestParse} levels deep here (parentheses and "not"); conditions may nest at most 64 levels`, span };
          return undefined;
        }
        return token;
      }
    },
    save: () => inner.save(),
    // nearley's own message, which the parser replaces with a diagnostic of its own.
    formatError: (token: Token, message = 'invalid syntax') => `${message} at line ${token.line} col ${token.col}`,
    // The grammar names only types the scanner makes.
    has: (_type: string) => true,
  };
  return lexer;
}

export type Lexer = ReturnType<typeof createLexer>;
