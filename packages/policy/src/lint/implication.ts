// Whether one condition holding means another holds: by syntax (the same test), by the parts of
// `and` and `or`, and by what the tests of an `and` say about one more test (entailment.ts).
// Sound but incomplete: false means "not shown", never "shown not to".
import { entailed } from './entailment.js';
import { conjunctLiterals, literalOf, type Literal, type Term } from './terms.js';

/** Steps one question may take; past it the answer is "not shown", so hostile policies stay fast. */
const stepBudget = 2_000;

/** Whether the literals, all holding, can never hold together; the index of the first that cannot, or -1. */
export function firstImpossible(literals: readonly Literal[]): number {
  for (let i = 1; i < literals.length; i++) {
    const literal = literals[i]!;
    const verdict = entailed(literal.atom, literals.slice(0, i));
    if (verdict !== undefined && verdict === literal.negated) return i;
  }
  return -1;
}

/**
 * Whether `condition` holding means `consequence` holds.
 *
 * @example
 * // `tool.name == "refund" and tool.args.amount > 500` implies `tool.args.amount > 100`
 */
export function implies(condition: Term, consequence: Term): boolean {
  const budget = { steps: stepBudget };
  return follows(condition, consequence, budget);
}

function follows(condition: Term, consequence: Term, budget: { steps: number }): boolean {
  if (--budget.steps < 0) return false;
  if (condition.key === consequence.key) return true;
  if (consequence.kind === 'and') return consequence.parts.every((part) => follows(condition, part, budget));
  if (condition.kind === 'or') return condition.parts.every((part) => follows(part, consequence, budget));
  if (consequence.kind === 'or' && consequence.parts.some((part) => follows(condition, part, budget))) return true;
  const wanted = literalOf(consequence);
  if (wanted) {
    const verdict = entailed(wanted.atom, conjunctLiterals(condition));
    if (verdict !== undefined && verdict !== wanted.negated) return true;
  }
  if (condition.kind === 'and') {
    if (condition.parts.some((part) => part.kind !== 'atom' && follows(part, consequence, budget))) return true;
    // Reason by cases on one `or` among the conjuncts: each of its parts, with the rest, must do.
    const split = condition.parts.findIndex((part) => part.kind === 'or');
    if (split >= 0) {
      const rest = condition.parts.filter((_, index) => index !== split);
      const alternatives = (condition.parts[split] as { parts: Term[] }).parts;
      return alternatives.every((alternative) => {
        const parts = [...rest, ...(alternative.kind === 'and' ? alternative.parts : [alternative])];
        // A case that cannot happen holds nothing up.
        if (firstImpossible(parts.map(literalOf).filter((literal): literal is Literal => literal !== undefined)) >= 0) return true;
        return follows({ kind: 'and', parts, key: `and(${parts.map((part) => part.key).join(',')})`, span: condition.span }, consequence, budget);
      });
    }
  }
  return false;
}
