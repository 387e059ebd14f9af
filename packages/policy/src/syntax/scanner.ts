// The policy language's tokens, read by hand: what a combined regular expression of the token
// rules reads (the first rule that matches at a position wins; a text no rule reads is one
// `invalid` token to the end), without a match array per token or a token per space. Whitespace
// and line breaks are skipped here; comments come out as tokens for the lexer to keep aside.

/** Words with a meaning of their own; a fact path may still use them after a dot. */
export const keywords = [
  'policy', 'version', 'mode', 'max', 'fact', 'default', 'rule', 'priority', 'when', 'then',
  'and', 'or', 'not', 'contains', 'any', 'all', 'starts', 'ends', 'with', 'equals', 'matches',
  'in', 'exists', 'ignoring', 'case', 'every', 'continue', 'escalate', 'stop', 'via', 'timeout',
  'else', 'prompt', 'reset', 'reply', 'true', 'false',
] as const;

export type TokenType =
  | 'comment' | 'string' | 'regex' | 'numberWithUnit' | 'duration' | 'number' | 'identifier' | 'keyword' | 'operator' | 'punctuation' | 'invalid';

/** The rules that need a regular expression, each tried where its first character allows. */
export const tokenRules = {
  // Control characters (a raw tab, a carriage return) must be escaped, as in JSON.
  string: /"(?:\\["\\/bfnrt]|\\u[0-9a-fA-F]{4}|[^"\\\x00-\x1f])*"/y,
  regex: /\/(?:\\[^\n]|\[(?:\\[^\n]|[^\]\\\n])*\]|[^/\\\n[])+\/[a-zA-Z]*/y,
  // Never valid, so before numbers: a number and letters that are not a duration (`50EUR`,
  // `15min`, `1.5h`) are read whole, and the error says how to write them.
  numberWithUnit: /(?![0-9]+(?:ms|s|m|h|d)(?![A-Za-z0-9_]))-?[0-9]+(?:\.[0-9]+)?[A-Za-z_][A-Za-z0-9_]*/y,
  duration: /[0-9]+(?:ms|s|m|h|d)(?![A-Za-z0-9_])/y,
  number: /-?[0-9]+(?:\.[0-9]+)?(?![A-Za-z_])/y,
} as const;

/** Operators and punctuation, longest first where one begins another. */
export const operators = ['>=', '<=', '==', '!=', '>', '<'] as const;
export const punctuation = ['...', '(', ')', '[', ']', ',', ':', '.', '?'] as const;

const keywordSet: ReadonlySet<string> = new Set(keywords);

export class Token {
  constructor(
    readonly type: TokenType,
    /** The same as `text`: the parser matches literals against `value`. */
    readonly value: string,
    readonly text: string,
    readonly offset: number,
    readonly lineBreaks: number,
    readonly line: number,
    readonly col: number,
  ) {}

  toString(): string {
    return this.value;
  }
}

const enum Char {
  Tab = 9,
  Newline = 10,
  FormFeed = 12,
  Return = 13,
  Space = 32,
  Bang = 33,
  Quote = 34,
  Hash = 35,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Less = 60,
  Equals = 61,
  Greater = 62,
  Underscore = 95,
}

const isDigit = (code: number) => code >= Char.Zero && code <= Char.Nine;
const isWordStart = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === Char.Underscore;
const isWord = (code: number) => isWordStart(code) || isDigit(code);
const singlePunctuation = new Set<number>([...'()[],:?.'].map((c) => c.charCodeAt(0)));

/** Where a token could continue the parse again: nearley keeps it between feeds. */
export interface ScannerState {
  line: number;
  col: number;
}

/** The tokens of one text, in order; after an `invalid` token (the rest of the text) none follow. */
export class Scanner {
  #text = '';
  #index = 0;
  #line = 1;
  /** Offset where the current line starts. */
  #lineStart = 0;

  reset(text: string, state?: ScannerState): void {
    this.#text = text;
    this.#index = 0;
    this.#line = state?.line ?? 1;
    this.#lineStart = -((state?.col ?? 1) - 1);
  }

  save(): ScannerState {
    return { line: this.#line, col: this.#index - this.#lineStart + 1 };
  }

  next(): Token | undefined {
    const text = this.#text;
    let at = this.#index;
    // Whitespace and line breaks.
    for (; at < text.length; at++) {
      const code = text.charCodeAt(at);
      if (code === Char.Newline) {
        this.#line++;
        this.#lineStart = at + 1;
      } else if (code !== Char.Space && code !== Char.Tab && code !== Char.Return && code !== Char.FormFeed) break;
    }
    this.#index = at;
    if (at === text.length) return undefined;
    const code = text.charCodeAt(at);
    if (code === Char.Hash) {
      const end = text.indexOf('\n', at);
      return this.#token('comment', end < 0 ? text.length : end);
    }
    if (isWordStart(code)) {
      let end = at + 1;
      while (end < text.length && isWord(text.charCodeAt(end))) end++;
      const word = text.slice(at, end);
      return this.#token(keywordSet.has(word) ? 'keyword' : 'identifier', end, word);
    }
    if (code === Char.Quote) return this.#match('string');
    if (code === Char.Slash) return this.#match('regex');
    if (isDigit(code) || code === Char.Minus) return this.#match('numberWithUnit') ?? (isDigit(code) ? this.#match('duration') : undefined) ?? this.#match('number') ?? this.#invalid();
    if (code === Char.Greater || code === Char.Less || code === Char.Equals || code === Char.Bang) {
      if (text.charCodeAt(at + 1) === Char.Equals) return this.#token('operator', at + 2);
      return code === Char.Greater || code === Char.Less ? this.#token('operator', at + 1) : this.#invalid();
    }
    if (code === Char.Dot && text.startsWith('...', at)) return this.#token('punctuation', at + 3);
    if (singlePunctuation.has(code)) return this.#token('punctuation', at + 1);
    return this.#invalid();
  }

  /** A token of rule `type` where it matches here, or the rest of the text as `invalid` for a string or regex that does not. */
  #match(type: keyof typeof tokenRules): Token | undefined {
    const rule = tokenRules[type];
    rule.lastIndex = this.#index;
    if (rule.test(this.#text)) return this.#token(type, rule.lastIndex);
    return type === 'string' || type === 'regex' ? this.#invalid() : undefined;
  }

  /** The rest of the text, which no rule reads. */
  #invalid(): Token {
    const rest = this.#text.slice(this.#index);
    let lineBreaks = 0;
    let lastBreak = -1;
    for (let i = rest.indexOf('\n'); i >= 0; i = rest.indexOf('\n', i + 1)) lineBreaks++, (lastBreak = i);
    const token = new Token('invalid', rest, rest, this.#index, lineBreaks, this.#line, this.#index - this.#lineStart + 1);
    this.#index = this.#text.length;
    if (lineBreaks > 0) {
      this.#line += lineBreaks;
      this.#lineStart = token.offset + lastBreak + 1;
    }
    return token;
  }

  #token(type: TokenType, end: number, text = this.#text.slice(this.#index, end)): Token {
    const token = new Token(type, text, text, this.#index, 0, this.#line, this.#index - this.#lineStart + 1);
    this.#index = end;
    return token;
  }
}
