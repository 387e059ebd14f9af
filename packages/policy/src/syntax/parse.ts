import nearley from 'nearley';
import type { Token } from './lexer.js';
import type * as ast from '../ast.js';
import { PolicyError } from '../errors.js';
import { finishPolicy, type ParsedPolicy } from './build.js';
import grammar from './grammar.generated.js';
import type { Comment, Lexer } from './lexer.js';
import { parseByStatements } from './parse-statements.js';
import { SyntaxErrors, type ParserColumn } from './syntax-errors.js';

const compiledGrammar = nearley.Grammar.fromCompiled(grammar);

interface ParserInternals {
  table: ParserColumn[];
}

const syntaxErrors = new SyntaxErrors(compiledGrammar.rules as never);

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
 * the first syntax error, saying what could come next and, where it can tell, how to fix it.
 *
 * @example
 * const ast = parsePolicy('policy demo\nrule done: when content equals "TERMINATE" then stop', { file: 'demo.policy' });
 */
export function parsePolicy(source: string, options: { file?: string } = {}): ast.Policy {
  // A valid policy parses statement by statement; the whole parse reports every error.
  const byStatements = parseByStatements(grammar, source);
  if (byStatements) return withComments(finishPolicy(byStatements.result as ParsedPolicy), byStatements.comments);
  return parseWhole(source, options);
}

/** `parsePolicy` in one parse of the whole text: slower, and the one source of syntax errors. */
export function parseWhole(source: string, options: { file?: string } = {}): ast.Policy {
  const parser = new nearley.Parser(compiledGrammar);
  const lexer = compiledGrammar.lexer as unknown as Lexer;
  try {
    parser.feed(source);
  } catch (error) {
    const token = (error as { token?: Token }).token;
    if (!token) throw error;
    const table = (parser as unknown as ParserInternals).table;
    throw new PolicyError([syntaxErrors.unexpectedToken(token, table[table.length - 2])], source, options.file);
  }
  if (lexer.problem) throw new PolicyError([lexer.problem], source, options.file);
  const results = parser.results as ParsedPolicy[];
  if (results.length === 0) {
    const table = (parser as unknown as ParserInternals).table;
    const expected = syntaxErrors.expectedAt(table[table.length - 1]);
    throw new PolicyError([{ code: 'UNEXPECTED_END', message: 'unexpected end of input', span: endSpan(source), expected }], source, options.file);
  }
  // More than one result would mean an ambiguous grammar; a test guards against it.
  return withComments(finishPolicy(results[0]!), lexer.comments);
}

function withComments(policy: ast.Policy, comments: Comment[]): ast.Policy {
  policy.comments = comments.map((c) => ({ text: c.text, span: { line: c.line, col: c.col, offset: c.offset, length: c.text.length } }));
  return policy;
}

/** How many parses the grammar finds for `source`; exactly 1 for every valid policy. */
export function countParses(source: string): number {
  const parser = new nearley.Parser(compiledGrammar);
  parser.feed(source);
  return parser.results.length;
}
