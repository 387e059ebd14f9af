// Parsing a valid policy statement by statement: the same grammar and the same actions as one
// parse of the whole text, in a fraction of the time. An Earley parser runs the actions of every
// item it completes, including the many it later drops, and keeps every statement's items
// alive until the end; here each statement is parsed on its own, statements of the same shape
// (the same token kinds, as the grammar tells them apart) are parsed once, and the actions run
// only on the derivation that stands.
//
// Anything unusual — a token the lexer refuses, a statement that does not parse alone or parses
// more than one way, an action that rejects — returns undefined, and the caller parses the whole
// text as before, so errors are always reported by the one parse that reports them.
import nearley from 'nearley';
import type { Token } from './lexer.js';
import type { Comment } from './lexer.js';
import { createLexer } from './lexer.js';

interface GrammarRule {
  name: string;
  symbols: unknown[];
  /** Typed as the generated grammar types it. */
  postprocess?: (data: any[], reference?: number, reject?: {}) => unknown;
}

export interface CompiledGrammar {
  ParserRules: GrammarRule[];
  ParserStart: string;
}

/** One completed rule of a statement's derivation; token children are indexes into the statement. */
interface Derivation {
  rule: number;
  /** The token index where the rule started, relative to the statement (nearley's `reference`). */
  reference: number;
  children: Array<Derivation | number>;
}

/** The grammar's top level, as this parser drives it: policy → header statements, statements → statement*. */
interface Plan {
  rules: GrammarRule[];
  /** The rules with actions that record the derivation instead of building the AST. */
  header: nearley.Grammar;
  statement: nearley.Grammar;
  /** Token texts the grammar names literally: only these texts change how a token is parsed. */
  literals: Set<string>;
  /** Each token kind's number by token type, and by text for the literals: assigned as kinds are met. */
  kinds: Map<string, { code: number; literals: Map<string, number> }>;
  kindCount: number;
  /** Literals that begin a statement: where the text is split. */
  starters: Set<string>;
  noStatements: GrammarRule;
  appendStatement: GrammarRule;
  policy: GrammarRule;
}

// The lexer nearley reads: the tokens of one piece, already lexed.
let pieceTokens: Token[] = [];
let nextToken = 0;
const pieceLexer = {
  reset: () => undefined,
  next: () => pieceTokens[nextToken++],
  save: () => ({}),
  formatError: (token: Token) => `unexpected ${token.text}`,
  has: () => true,
};

const plans = new WeakMap<CompiledGrammar, Plan | null>();

const isLiteral = (symbol: unknown): symbol is { literal: string } => typeof symbol === 'object' && symbol !== null && 'literal' in symbol;
const sameSymbols = (rule: GrammarRule, symbols: string[]) => rule.symbols.length === symbols.length && rule.symbols.every((symbol, i) => symbol === symbols[i]);

/** How to parse with `grammar` by statements, or null when its top level has another shape. */
function planFor(grammar: CompiledGrammar): Plan | null {
  const rules = grammar.ParserRules;
  const named = (name: string) => rules.filter((rule) => rule.name === name);
  const [policy, ...otherPolicies] = named(grammar.ParserStart);
  const statements = named('statements');
  const noStatements = statements.find((rule) => rule.symbols.length === 0);
  const appendStatement = statements.find((rule) => sameSymbols(rule, ['statements', 'statement']));
  if (!policy || otherPolicies.length || !sameSymbols(policy, ['header', 'statements']) || statements.length !== 2 || !noStatements || !appendStatement) return null;
  const literals = new Set<string>();
  for (const rule of rules)
    for (const symbol of rule.symbols) {
      // A symbol that tests tokens some other way would make a token's kind more than its text.
      if (typeof symbol === 'object' && symbol !== null && 'test' in symbol) return null;
      if (isLiteral(symbol)) literals.add(symbol.literal);
    }
  // The literals a statement can begin with; any other first symbol would leave no place to split.
  const starters = new Set<string>();
  const visited = new Set<string>();
  const firstOf = (name: string): boolean => {
    if (visited.has(name)) return true;
    visited.add(name);
    return named(name).every((rule) => {
      const first = rule.symbols[0];
      if (isLiteral(first)) return starters.add(first.literal), true;
      return typeof first === 'string' && firstOf(first);
    });
  };
  if (!firstOf('statement') || starters.size === 0) return null;
  const recording = rules.map((rule, index) => ({
    name: rule.name,
    symbols: rule.symbols,
    postprocess: (children: Array<Derivation | Token>, reference: number): Derivation => ({ rule: index, reference, children: children as Derivation['children'] }),
  }));
  const grammarFrom = (start: string) => nearley.Grammar.fromCompiled({ Lexer: pieceLexer, ParserRules: recording, ParserStart: start } as unknown as nearley.CompiledRules);
  return { rules, header: grammarFrom('header'), statement: grammarFrom('statement'), literals, kinds: new Map(), kindCount: 0, starters, noStatements, appendStatement, policy };
}

