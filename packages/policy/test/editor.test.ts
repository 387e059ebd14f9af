// The TextMate grammar for .policy files: valid JSON with the scopes editors expect, a keyword
// list that is the lexer's, the built-in facts of the package, and the colours a user sees on
// real lines (read with a small TextMate-style tokenizer below).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtInFacts } from '../src/index.js';
import { keywords } from '../src/syntax/lexer.js';

interface Capture {
  name?: string;
}
interface Pattern {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Record<string, Capture>;
  beginCaptures?: Record<string, Capture>;
  endCaptures?: Record<string, Capture>;
  patterns?: Pattern[];
  include?: string;
}
interface Grammar {
  name: string;
  scopeName: string;
  fileTypes: string[];
  patterns: Pattern[];
  repository: Record<string, Pattern>;
}

const grammarText = readFileSync(new URL('../editors/policy.tmLanguage.json', import.meta.url), 'utf8');
const grammar = JSON.parse(grammarText) as Grammar;
const suffix = '.handrail-policy';

function allPatterns(): Pattern[] {
  const out: Pattern[] = [];
  const visit = (pattern: Pattern) => {
    out.push(pattern);
    pattern.patterns?.forEach(visit);
  };
  grammar.patterns.forEach(visit);
  Object.values(grammar.repository).forEach(visit);
  return out;
}

/** Every scope name the grammar gives, in patterns and in captures. */
function scopeNames(): string[] {
  return allPatterns().flatMap((p) => [p.name, ...[p.captures, p.beginCaptures, p.endCaptures].flatMap((c) => Object.values(c ?? {}).map((x) => x.name))]).filter((n): n is string => n !== undefined);
}

/** The words of a `\b(?:a|b|c)\b` pattern. */
function wordsOf(match: string): string[] {
  const found = /^\\b\(\?:([a-z_|]+)\)\\b$/.exec(match);
  return found ? found[1]!.split('|') : [];
}

/** The patterns that apply at the top level, includes resolved, in order. */
function topLevel(patterns: Pattern[] = grammar.patterns): Pattern[] {
  return patterns.flatMap((pattern) => {
    if (pattern.include) return topLevel([grammar.repository[pattern.include.slice(1)]!]);
    if (!pattern.match && !pattern.begin && pattern.patterns) return topLevel(pattern.patterns);
    return [pattern];
  });
}

interface Token {
  text: string;
  scope: string;
}

/**
 * A TextMate tokenizer for one line, enough for this grammar: at each position the pattern whose
 * match starts first wins (the earlier pattern on a tie); begin/end regions read their own
 * patterns until their end. Each token gets its innermost scope, without the grammar's suffix.
 */
