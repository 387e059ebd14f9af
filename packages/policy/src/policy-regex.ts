// How a policy's regular expression runs. JavaScript's engine backtracks, so a pattern that is
// fine on a short message can take seconds or hours on a long one (`/.*foo.*/` is quadratic).
// Short texts use the native engine; longer ones a linear-time RE2 engine (re2js), on the same
// pattern translated so both read it alike. Patterns are read in Unicode mode (the u flag is
// implied), whose case folding is the one RE2 uses.
import { RE2JS } from 're2js';
import { unboundedQuantifiers } from './regex-safety.js';

/**
 * Texts up to this length use the native engine when the pattern has at most one unbounded
 * quantifier: the worst case (every start position times one repetition) stays near 20 ms.
 */
export const nativeRegexLimit = 4096;

/** JavaScript's `\s`, spelled out for RE2, whose `\s` lacks \v and the Unicode spaces. */
const jsSpace = '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
/** What JavaScript's `.` matches without the s flag. */
const jsDot = '[^\\n\\r\\x{2028}\\x{2029}]';

/** Line terminators besides \n, which RE2's multiline anchors do not know. */
const otherTerminators = '[\\r\\x{2028}\\x{2029}]';

/**
 * Rewrites a JavaScript pattern into RE2 syntax with the same meaning for `test`; throws what RE2
 * cannot express. In multiline mode `^` and `$` also accept JavaScript's other line terminators
 * by consuming one, which keeps whether the pattern matches, so they must stand at the edge of an
 * alternative.
 */
export function toRe2Syntax(pattern: string, flags: string): string {
  let out = '';
  let inClass = false;
  const multiline = flags.includes('m');
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (multiline && !inClass && (ch === '^' || ch === '$')) {
      const before = pattern[i - 1];
      const after = pattern[i + 1];
      const atEdge = ch === '^' ? before === undefined || before === '(' || before === '|' || pattern.slice(i - 3, i) === '(?:' : after === undefined || after === ')' || after === '|';
      if (!atEdge) throw new SyntaxError(`with the m flag, ${ch} must begin or end an alternative`);
      out += ch === '^' ? `(?:^|${otherTerminators})` : `(?:$|${otherTerminators})`;
      continue;
    }
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      i++;
      if (next === 's') out += inClass ? jsSpace : `[${jsSpace}]`;
      else if (next === 'S') {
        if (inClass) throw new SyntaxError('\\S inside a character class is not supported');
        out += `[^${jsSpace}]`;
      } else if (next === 'u' && pattern[i + 1] === '{') {
        const end = pattern.indexOf('}', i);
        out += `\\x${pattern.slice(i + 1, end + 1)}`;
        i = end;
      } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(pattern.slice(i + 1, i + 5))) {
        out += `\\x{${pattern.slice(i + 1, i + 5)}}`;
        i += 4;
      } else if (next === 'v') out += '\\x{0B}';
      else if (next === '/') out += '/';
      else if (/[1-9]/.test(next)) throw new SyntaxError('backreferences are not supported');
      else out += `\\${next}`;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      if (pattern.startsWith('[^]', i)) {
        out += '(?s:.)';
        i += 2;
        continue;
      }
      inClass = true;
      out += ch;
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += pattern[++i];
      continue;
    }
    if (ch === '.' && !flags.includes('s')) {
      out += jsDot;
      continue;
    }
    if (ch === '(' && pattern[i + 1] === '?' && /^[=!]|^<[=!]/.test(pattern.slice(i + 2))) throw new SyntaxError('lookarounds are not supported');
    out += ch;
  }
  return out;
}

function re2Flags(flags: string): number {
  let value = 0;
  if (flags.includes('i')) value |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) value |= RE2JS.MULTILINE;
  if (flags.includes('s')) value |= RE2JS.DOTALL;
  return value;
}

/**
 * A compiled policy regex. `test` never holds state (the g and y flags are refused) and its time
 * grows at most linearly beyond `nativeRegexLimit` characters.
 */
export class PolicyRegex {
  readonly native: RegExp;
  readonly linear: RE2JS;
  /** Longest text given to the native engine: 0 when the pattern could backtrack polynomially. */
  readonly nativeLimit: number;

  constructor(
    readonly pattern: string,
    readonly flags: string,
  ) {
    this.native = new RegExp(pattern, flags.includes('u') ? flags : `${flags}u`);
    this.linear = RE2JS.compile(toRe2Syntax(pattern, flags), re2Flags(flags));
    this.nativeLimit = unboundedQuantifiers(pattern) <= 1 ? nativeRegexLimit : 0;
  }

  test(text: string): boolean {
    return text.length <= this.nativeLimit ? this.native.test(text) : this.linear.matcher(text).find();
  }
}

/** Why a pattern cannot be used, or undefined when both engines accept it. */
export function regexProblem(pattern: string, flags: string): string | undefined {
  try {
    new PolicyRegex(pattern, flags);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    return /lookaround|backreference|RE2|invalid|missing|unexpected/i.test(message) && !(error instanceof SyntaxError && message.startsWith('Invalid regular expression'))
      ? `${message} (policies' regexes must also run in linear time on long messages)`
      : message;
  }
}
