// Findings between rules, in resolution order (compareRules, the order decide uses): a rule that a
// rule ranked before it always beats, two rules alike, and a mode's preset rules a file rule
// keeps from deciding.
import type * as ast from '../ast.js';
import { compareRules } from '../decision.js';
import type { CompiledRule } from '../document.js';
import type { LintFinding } from './finding.js';
import { firstImpossible, implies } from './implication.js';
import { atomsOf, conjunctLiterals, type Term } from './terms.js';

/** A rule of the policy in resolution order, with where it came from. */
export interface RankedRule {
  compiled: CompiledRule;
  term: Term;
  /** The rule as written in the file; absent for a mode's preset rules. */
  rule?: ast.Rule;
  /** For a preset's rule: the mode and the rule's name in the preset. */
  preset?: { mode: string; name: string };
}

const article = { stop: 'a stop', escalate: 'an escalation', continue: 'a continue' } as const;

/** Why `winner` decides rather than `loser` when both fire, in words. */
function whyFirst(winner: RankedRule, loser: RankedRule): string {
  const [a, b] = [winner.compiled, loser.compiled];
  if (a.event.type !== b.event.type) return `${article[a.event.type]} beats ${article[b.event.type]} whatever the priority`;
  if (a.priority !== b.priority) return `it has priority ${a.priority} and this rule ${b.priority}`;
  return loser.preset && !winner.preset ? "a file's own rules come before its mode's" : 'it comes first in the policy';
}

/** How to let `later` decide: a priority helps only between rules of one action. */
function fixFor(earlier: RankedRule, later: RankedRule): string {
  const narrow = `narrow ${earlier.compiled.name} so that it leaves this case alone (\`and not …\`)`;
  if (earlier.compiled.event.type !== later.compiled.event.type) return `${narrow}, or remove this rule`;
  return `give this rule a higher priority (\`rule ${later.compiled.name} priority ${earlier.compiled.priority + 1}:\`), ${narrow}, or remove it`;
}

function describe(rule: RankedRule): string {
  return rule.preset ? `rule ${rule.compiled.name} (from \`mode ${rule.preset.mode}\`)` : `rule ${rule.compiled.name} (line ${rule.rule!.name.span.line})`;
}

/** The fields a condition reads; two rules that share none cannot imply one another. */
function fieldsOf(term: Term): Set<string> {
  return new Set(atomsOf(term).map((atom) => atom.field ?? atom.key));
}

/** What comparing two rules needs, computed once per rule. */
interface Prepared {
  fields: Set<string>;
  /** The fields a rule's condition must share with another's for the other to imply it. */
  needs: string[];
  /** The condition and the action as text: equal text, identical rules. */
  body: string;
}

/**
 * Fields every proof of `term` needs in the condition it is proved from: each of an `and`'s
 * parts must be proved, and one of an `or`'s.
 */
function neededFields(term: Term): Set<string> {
  if (term.kind === 'atom') return new Set([term.field ?? term.key]);
  if (term.kind === 'not') return neededFields(term.operand);
  const parts = term.parts.map(neededFields);
  if (term.kind === 'and') return new Set(parts.flatMap((part) => [...part]));
  return new Set([...parts[0]!].filter((field) => parts.every((part) => part.has(field))));
}

function prepare(rule: RankedRule): Prepared {
  const { rule: _name, order: _order, ...params } = rule.compiled.event.params;
  return {
    fields: fieldsOf(rule.term),
    needs: [...neededFields(rule.term)],
    body: JSON.stringify([rule.compiled.conditions, rule.compiled.event.type, params]),
  };
}

/** Every finding between rules. `rules` are the file's rules and its mode's, in any order. */
export function ruleFindings(rules: readonly RankedRule[]): LintFinding[] {
  const ranked = [...rules].sort((a, b) => compareRules(a.compiled, b.compiled));
  const prepared = new Map(ranked.map((rule) => [rule, prepare(rule)]));
  const findings: LintFinding[] = [];
  const shadowed = new Set<RankedRule>();
  const firstWithBody = new Map<string, RankedRule>();
  ranked.forEach((later, index) => {
    const own = prepared.get(later)!;
    const twin = firstWithBody.get(own.body);
    if (!twin && later.rule) firstWithBody.set(own.body, later);
    // A rule that can never fire is IMPOSSIBLE_CONDITION's to report.
    if (firstImpossible(conjunctLiterals(later.term)) >= 0) return;
    if (twin && later.rule) {
      findings.push({
        code: 'IDENTICAL_RULES',
        message: `rule ${later.compiled.name} has the same condition and action as ${describe(twin)}, which decides instead of it; remove one of them`,
        span: later.rule.name.span,
      });
      return;
    }
    for (let i = 0; i < index; i++) {
      const earlier = ranked[i]!;
      // Only a condition that reads every field a proof of the earlier one needs can imply it.
      if (!prepared.get(earlier)!.needs.every((field) => own.fields.has(field)) || !implies(later.term, earlier.term)) continue;
      if (later.rule) {
        findings.push({
          code: 'UNREACHABLE_RULE',
          message: `rule ${later.compiled.name} never decides: whenever it holds, ${describe(earlier)} holds too and wins (${whyFirst(earlier, later)}); ${fixFor(earlier, later)}`,
          span: later.rule.name.span,
        });
        return;
      }
      if (earlier.rule && later.preset) {
        shadowed.add(later);
        findings.push({
          code: 'SHADOWED_PRESET_RULE',
          message: `rule ${earlier.compiled.name} keeps ${describe(later)} from ever deciding: whenever the preset's rule holds, this one holds too and wins (${whyFirst(earlier, later)}); if that is meant, say so with \`# handrail-ignore SHADOWED_PRESET_RULE\`, else narrow this rule`,
          span: earlier.rule.name.span,
        });
        return;
      }
    }
  });
  for (const own of ranked) {
    if (!own.rule) continue;
    const namesake = ranked.find((other) => other.preset?.name === own.compiled.name && !shadowed.has(other));
    if (namesake)
      findings.push({
        code: 'PRESET_RULE_NAME',
        message: `rule ${own.compiled.name} does not replace ${describe(namesake)}: both take part in every decision; rename this rule, or make it hold whenever the preset's does so that it decides instead`,
        span: own.rule.name.span,
      });
  }
  return findings;
}
