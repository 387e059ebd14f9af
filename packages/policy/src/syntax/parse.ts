import nearley from 'nearley';
import type { Token } from 'moo';
import type * as ast from '../ast.js';
import { PolicyError, type Diagnostic } from '../errors.js';
import { finishPolicy, type ParsedPolicy } from './build.js';
import grammar from './grammar.generated.js';
import type { Lexer } from './lexer.js';

const compiledGrammar = nearley.Grammar.fromCompiled(grammar);

/** What a terminal the parser waited for looks like to a person. */
function describeSymbol(symbol: { literal?: string; type?: string }): string {
  if (symbol.literal !== undefined) return `"${symbol.literal}"`;
  switch (symbol.type) {
    case 'identifier': return 'a name';
    case 'keyword': return 'a name';
    case 'string': return 'a "string"';
    case 'number': return 'a number';
    case 'duration': return 'a duration such as 10m';
    case 'regex': return 'a /regular expression/';
    default: return String(symbol.type);
  }
}

interface ParserInternals {
  table: Array<{ states: Array<{ rule: { symbols: unknown[] }; dot: number }> }>;
}

function expectedAt(parser: nearley.Parser, column: number): string[] {
  const states = (parser as unknown as ParserInternals).table[column]?.states ?? [];
  const expected = new Set<string>();
  for (const state of states) {
    const next = state.rule.symbols[state.dot];
    if (next && typeof next === 'object') expected.add(describeSymbol(next as { literal?: string; type?: string }));
  }
  return [...expected].sort((a, b) => rank(a) - rank(b));
}

/** Expected tokens in the order a reader of the language meets them. */
const reading = [
  '"policy"', '"version"', '"mode"', '"max"', '"fact"', '"default"', '"rule"', '"priority"', '":"', '"when"',
  '"contains"', '"any"', '"all"', '"starts"', '"ends"', '"with"', '"equals"', '"=="', '"!="', '"matches"', '">"', '">="', '"<"', '"<="',
  '"in"', '"not"', '"exists"', '"ignoring"', '"case"', '"every"', '"("', '")"', '"and"', '"or"', '"then"',
  '"continue"', '"escalate"', '"stop"', '"via"', '"timeout"', '"else"', '"prompt"', '"reply"', '"reset"',
];
function rank(token: string): number {
  const index = reading.indexOf(token);
  return index < 0 ? reading.length : index;
}

const operatorWords = new Set(['"contains"', '"matches"', '"equals"', '"exists"', '"starts"', '"ends"', '"in"']);

function unexpectedToken(token: Token, expected: string[]): Diagnostic {
  const span = { line: token.line, col: token.col, offset: token.offset, length: Math.max(1, token.text.length) };
  if (token.type === 'invalid') {
    const text = token.text;
    const firstLine = text.split('\n')[0]!;
    const validPrefix = /^"(?:\\["\\/bfnrt]|\\u[0-9a-fA-F]{4}|[^"\\\x00-\x1f])*/.exec(firstLine)?.[0] ?? '';
    const badEscape = text.startsWith('"') && firstLine[validPrefix.length] === '\\';
    const control = text.startsWith('"') ? firstLine.charCodeAt(validPrefix.length) : NaN;
    if (control < 0x20) {
      const name = control === 9 ? 'a tab' : control === 13 ? 'a carriage return' : `the control character U+${control.toString(16).toUpperCase().padStart(4, '0')}`;
      const escape = control === 9 ? '\\t' : control === 13 ? '\\r' : `\\u${control.toString(16).padStart(4, '0')}`;
      const at = { line: token.line, col: token.col + validPrefix.length, offset: token.offset + validPrefix.length, length: 1 };
      return { code: 'INVALID_TOKEN', message: `a string cannot hold ${name} as it is; write ${escape}`, span: at, expected };
    }
    const what = badEscape
      ? 'invalid escape in string (use \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u followed by four hex digits)'
      : text.startsWith('"')
        ? 'unterminated string'
        : text.startsWith('/')
          ? 'unterminated regular expression'
          : `unexpected character ${JSON.stringify(text[0])}`;
    return { code: 'INVALID_TOKEN', message: what, span: { ...span, length: text.startsWith('"') || text.startsWith('/') ? text.split('\n')[0]!.length : 1 }, expected };
  }
  if (token.type === 'identifier' && expected.some((e) => operatorWords.has(e))) {
    return { code: 'UNKNOWN_OPERATOR', message: `unknown operator "${token.text}"`, span, expected };
  }
  return { code: 'UNEXPECTED_TOKEN', message: `unexpected ${JSON.stringify(token.text)}`, span, expected };
}

/** Where the input ends, for "unexpected end of input". */
function endSpan(source: string): ast.Span {
  const lines = source.split('\n');
  let line = lines.length;
  while (line > 1 && (lines[line - 1] ?? '').trim() === '') line--;
  const text = lines[line - 1] ?? '';
  const offset = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0) + text.length;
  return { line, col: text.length + 1, offset, length: 1 };
}

/**
 * Parses policy text into an AST with source spans. Throws a PolicyError (with a code frame) on
 * the first syntax error.
 *
 * @example
 * const ast = parsePolicy('policy demo\nrule done: when content equals "TERMINATE" then stop', { file: 'demo.policy' });
 */
export function parsePolicy(source: string, options: { file?: string } = {}): ast.Policy {
  const parser = new nearley.Parser(compiledGrammar);
  const lexer = compiledGrammar.lexer as unknown as Lexer;
  try {
    parser.feed(source);
  } catch (error) {
    const token = (error as { token?: Token }).token;
    if (!token) throw error;
    const table = (parser as unknown as ParserInternals).table;
    throw new PolicyError([unexpectedToken(token, expectedAt(parser, table.length - 2))], source, options.file);
  }
  if (lexer.problem) throw new PolicyError([lexer.problem], source, options.file);
  const results = parser.results as ParsedPolicy[];
  if (results.length === 0) {
    const table = (parser as unknown as ParserInternals).table;
    const expected = expectedAt(parser, table.length - 1);
    throw new PolicyError([{ code: 'UNEXPECTED_END', message: 'unexpected end of input', span: endSpan(source), expected }], source, options.file);
  }
  // More than one result would mean an ambiguous grammar; a test guards against it.
  const policy = finishPolicy(results[0]!);
  policy.comments = lexer.comments.map((c) => ({ text: c.text, span: { line: c.line, col: c.col, offset: c.offset, length: c.text.length } }));
  return policy;
}

/** How many parses the grammar finds for `source`; exactly 1 for every valid policy. */
export function countParses(source: string): number {
  const parser = new nearley.Parser(compiledGrammar);
  parser.feed(source);
  return parser.results.length;
}
