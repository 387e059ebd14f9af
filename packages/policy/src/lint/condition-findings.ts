// Findings inside one rule's condition: tests repeated, tests that cannot hold together, regexes
// that match any text, numbers compared on tool arguments no declaration types.
import type * as ast from '../ast.js';
import { intersect, narrowing, resolveToolArgument, type Scope } from '../check.js';
import { matchesEmptyEverywhere } from '../regex-safety.js';
import type { LintFinding } from './finding.js';
import { firstImpossible } from './implication.js';
import { atomsOf, chainsOf, literalOf, type Literal, type Term } from './terms.js';

/** A rule as lint sees it. */
export interface LintedRule {
  rule: ast.Rule;
  term: Term;
}

/** The text of a part of the policy, shortened for a message. */
export function excerpt(source: string, span: ast.Span): string {
  const text = source.slice(span.offset, span.offset + span.length).replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

const place = (span: ast.Span) => `${span.line}:${span.col}`;

function duplicates(rule: LintedRule, source: string): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const chain of chainsOf(rule.term)) {
    const seen = new Map<string, ast.Span>();
    for (const part of chain.parts) {
      const first = seen.get(part.key);
      if (first)
        findings.push({
          code: 'DUPLICATE_CONDITION',
          message: `\`${excerpt(source, part.span)}\` is already in this \`${chain.kind}\` (at ${place(first)}); remove one of them`,
          span: part.span,
        });
      else seen.set(part.key, part.span);
    }
  }
  return findings;
}

function impossible(rule: LintedRule, source: string): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const chain of chainsOf(rule.term)) {
    if (chain.kind !== 'and') continue;
    const literals = chain.parts.map(literalOf).filter((literal): literal is Literal => literal !== undefined);
    const at = firstImpossible(literals);
    if (at < 0) continue;
    const culprit = literals[at]!;
    const before = literals.slice(0, at).filter((literal) => literal.atom.field === culprit.atom.field || literal.atom.key === culprit.atom.key);
    const others = (before.length ? before : literals.slice(0, at)).map((literal) => `\`${excerpt(source, literal.span)}\``).join(' and ');
    const consequence = chain === rule.term ? `so rule ${rule.rule.name.name} never fires` : 'so this `and` never holds';
    findings.push({
      code: 'IMPOSSIBLE_CONDITION',
      message: `\`${excerpt(source, culprit.span)}\` can never hold together with ${others}, ${consequence}; correct the values, or join the tests with \`or\` if either should do`,
      span: culprit.span,
    });
  }
  return findings;
}

function emptyMatches(rule: LintedRule, source: string): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const atom of atomsOf(rule.term)) {
    if (atom.node.kind !== 'matches' || !matchesEmptyEverywhere(atom.node.value.pattern)) continue;
    const regex = atom.node.value;
    findings.push({
      code: 'REGEX_MATCHES_EMPTY',
      message: `/${regex.pattern}/${regex.flags} matches the empty text, so \`${excerpt(source, atom.node.span)}\` holds on any text; make the pattern need at least one character (\`+\` instead of \`*\`, no \`?\` on the whole)`,
      span: regex.span,
    });
  }
  return findings;
}

/**
 * Numbers compared on tool arguments that the declarations say nothing about, once the policy
 * declares tools. Which tools a test is about, and what their declarations say, is the checker's
 * reading (`narrowing`, `resolveToolArgument`): undefined there means "any type", and a value
 * that is not a number then fails the decision closed at run time instead of being refused by the
 * declaration.
 */
function untypedArguments(rule: LintedRule, source: string, scope: Scope): LintFinding[] {
  if (scope.tools.size === 0) return [];
  const findings: LintFinding[] = [];
  const visit = (node: ast.Condition, narrowed: ReadonlySet<string> | undefined): void => {
    if (node.kind === 'and') {
      visit(node.left, intersect(narrowed, narrowing(node.right)));
      visit(node.right, intersect(narrowed, narrowing(node.left)));
    } else if (node.kind === 'or') {
      visit(node.left, narrowed);
      visit(node.right, narrowed);
    } else if (node.kind === 'not') visit(node.operand, narrowed);
    else if (node.kind === 'compare' || node.kind === 'every')
      for (const side of node.kind === 'compare' ? [node.field, node.value] : [node.field]) {
        if (side.kind !== 'field' || side.fact.name !== 'tool' || side.path[0]?.key !== 'args' || side.path.length < 2) continue;
        if (resolveToolArgument(side, { ...scope, narrowed }, () => {}) !== undefined) continue;
        const field = excerpt(source, side.span);
        const argument = String(side.path[1]!.key);
        const tools = narrowed ? [...narrowed] : [...scope.tools.keys()];
        const undeclared = tools.find((tool) => !scope.tools.has(tool));
        const open = tools.find((tool) => scope.tools.get(tool)?.openEnded && !scope.tools.get(tool)!.args.has(argument));
        const problem =
          undeclared !== undefined
            ? `tool ${undeclared} has no declaration; declare it with its arguments: \`tool ${undeclared}(${argument}: number)\``
            : open !== undefined
              ? `tool ${open} does not declare it (its \`...\` lets calls carry anything); add \`${argument}: number\` to its declaration`
              : `no declaration types it here`;
        findings.push({ code: 'UNTYPED_ARGUMENT', message: `${field} is compared as a number, but ${problem}`, span: side.span });
      }
  };
  visit(rule.rule.when, undefined);
  return findings;
}

/** Every finding inside the conditions of the file's rules. */
export function conditionFindings(rules: readonly LintedRule[], source: string, scope: Scope): LintFinding[] {
  return rules.flatMap((rule) => [...duplicates(rule, source), ...impossible(rule, source), ...emptyMatches(rule, source), ...untypedArguments(rule, source, scope)]);
}