function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  const push = (text: string, scope: string | undefined) => {
    if (text.trim() !== '') tokens.push({ text: text.trim(), scope: (scope ?? '').replace(suffix, '') });
  };
  const emit = (match: RegExpExecArray, scope: string | undefined, captures: Record<string, Capture> | undefined) => {
    let at = match.index;
    const end = match.index + match[0].length;
    const groups = Object.entries(captures ?? {})
      .filter(([index]) => index !== '0' && match.indices![Number(index)])
      .map(([index, capture]) => ({ range: match.indices![Number(index)]!, name: capture.name }))
      .sort((a, b) => a.range[0] - b.range[0]);
    const whole = captures?.['0']?.name ?? scope;
    for (const group of groups) {
      push(line.slice(at, group.range[0]), whole);
      push(line.slice(group.range[0], group.range[1]), group.name ?? whole);
      at = group.range[1];
    }
    push(line.slice(at, end), whole);
  };
  const patterns = topLevel();
  let position = 0;
  while (position < line.length) {
    let best: { pattern: Pattern; match: RegExpExecArray } | undefined;
    for (const pattern of patterns) {
      const regex = new RegExp(pattern.match ?? pattern.begin!, 'dg');
      regex.lastIndex = position;
      const match = regex.exec(line);
      if (match && match[0].length && (!best || match.index < best.match.index)) best = { pattern, match };
    }
    if (!best) break;
    push(line.slice(position, best.match.index), undefined);
    const { pattern, match } = best;
    if (pattern.match) {
      emit(match, pattern.name, pattern.captures);
      position = match.index + match[0].length;
      continue;
    }
    // A begin/end region: its inner patterns, then its end.
    emit(match, pattern.name, pattern.beginCaptures);
    let inside = match.index + match[0].length;
    for (;;) {
      const end = new RegExp(pattern.end!, 'dg');
      end.lastIndex = inside;
      const closing = end.exec(line)!;
      let inner: RegExpExecArray | undefined;
      let innerPattern: Pattern | undefined;
      for (const candidate of pattern.patterns ?? []) {
        const regex = new RegExp(candidate.match!, 'dg');
        regex.lastIndex = inside;
        const found = regex.exec(line);
        if (found && found.index < closing.index && (!inner || found.index < inner.index)) [inner, innerPattern] = [found, candidate];
      }
      if (inner && innerPattern) {
        push(line.slice(inside, inner.index), pattern.name);
        emit(inner, innerPattern.name, undefined);
        inside = inner.index + inner[0].length;
        continue;
      }
      push(line.slice(inside, closing.index), pattern.name);
      emit(closing, pattern.name, pattern.endCaptures);
      position = closing.index + Math.max(1, closing[0].length);
      break;
    }
  }
  push(line.slice(position), undefined);
  return tokens;
}

const scopes = (line: string) => tokenize(line).map((t) => `${t.text} ${t.scope}`);

describe('the TextMate grammar', () => {
  it('is valid JSON with the scope name, file type and a suffix on every scope', () => {
    expect(grammar.scopeName).toBe('source.handrail-policy');
    expect(grammar.fileTypes).toEqual(['policy']);
    const names = scopeNames();
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) expect(name.endsWith(suffix), name).toBe(true);
    for (const expected of ['comment.line.number-sign', 'string.quoted.double', 'string.regexp', 'constant.numeric', 'constant.numeric.duration', 'keyword.control', 'keyword.operator.comparison', 'support.variable.fact', 'constant.character.escape']) {
      expect(names).toContain(expected + suffix);
    }
  });

  it('compiles every pattern as a regular expression', () => {
    for (const pattern of allPatterns()) for (const source of [pattern.match, pattern.begin, pattern.end]) if (source !== undefined) expect(() => new RegExp(source)).not.toThrow();
  });

  it('has the keywords of the lexer, no more and no fewer', () => {
    const words = Object.values(grammar.repository)
      .filter((p) => p.name?.startsWith('keyword.') || p.name?.startsWith('constant.language.'))
      .flatMap((p) => wordsOf(p.match ?? ''));
    expect(new Set(words).size).toBe(words.length);
    expect([...words].sort()).toEqual([...keywords].sort());
  });

  it('has the built-in facts of the package', () => {
    expect(wordsOf(grammar.repository['built-in-fact']!.match!).sort()).toEqual(Object.keys(builtInFacts).sort());
  });

  it('colours a rule as a reader expects', () => {
    expect(scopes('rule big_refund priority 3:')).toEqual([
      'rule keyword.other.declaration',
      'big_refund entity.name.function.rule',
      'priority keyword.other.declaration',
      '3 constant.numeric',
      ': punctuation.separator.colon',
    ]);
    expect(scopes('  when tool.args.default > 10m and not content matches /a\\/b[/]/i # note "x"')).toEqual([
      'when keyword.control',
      'tool support.variable.fact',
      '. punctuation.accessor',
      'args variable.other.property',
      '. punctuation.accessor',
      'default variable.other.property',
      '> keyword.operator.comparison',
      '10m constant.numeric.duration',
      'and keyword.operator.logical',
      'not keyword.operator.logical',
      'content support.variable.fact',
      'matches keyword.operator.word',
      '/ punctuation.definition.string.begin',
      'a\\/b[/] string.regexp',
      '/ punctuation.definition.string.end',
      'i keyword.other.regex-flags',
      '# punctuation.definition.comment',
      'note "x" comment.line.number-sign',
    ]);
    expect(scopes('  then escalate "say \\"hi\\"" via finance timeout 10m else stop')).toEqual([
      'then keyword.control',
      'escalate keyword.other.action',
      '" punctuation.definition.string.begin',
      'say string.quoted.double',
      '\\" constant.character.escape',
      'hi string.quoted.double',
      '\\" constant.character.escape',
      '" punctuation.definition.string.end',
      'via keyword.other.option',
      'finance entity.name.tag.channel',
      'timeout keyword.other.option',
      '10m constant.numeric.duration',
      'else keyword.control',
      'stop keyword.other.action',
    ]);
  });

  it('colours declarations, lists, numbers and custom facts', () => {
    expect(scopes('policy refunds version "2024-06"')).toEqual([
      'policy keyword.other.declaration',
      'refunds entity.name.type.policy',
      'version keyword.other.declaration',
      '" punctuation.definition.string.begin',
      '2024-06 string.quoted.double',
      '" punctuation.definition.string.end',
    ]);
    expect(scopes('fact tier: string')).toEqual(['fact keyword.other.declaration', 'tier variable.other.fact.declaration', ': punctuation.separator.type', 'string support.type.fact-type']);
    expect(scopes('mode terminate')).toEqual(['mode keyword.other.declaration', 'terminate support.constant.preset']);
    expect(scopes('when tier in [-1.5, 2] or every 5 auto_replies')).toEqual([
      'when keyword.control',
      'tier variable.other.fact',
      'in keyword.operator.word',
      '[ punctuation.section.brackets',
      '-1.5 constant.numeric',
      ', punctuation.separator.comma',
      '2 constant.numeric',
      '] punctuation.section.brackets',
      'or keyword.operator.logical',
      'every keyword.operator.word',
      '5 constant.numeric',
      'auto_replies support.variable.fact',
    ]);
  });
});

