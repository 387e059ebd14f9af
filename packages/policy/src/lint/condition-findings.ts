// Findings inside one rule's condition: tests repeated, tests that cannot hold together, regexes
// that match any text, numbers compared on tool arguments no declaration types.
import type * as ast from '../ast.js';
import { matchesEmptyEverywhere } from '../regex-safety.js';
import type { LintFinding } from './finding.js';
import { firstImpossible } from './implication.js';
import { atomsOf, chainsOf, conjunctLiterals, literalOf, type Literal, type Term } from './terms.js';

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

/** The statement `tool name(arg: type, …)`, where the language has it. */
interface ToolDeclaration {
  kind: 'tool';
  name: ast.Identifier;
  params: Array<{ name: ast.Identifier; type: ast.Identifier; optional: boolean; span: ast.Span }>;
}

/** Declared tools by name, from statements of kind `tool` (none in a language without them). */
export function toolDeclarations(policy: ast.Policy): Map<string, ToolDeclaration> {
  const tools = new Map<string, ToolDeclaration>();
  for (const statement of policy.statements as ReadonlyArray<{ kind: string }>) {
    const declaration = statement as Partial<ToolDeclaration>;
    if (statement.kind === 'tool' && declaration.name && Array.isArray(declaration.params)) tools.set(declaration.name.name, declaration as ToolDeclaration);
  }
  return tools;
}

/** The argument a field names (`tool.args.amount` → `amount`), or undefined for other fields. */
function argumentOf(field: ast.Operand): string | undefined {
  if (field.kind !== 'field' || field.fact.name !== 'tool' || field.path[0]?.key !== 'args' || field.path.length < 2) return undefined;
  return String(field.path[1]!.key);
}

function untypedArguments(rule: LintedRule, source: string, tools: Map<string, ToolDeclaration>): LintFinding[] {
  if (tools.size === 0) return [];
  // The tools the rule is limited to, by `tool.name == …` or `tool.name in […]` in its top `and`.
  let names: string[] | undefined;
  for (const literal of conjunctLiterals(rule.term)) {
    const leaf = literal.atom.leaf;
    if (literal.negated || !leaf || leaf.fact !== 'tool' || leaf.path !== '$.name') continue;
    if (leaf.operator === 'equals' && typeof leaf.value === 'string') names = [leaf.value];
    else if (leaf.operator === 'oneOf' && Array.isArray(leaf.value)) names = leaf.value.map(String);
  }
  const findings: LintFinding[] = [];
  for (const atom of atomsOf(rule.term)) {
    if (atom.node.kind !== 'compare') continue;
    for (const side of [atom.node.field, atom.node.value]) {
      const argument = argumentOf(side);
      if (argument === undefined) continue;
      const field = excerpt(source, side.span);
      let problem: string | undefined;
      if (!names) problem = `the rule applies to every tool, and a tool with no declaration gives ${field} no type; limit it to declared tools (\`tool.name == "…" and …\`)`;
      else {
        const undeclared = names.find((name) => !tools.has(name));
        const missing = names.find((name) => tools.has(name) && !tools.get(name)!.params.some((param) => param.name.name === argument));
        if (undeclared !== undefined) problem = `tool ${undeclared} has no declaration; declare it with \`tool ${undeclared}(${argument}: number)\``;
        else if (missing !== undefined) problem = `tool ${missing} declares no argument ${argument}; add \`${argument}: number\` to its declaration`;
      }
      if (problem) findings.push({ code: 'UNTYPED_ARGUMENT', message: `${field} is compared as a number, but ${problem}`, span: side.span });
    }
  }
  return findings;
}

/** Every finding inside the conditions of the file's rules. */
export function conditionFindings(rules: readonly LintedRule[], source: string, policy: ast.Policy): LintFinding[] {
  const tools = toolDeclarations(policy);
  return rules.flatMap((rule) => [...duplicates(rule, source), ...impossible(rule, source), ...emptyMatches(rule, source), ...untypedArguments(rule, source, tools)]);
}