/** Feeds `tokens` to `parser`; false when one of them cannot continue the parse. */
function feed(parser: nearley.Parser, tokens: Token[]): boolean {
  pieceTokens = tokens;
  nextToken = 0;
  try {
    parser.feed('');
    return true;
  } catch {
    return false;
  } finally {
    pieceTokens = [];
  }
}

/** A parse's derivation with tokens as indexes into `tokens`, or undefined unless exactly one. */
function derivationOf(parser: nearley.Parser, tokens: Token[]): Derivation | undefined {
  if (parser.results.length !== 1) return undefined;
  const index = new Map(tokens.map((token, i) => [token, i]));
  const template = (node: Derivation): Derivation => ({
    rule: node.rule,
    reference: node.reference,
    children: node.children.map((child) => (index.has(child as unknown as Token) ? index.get(child as unknown as Token)! : template(child as Derivation))),
  });
  return template(parser.results[0] as Derivation);
}

/** The derivation of one piece parsed from the grammar's start, or undefined. */
function derive(grammar: nearley.Grammar, tokens: Token[]): Derivation | undefined {
  const parser = new nearley.Parser(grammar);
  return feed(parser, tokens) ? derivationOf(parser, tokens) : undefined;
}

const rejected = Symbol('rejected');
const unfinished = Symbol('unfinished');

const utf16 = new TextDecoder('utf-16le');

/**
 * One character per token naming its kind as the grammar tells kinds apart: its type, and its
 * text when the grammar names that text literally.
 */
function kindsOf(plan: Plan, tokens: Token[]): string {
  const codes = new Uint16Array(tokens.length);
  const code = () => {
    // Kinds are few (token types and the grammar's literals); a code among the surrogates would not decode as itself.
    if (plan.kindCount === 0xd800) throw new Error('internal error: too many token kinds');
    return plan.kindCount++;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    let kind = plan.kinds.get(token.type ?? '');
    if (!kind) plan.kinds.set(token.type ?? '', (kind = { code: code(), literals: new Map() }));
    if (plan.literals.has(token.text)) {
      let literal = kind.literals.get(token.text);
      if (literal === undefined) kind.literals.set(token.text, (literal = code()));
      codes[i] = literal;
    } else codes[i] = kind.code;
  }
  return utf16.decode(codes);
}

/** Runs the grammar's actions over a derivation with the tokens of one statement (starting at token `at`). */
function build(plan: Plan, node: Derivation, tokens: Token[], at: number): unknown {
  const { children } = node;
  // Sized up front: a growing array reserves room for 17 elements at its first push.
  const data: unknown[] = new Array(children.length);
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    const value = typeof child === 'number' ? tokens[child] : build(plan, child, tokens, at);
    if (value === rejected) return rejected;
    data[i] = value;
  }
  const action = plan.rules[node.rule]!.postprocess;
  if (!action) return data;
  const value = action(data, at + node.reference, nearley.Parser.fail);
  return value === nearley.Parser.fail ? rejected : value;
}

