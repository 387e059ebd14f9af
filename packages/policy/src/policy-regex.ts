// How a policy's regular expression runs. JavaScript's engine backtracks, so a pattern that is
// fine on a short message can take seconds or hours on a long one (`/.*foo.*/` is quadratic).
// Short texts use the native engine; longer ones a linear-time RE2 engine (re2js), on the same
// pattern translated so both read it alike.
import type { RE2JS } from 're2js';
import { loadOnUse } from './load-on-use.js';
import { isLeaf, type CompiledRule, type ConditionNode } from './document.js';
import { chooseEngine } from './regex-safety.js';

/**
 * Texts up to this length use the native engine when the pattern has one unbounded quantifier
 * and little ambiguity: the worst case (every start position times one repetition) stays near
 * 20 ms.
 */
export const nativeRegexLimit = 4096;

const re2js = loadOnUse<typeof import('re2js')>('re2js');

/** JavaScript's `\s`, spelled out for RE2, whose `\s` lacks \v and the Unicode spaces. */
const jsSpace = '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
/**
 * Letters that RE2's case folding matches with others but JavaScript's, without the u flag, does
 * not (the Kelvin sign with k, the long s with s, …). Ignoring case without the u flag, the
 * linear engine reads them as U+FFFF: patterns naming them, or U+FFFF, are refused.
 */
const foldsApart = /[\u017F\u03F4\u1E9E\u1F88-\u1F8F\u1F98-\u1F9F\u1FA8-\u1FAF\u1FBC\u1FCC\u1FFC\u2126\u212A\u212B]/g;
const foldsApartList = '\u017F\u03F4\u1E9E\u1F88\u1F89\u1F8A\u1F8B\u1F8C\u1F8D\u1F8E\u1F8F\u1F98\u1F99\u1F9A\u1F9B\u1F9C\u1F9D\u1F9E\u1F9F\u1FA8\u1FA9\u1FAA\u1FAB\u1FAC\u1FAD\u1FAE\u1FAF\u1FBC\u1FCC\u1FFC\u2126\u212A\u212B';

const isFoldApart = (code: number) => code === 0xffff || foldsApartList.includes(String.fromCharCode(code));

/** The code of a pattern character or escape (`x`, `\u017F`, `\x41`), or undefined for a class escape. */
function codeOf(token: string): number | undefined {
  if (token.startsWith('\\u') || token.startsWith('\\x')) return parseInt(token.slice(2), 16);
  if (token.startsWith('\\')) return token.length === 2 && !/[dDwWsSbBnrtfv0-9]/.test(token[1]!) ? token.charCodeAt(1) : undefined;
  return token.codePointAt(0);
}

/**
 * Whether a pattern names a character, or a class range, that `refused` rejects. The pattern is
 * read in UTF-16 code units, as JavaScript reads it without the u flag.
 */
function namesRefused(pattern: string, refused: { code: (code: number) => boolean; range: (from: number, to: number) => boolean }): boolean {
  const token = /\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\[\s\S]|[\s\S]/g;
  const tokens = pattern.match(token) ?? [];
  for (let i = 0; i < tokens.length; i++) {
    const code = codeOf(tokens[i]!);
    if (code === undefined) continue;
    if (refused.code(code)) return true;
    const end = tokens[i + 1] === '-' && tokens[i + 2] !== undefined && tokens[i + 2] !== ']' ? codeOf(tokens[i + 2]!) : undefined;
    if (end !== undefined && end > code && refused.range(code, end)) return true;
  }
  return false;
}

const foldApartCodes = {
  code: isFoldApart,
  range: (from: number, to: number) => [...`${foldsApartList}\uFFFF`].some((ch) => ch.charCodeAt(0) >= from && ch.charCodeAt(0) <= to),
};

/**
 * Without the u flag JavaScript reads a character beyond U+FFFF as two units (`.` matches half of
 * it), while RE2 reads one code point. So the linear engine reads each surrogate unit as its own
 * private-use character (U+D800–U+DFFF as U+E000–U+E7FF); patterns naming those codes, or part of
 * them in a class range, are refused.
 */
