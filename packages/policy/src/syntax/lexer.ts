import moo from 'moo';

/** Words with a meaning of their own; a fact path may still use them after a dot. */
export const keywords = [
  'policy', 'version', 'mode', 'max', 'fact', 'default', 'rule', 'priority', 'when', 'then',
  'and', 'or', 'not', 'contains', 'any', 'all', 'starts', 'ends', 'with', 'equals', 'matches',
  'in', 'exists', 'ignoring', 'case', 'every', 'continue', 'escalate', 'stop', 'via', 'timeout',
  'else', 'prompt', 'reset', 'reply', 'true', 'false',
] as const;

const rules: moo.Rules = {
  whitespace: /[ \t\r\f]+/,
  newline: { match: /\n/, lineBreaks: true },
  comment: /#[^\n]*/,
  string: { match: /"(?:\\["\\/bfnrt]|\\u[0-9a-fA-F]{4}|[^"\\\n])*"/ },
  regex: /\/(?:\\[^\n]|\[(?:\\[^\n]|[^\]\\\n])*\]|[^/\\\n[])+\/[a-zA-Z]*/,
  duration: /[0-9]+(?:ms|s|m|h|d)(?![A-Za-z0-9_])/,
  number: /-?[0-9]+(?:\.[0-9]+)?(?![A-Za-z_])/,
  identifier: { match: /[A-Za-z_][A-Za-z0-9_]*/, type: moo.keywords({ keyword: keywords as unknown as string[] }) },
  operator: ['>=', '<=', '==', '!=', '>', '<'],
  punctuation: ['(', ')', '[', ']', ',', ':', '.'],
  invalid: moo.error,
};

/** Tokens the grammar never sees. */
const skipped = new Set(['whitespace', 'newline', 'comment']);

export interface Comment {
  text: string;
  line: number;
  col: number;
  offset: number;
}

/**
 * The moo lexer, minus whitespace and comments; comments are kept on the side so a formatter can
 * print them back.
 */
export function createLexer() {
  const inner = moo.compile(rules);
  const comments: Comment[] = [];
  const lexer = {
    comments,
    reset(chunk: string, state?: moo.LexerState) {
      inner.reset(chunk, state);
      comments.length = 0;
      return lexer;
    },
    next(): moo.Token | undefined {
      for (;;) {
        const token = inner.next();
        if (!token) return undefined;
        if (token.type === 'comment') comments.push({ text: token.text, line: token.line, col: token.col, offset: token.offset });
        if (!token.type || !skipped.has(token.type)) return token;
      }
    },
    save: () => inner.save(),
    formatError: (token: moo.Token, message?: string) => inner.formatError(token, message),
    has: (type: string) => inner.has(type),
  };
  return lexer;
}

export type Lexer = ReturnType<typeof createLexer>;