/**
 * The grammar's result for a whole valid policy (what the start rule's action returns), with
 * the comments the lexer kept; undefined when the text must be parsed whole (see above).
 *
 * @example
 * const parsed = parseByStatements(grammar, 'policy demo\nrule done: when content equals "TERMINATE" then stop');
 */
export function parseByStatements(grammar: CompiledGrammar, source: string): { result: unknown; comments: Comment[] } | undefined {
  let plan = plans.get(grammar);
  if (plan === undefined) plans.set(grammar, (plan = planFor(grammar)));
  if (!plan) return undefined;
  const lexer = createLexer();
  lexer.reset(source);
  const tokens: Token[] = [];
  for (let token = lexer.next(); token; token = lexer.next()) {
    if (token.type === 'invalid') return undefined;
    tokens.push(token);
  }
  if (lexer.problem) return undefined;
  // Pieces: the header, then one per statement. A split in the wrong place only makes a piece
  // fail to parse alone (a path's last key may be a word that begins statements: never split
  // after a dot).
  const starts: number[] = [];
  for (let i = 0; i < tokens.length; i++) if (plan.starters.has(tokens[i]!.text) && (i === 0 || tokens[i - 1]!.text !== '.')) starts.push(i);
  const headerEnd = starts[0] ?? tokens.length;
  const header = derive(plan.header, tokens.slice(0, headerEnd));
  if (!header) return undefined;
  const head = build(plan, header, tokens.slice(0, headerEnd), 0);
  if (head === rejected) return undefined;
  const fail = nearley.Parser.fail;
  let statements = plan.noStatements.postprocess ? plan.noStatements.postprocess([], headerEnd, fail) : [];
  if (statements === fail) return undefined;
  // Each shape's derivation; `unfinished` marks a shape that is only the start of a statement
  // (a word that begins statements can also stand inside one: the fact `tool`).
  const shapes = new Map<string, Derivation | typeof unfinished | undefined>();
  // A piece's shape is the slice of `kinds` under it: one character per token, its kind's number.
  const kinds = kindsOf(plan, tokens);
  const shapeUpTo = (s: number, end: number) => kinds.slice(starts[s]!, starts[end] ?? tokens.length);
  const pieceUpTo = (s: number, end: number) => tokens.slice(starts[s]!, starts[end] ?? tokens.length);
  for (let s = 0, end = 1; s < starts.length; s = end, end = s + 1) {
    const from = starts[s]!;
    let shape = shapeUpTo(s, end);
    while (shapes.get(shape) === unfinished && end < starts.length) shape = shapeUpTo(s, ++end);
    let piece = pieceUpTo(s, end);
    let derivation = shapes.get(shape);
    if (!shapes.has(shape)) {
      // A new shape: parsed once, the following pieces fed to the same parser while it is unfinished.
      const parser = new nearley.Parser(plan.statement);
      let fed = feed(parser, piece);
      while (fed && parser.results.length === 0 && end < starts.length) {
        shapes.set(shape, unfinished);
        const next = pieceUpTo(end, ++end);
        fed = feed(parser, next);
        piece = piece.concat(next);
        shape = shapeUpTo(s, end);
      }
      shapes.set(shape, (derivation = fed ? derivationOf(parser, piece) : undefined));
    }
    if (!derivation || derivation === unfinished) return undefined;
    const statement = build(plan, derivation, piece, from);
    if (statement === rejected) return undefined;
    statements = plan.appendStatement.postprocess ? plan.appendStatement.postprocess([statements, statement], headerEnd, fail) : [statements, statement];
    if (statements === fail) return undefined;
  }
  const result = plan.policy.postprocess ? plan.policy.postprocess([head, statements], 0, fail) : [head, statements];
  if (result === fail) return undefined;
  return { result, comments: lexer.comments };
}
