// Which rules and conditions of a policy the decided turns exercised.
//   A rule is covered when it held in at least one turn (it need not have decided).
//   A condition (a leaf test of a rule's tree, before any `not` above it is applied) is covered
//   when it was seen true in some turn and false in another.
// Every rule's tree is evaluated on every turn (explain: 'all'), so a condition counts whether or
// not its rule fired. A turn that failed closed evaluates no rule and counts for nothing.
import { isLeaf, type ConditionNode, type LeafCondition } from '../document.js';
import type { Decision, TraceNode } from '../decision.js';
import type { Policy } from '../policy.js';

export interface ConditionCoverage {
  /** A JSON Pointer into the rule's `conditions` in the compiled document: `/all/1/not`. */
  path: string;
  condition: LeafCondition;
  seenTrue: boolean;
  seenFalse: boolean;
}

export interface RuleCoverage {
  rule: string;
  /** In how many turns the rule held. */
  held: number;
  conditions: ConditionCoverage[];
}

/** The coverage of one policy by a set of decisions. */
export interface PolicyCoverage {
  policy: string;
  file?: string;
  /** How many turns were decided (failed-closed ones included). */
  turns: number;
  rules: RuleCoverage[];
  rulesCovered: number;
  conditionCount: number;
  conditionsCovered: number;
  /** Percentages, 100 when there is nothing to cover. */
  rulePercent: number;
  conditionPercent: number;
}

function leaves(node: ConditionNode, path: string, into: ConditionCoverage[]): void {
  if (isLeaf(node)) into.push({ path, condition: node, seenTrue: false, seenFalse: false });
  else if ('all' in node) node.all.forEach((child, i) => leaves(child, `${path}/all/${i}`, into));
  else if ('any' in node) node.any.forEach((child, i) => leaves(child, `${path}/any/${i}`, into));
  else leaves(node.not, `${path}/not`, into);
}

/** The trace node at a path of the rule's tree, if the trace has that shape. */
function nodeAt(trace: TraceNode, path: string): TraceNode | undefined {
  let node: TraceNode | undefined = trace;
  const parts = path.split('/').slice(1);
  for (let i = 0; i < parts.length && node; i++) {
    const part = parts[i]!;
    if (part === 'not') node = 'not' in node ? node.not : undefined;
    else if (part === 'all' || part === 'any') {
      const children: TraceNode[] | undefined = part === 'all' ? ('all' in node ? node.all : undefined) : 'any' in node ? node.any : undefined;
      node = children?.[Number(parts[++i])];
    } else node = undefined;
  }
  return node;
}

const percent = (part: number, whole: number) => (whole === 0 ? 100 : (100 * part) / whole);

/**
 * Measures what the decisions (taken with `explain: 'all'`) exercised of the policy.
 *
 * @example
 * const decisions = await Promise.all(turns.map((turn) => decide(policy, turn, { explain: 'all' })));
 * const { rulePercent, rules } = measureCoverage(policy, decisions);
 */
export function measureCoverage(policy: Policy, decisions: Iterable<Decision>): PolicyCoverage {
  const rules: RuleCoverage[] = policy.document.rules.map((rule) => {
    const conditions: ConditionCoverage[] = [];
    leaves(rule.conditions, '', conditions);
    return { rule: rule.name, held: 0, conditions };
  });
  const byName = new Map(rules.map((rule) => [rule.rule, rule]));
  let turns = 0;
  for (const decision of decisions) {
    turns++;
    for (const trace of decision.explanation) {
      const rule = byName.get(trace.rule);
      if (!rule) continue;
      if (trace.result) rule.held++;
      for (const condition of rule.conditions) {
        const node = nodeAt(trace.conditions, condition.path);
        if (!node || !('fact' in node)) continue;
        if (node.result) condition.seenTrue = true;
        else condition.seenFalse = true;
      }
    }
  }
  const rulesCovered = rules.filter((rule) => rule.held > 0).length;
  const all = rules.flatMap((rule) => rule.conditions);
  const conditionsCovered = all.filter((c) => c.seenTrue && c.seenFalse).length;
  return {
    policy: policy.name,
    ...(policy.file !== undefined ? { file: policy.file } : {}),
    turns,
    rules,
    rulesCovered,
    conditionCount: all.length,
    conditionsCovered,
    rulePercent: percent(rulesCovered, rules.length),
    conditionPercent: percent(conditionsCovered, all.length),
  };
}
