// What a syntax error says, read from the grammar and the parser's state where it stopped: what
// could come next (only what continues the statement being written, in the middle of one), the
// word a misspelt one was probably meant to be, and where a word that cannot be used here belongs.
// Nothing here names a statement or an operator: new grammar rules are described as they are added.
import type { Token } from './lexer.js';
import type { Diagnostic } from '../errors.js';
import { closest } from '../suggest.js';

interface GrammarSymbol {
  literal?: string;
  type?: string;
}
type GrammarItem = string | GrammarSymbol;
interface GrammarRule {
  name: string;
  symbols: GrammarItem[];
}
/** An Earley item: a rule, how much of it is read, and the column where it began. */
interface ParserState {
  rule: GrammarRule;
  dot: number;
  reference: number;
  /** The items that asked for this one's rule: its parents, in the columns before. */
  wantedBy: ParserState[];
}
/** The parser's column at one token: every item still alive there. */
export interface ParserColumn {
  index: number;
  states: ParserState[];
}

const isTerminal = (item: GrammarItem | undefined): item is GrammarSymbol => typeof item === 'object' && item !== null;

/** What a terminal the parser waited for looks like to a person. */
function describeSymbol(symbol: GrammarSymbol): string {
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

/** Expected tokens in the order a reader of the language meets them; others follow, as found. */
const reading = [
  '"policy"', '"version"', '"mode"', '"max"', '"fact"', '"tool"', '"default"', '"rule"', '"priority"', '":"', '"when"',
  '"contains"', '"any"', '"all"', '"starts"', '"ends"', '"with"', '"equals"', '"=="', '"!="', '"matches"', '">"', '">="', '"<"', '"<="',
  '"in"', '"not"', '"exists"', '"ignoring"', '"case"', '"every"', '"("', '")"', '"and"', '"or"', '"then"',
  '"continue"', '"escalate"', '"stop"', '"via"', '"timeout"', '"else"', '"prompt"', '"reply"', '"reset"',
];
function rank(token: string): number {
  const index = reading.indexOf(token);
  return index < 0 ? reading.length : index;
}

/** The word a `"literal"` description stands for, when it is one. */
const wordOf = (description: string) => /^"([A-Za-z_][A-Za-z0-9_]*)"$/.exec(description)?.[1];

/** Facts about a grammar that error messages need, computed once. */
export class SyntaxErrors {
  /** Descriptions of the tokens a statement can begin with (`"rule"`, `"mode"`, …). */
  private readonly statementStarts: Set<string>;
  /** Every rule name a statement is made of, generated ones (`rule$ebnf$1`) included. */
  private readonly statementParts: Set<string>;
  /** Descriptions of the words that can follow a field in a test: the operators. */
  private readonly operators: Set<string>;
  private readonly rules: GrammarRule[];
  private readonly owners = new Map<string, string[]>();

  /** `rules` is the compiled grammar's; the names say which of its nonterminals are which. */
  constructor(rules: readonly GrammarRule[], names = { statement: 'statement', test: 'test', field: 'field' }) {
    this.rules = [...rules];
    this.statementParts = this.reachableFrom(names.statement);
    this.statementStarts = new Set(this.firstTerminals(names.statement).map(describeSymbol));
    const operators = this.rules
      .filter((rule) => rule.name === names.test && rule.symbols[0] === names.field && rule.symbols.length > 1)
      .flatMap((rule) => {
        const next = rule.symbols[1]!;
        return isTerminal(next) ? [next] : this.firstTerminals(next);
      });
    this.operators = new Set(operators.filter((symbol) => symbol.literal !== undefined && wordOf(`"${symbol.literal}"`)).map(describeSymbol));
  }

  private reachableFrom(start: string): Set<string> {
    const found = new Set([start]);
    const queue = [start];
    while (queue.length) {
      const name = queue.pop()!;
      for (const rule of this.rules) {
        if (rule.name !== name) continue;
        for (const item of rule.symbols) if (typeof item === 'string' && !found.has(item)) found.add(item), queue.push(item);
      }
    }
    return found;
  }

  /** The terminals a nonterminal can begin with (its FIRST set), through empty rules. */
  private firstTerminals(start: string): GrammarSymbol[] {
    const nullable = new Set<string>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const rule of this.rules) {
        if (!nullable.has(rule.name) && rule.symbols.every((item) => typeof item === 'string' && nullable.has(item))) nullable.add(rule.name), (changed = true);
      }
    }
    const found: GrammarSymbol[] = [];
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      for (const rule of this.rules) {
        if (rule.name !== name) continue;
        for (const item of rule.symbols) {
          if (isTerminal(item)) {
            found.push(item);
            break;
          }
          visit(item);
          if (!nullable.has(item)) break;
        }
      }
    };
    visit(start);
    return found;
  }

  /**
   * The keywords that introduce the constructs `word` is part of: `else` belongs to `escalate`,
   * `priority` to `rule`. For each rule using the word, the nearest keyword before it; when the
   * word begins its rule, the same question is asked of that rule's name.
   */
  ownersOf(word: string): string[] {
    const known = this.owners.get(word);
    if (known) return known;
    const found = new Set<string>();
    const seen = new Set<string>();
    const visit = (matches: (item: GrammarItem) => boolean) => {
      for (const rule of this.rules) {
        const at = rule.symbols.findIndex(matches);
        if (at < 0) continue;
        const before = rule.symbols.slice(0, at).reverse().find((item) => isTerminal(item) && item.literal !== undefined && wordOf(`"${item.literal}"`));
        if (isTerminal(before)) found.add(before.literal!);
        else if (!seen.has(rule.name)) {
          seen.add(rule.name);
          visit((item) => item === rule.name);
        }
      }
    };
    visit((item) => isTerminal(item) && item.literal === word);
    const owners = [...found].filter((owner) => owner !== word);
    this.owners.set(word, owners);
    return owners;
  }

  /**
   * What the parser could take at `column`, as a reader meets it. In the middle of a statement,
   * only what continues that statement: a new statement cannot begin there (it begins at the
   * start of a line, where everything is listed).
   */
  expectedAt(column: ParserColumn | undefined, token?: Token): string[] {
    const states = column?.states ?? [];
    const all = new Set<string>();
    for (const state of states) {
      const next = state.rule.symbols[state.dot];
      if (isTerminal(next)) all.add(describeSymbol(next));
    }
    const sorted = [...all].sort((a, b) => rank(a) - rank(b));
    const startsLine = token !== undefined && token.col === 1;
    if (startsLine || !this.inStatement(column)) return sorted;
    const continuing = sorted.filter((description) => !this.statementStarts.has(description));
    return continuing.length ? continuing : sorted;
  }

  /** Whether some statement has begun and is still being read at `column`. */
  private inStatement(column: ParserColumn | undefined): boolean {
    if (!column) return false;
    return column.states.some((state) => state.reference < column.index && this.statementParts.has(state.rule.name));
  }

  /** Whether `keyword` was already read by a construct still open at `column` (or one around it). */
  private insideOf(column: ParserColumn | undefined, keyword: string): boolean {
    const seen = new Set<ParserState>();
    const queue = [...(column?.states ?? [])];
    while (queue.length) {
      const state = queue.pop()!;
      if (seen.has(state)) continue;
      seen.add(state);
      if (state.rule.symbols.slice(0, state.dot).some((item) => isTerminal(item) && item.literal === keyword)) return true;
      queue.push(...state.wantedBy);
    }
    return false;
  }

  /** The diagnostic for a token the parser could not take at `column`. */
  unexpectedToken(token: Token, column: ParserColumn | undefined): Diagnostic {
    const expected = this.expectedAt(column, token);
    const span = { line: token.line, col: token.col, offset: token.offset, length: Math.max(1, token.text.length) };
    if (token.type === 'invalid') return invalidToken(token, expected);
    const words = expected.map(wordOf).filter((word): word is string => word !== undefined);
    if (token.type === 'keyword') {
      // A keyword used where it has no meaning: say where it has one.
      const owners = this.ownersOf(token.text).filter((owner) => !this.insideOf(column, owner));
      if (owners.length && owners.length <= 3 && !words.includes(token.text))
        return { code: 'UNEXPECTED_TOKEN', message: `"${token.text}" belongs to ${owners.length > 1 ? `${owners.slice(0, -1).join(', ')} or ${owners.at(-1)}` : owners[0]}`, span, expected };
    }
    if (token.col === 1 && this.statementStarts.has(`"${token.text}"`) && this.inStatement(column) && !expected.includes(`"${token.text}"`))
      return { code: 'UNEXPECTED_TOKEN', message: `"${token.text}" begins a statement, but the one before it is not finished`, span, expected };
    const operator = expected.some((e) => this.operators.has(e));
    const suggestion = token.type === 'identifier' || token.type === 'keyword' ? closest(token.text, words) : undefined;
    const hint = suggestion ? `; did you mean "${suggestion}"?` : '';
    if (token.type === 'identifier' && operator) return { code: 'UNKNOWN_OPERATOR', message: `unknown operator "${token.text}"${hint}`, span, expected };
    return { code: 'UNEXPECTED_TOKEN', message: `unexpected ${JSON.stringify(token.text)}${hint}`, span, expected };
  }
}

/** Characters that are not the language: an unterminated string or regex, a raw control character. */
function invalidToken(token: Token, expected: string[]): Diagnostic {
  const span = { line: token.line, col: token.col, offset: token.offset, length: 1 };
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
  if (text.startsWith('"') || text.startsWith('/')) {
    const what = badEscape
      ? 'invalid escape in string (use \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u followed by four hex digits)'
      : text.startsWith('"')
        ? 'unterminated string'
        : 'unterminated regular expression';
    return { code: 'INVALID_TOKEN', message: what, span: { ...span, length: firstLine.length }, expected };
  }
  // A symbol the language lacks, but one it has begins with (`=` for `==`).
  const symbol = expected.map((e) => /^"([^A-Za-z0-9_"]+)"$/.exec(e)?.[1]).find((s) => s !== undefined && s.startsWith(text[0]!));
  const hint = symbol ? `; did you mean "${symbol}"?` : '';
  return { code: 'INVALID_TOKEN', message: `unexpected character ${JSON.stringify(text[0])}${hint}`, span, expected };
}