const surrogateUnits = /[\uD800-\uDFFF]/g;
const surrogateStandIns = {
  code: (code: number) => code >= 0xd800 && code <= 0xe7ff,
  range: (from: number, to: number) => from <= 0xe7ff && to >= 0xd800 && !(from <= 0xd800 && to >= 0xe7ff),
};

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
  const { RE2JS } = re2js();
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
  /**
   * Longest text given to the native engine: Infinity when its work from each position is
   * bounded, `nativeRegexLimit` with one unbounded repetition, 0 when it could backtrack more.
   */
  readonly nativeLimit: number;
  /** Why the pattern runs where it does, for people reading `handrail explain`. */
  readonly engineReason: string;
  /** Whether the linear engine must read `foldsApart` letters as U+FFFF (i without u). */
  private readonly remapsFolds: boolean;
  /** Whether the linear engine must read surrogate units one by one, as JavaScript does without u. */
  private readonly readsUnits: boolean;
  /** The pattern in RE2 syntax, which RE2's parser has accepted. */
  private readonly re2Pattern: string;
  /** The linear engine's program, built on first use: most patterns never need it. */
  private linearProgram: RE2JS | undefined;

  constructor(
    readonly pattern: string,
    readonly flags: string,
  ) {
    this.native = new RegExp(pattern, flags);
    this.remapsFolds = flags.includes('i') && !flags.includes('u');
    this.readsUnits = !flags.includes('u');
    if (this.remapsFolds && namesRefused(pattern, foldApartCodes))
      throw new SyntaxError('ignoring case, this pattern names a letter (such as ſ, K, Å, Ω or ẞ) that case folding treats differently on long texts; add the u flag');
    if (this.readsUnits && namesRefused(pattern, surrogateStandIns))
      throw new SyntaxError('this pattern names a character beyond U+FFFF, a surrogate or a private-use character (U+E000–U+E7FF), which without the u flag long texts cannot match alike; add the u flag');
    this.re2Pattern = toRe2Syntax(pattern, flags);
    // Whether RE2 accepts the pattern is decided here, by its parser (what RE2JS.compile runs
    // first, and the only step that refuses a pattern); building the program waits for a long text.
    const { RE2Set } = re2js();
    new RE2Set(RE2Set.UNANCHORED, re2Flags(flags)).add(this.re2Pattern);
    ({ nativeLimit: this.nativeLimit, reason: this.engineReason } = chooseEngine(pattern, nativeRegexLimit, flags));
  }

  test(text: string): boolean {
    return text.length <= this.nativeLimit ? this.native.test(text) : this.testLinear(text);
  }

  /** The linear engine's answer, which must equal the native engine's on any text. */
  testLinear(text: string): boolean {
    let input = text;
    foldsApart.lastIndex = 0;
    if (this.remapsFolds && foldsApart.test(input)) input = input.replace(foldsApart, '\uFFFF');
    surrogateUnits.lastIndex = 0;
    if (this.readsUnits && surrogateUnits.test(input)) input = input.replace(surrogateUnits, (unit) => String.fromCharCode(unit.charCodeAt(0) + 0x800));
    return this.linear.matcher(input).find();
  }

  /** The linear engine's compiled pattern. */
  get linear(): RE2JS {
    return (this.linearProgram ??= re2js().RE2JS.compile(this.re2Pattern, re2Flags(this.flags)));
  }

  /** Whether the linear engine's program has been built (only a text longer than `nativeLimit` builds it). */
  get linearBuilt(): boolean {
    return this.linearProgram !== undefined;
  }
}

/**
 * Why a pattern cannot be used, or undefined when both engines accept it. `compile` may be a
 * policy's regex lookup, so that checking a pattern also compiles it for deciding.
 */
export function regexProblem(pattern: string, flags: string, compile: (value: { pattern: string; flags: string }) => PolicyRegex = (value) => new PolicyRegex(value.pattern, value.flags)): string | undefined {
  try {
    compile({ pattern, flags });
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    return /lookaround|backreference|RE2|invalid|missing|unexpected/i.test(message) && !(error instanceof SyntaxError && message.startsWith('Invalid regular expression'))
      ? `${message} (policies' regexes must also run in linear time on long messages)`
      : message;
  }
}

/**
 * Where one regex of a policy runs: `native` (JavaScript's backtracking engine) at every length,
 * `native-then-linear` (native up to `nativeLimit` characters, the linear engine beyond) or
 * `linear` at every length, and why.
 *
 * @example
 * const [first]: RegexEngineChoice[] = regexEngines(policy);
 * console.log(`${first.rule} /${first.pattern}/${first.flags}: ${first.engine} (${first.reason})`);
 */
export interface RegexEngineChoice {
  rule: string;
  pattern: string;
  flags: string;
  engine: 'native' | 'native-then-linear' | 'linear';
  nativeLimit: number;
  reason: string;
}

/**
 * The engine each regex of a policy runs on, rule by rule in file order: only patterns that
 * could backtrack super-linearly leave JavaScript's engine.
 *
 * @example
 * for (const choice of regexEngines(policy)) console.log(choice.rule, choice.pattern, choice.engine);
 */
export function regexEngines(policy: { document: { rules: readonly CompiledRule[] } }): RegexEngineChoice[] {
  const choices: RegexEngineChoice[] = [];
  const visit = (rule: string, node: ConditionNode): void => {
    if (isLeaf(node)) {
      if (node.operator !== 'textMatches') return;
      const { pattern, flags } = node.value as { pattern: string; flags: string };
      const { nativeLimit, reason } = chooseEngine(pattern, nativeRegexLimit, flags);
      choices.push({ rule, pattern, flags, engine: nativeLimit === Infinity ? 'native' : nativeLimit > 0 ? 'native-then-linear' : 'linear', nativeLimit, reason });
    } else if ('all' in node) node.all.forEach((child) => visit(rule, child));
    else if ('any' in node) node.any.forEach((child) => visit(rule, child));
    else visit(rule, node.not);
  };
  for (const rule of policy.document.rules) visit(rule.name, rule.conditions);
  return choices;
}