describe('the TextMate grammar on typed tools, paths and history', () => {
  it('colours a tool declaration, within and a window', () => {
    expect(scopes('tool refund(order: string, note?: string)')).toEqual([
      'tool keyword.other.declaration',
      'refund entity.name.function.tool',
      '( punctuation.section.parens',
      'order variable.parameter.tool',
      ': punctuation.separator.type',
      'string support.type.fact-type',
      ', punctuation.separator.comma',
      'note variable.parameter.tool',
      '? keyword.operator.optional',
      ': punctuation.separator.type',
      'string support.type.fact-type',
      ') punctuation.section.parens',
    ]);
    expect(scopes('when tool.args.path not within "./workspace" or history.errors >= 3 over the last 5 steps')).toEqual([
      'when keyword.control',
      'tool support.variable.fact',
      '. punctuation.accessor',
      'args variable.other.property',
      '. punctuation.accessor',
      'path variable.other.property',
      'not keyword.operator.logical',
      'within keyword.operator.word',
      '" punctuation.definition.string.begin',
      './workspace string.quoted.double',
      '" punctuation.definition.string.end',
      'or keyword.operator.logical',
      'history support.variable.fact',
      '. punctuation.accessor',
      'errors variable.other.property',
      '>= keyword.operator.comparison',
      '3 constant.numeric',
      'over keyword.operator.word',
      'the keyword.operator.word',
      'last keyword.operator.word',
      '5 constant.numeric',
      'steps keyword.operator.word',
    ]);
  });
});

describe('the language configuration', () => {
  it('is valid JSON with # for line comments', () => {
    const configuration = JSON.parse(readFileSync(new URL('../editors/language-configuration.json', import.meta.url), 'utf8')) as { comments: { lineComment: string } };
    expect(configuration.comments.lineComment).toBe('#');
  });
});
