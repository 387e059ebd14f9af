// Lint: findings about a policy that compiles but does not do what its author meant. Reads the
// policy text (parsed again for the places of things) beside its compiled form (for the ranking
// decide uses, a mode's preset rules included).
import type * as ast from '../ast.js';
import { checkPolicy, resolveField, type Scope } from '../check.js';
import { compilePolicy, type LoadOptions } from '../compile/compile.js';
import { formatDiagnostic } from '../errors.js';
import { presetNames, presetSource, type PresetName } from '../presets.js';
import { parsePolicy } from '../syntax/parse.js';
import { conditionFindings, type LintedRule } from './condition-findings.js';
import type { LintFinding } from './finding.js';
import { applyIgnores } from './ignore.js';
import { ruleFindings, type RankedRule } from './rule-findings.js';
import { toTerm, type TypeOf } from './terms.js';

function lintedRules(policy: ast.Policy): { rules: LintedRule[]; scope: Scope } {
  const { checked } = checkPolicy(policy, presetNames);
  // Conditions are read as the compiler reads them (to-document.ts), so keys match compiled tests.
  const typeOf: TypeOf = (field) => resolveField(field, checked.customFacts, () => {})?.type;
  return { rules: checked.rules.map((rule) => ({ rule, term: toTerm(rule.when, typeOf) })), scope: { customFacts: checked.customFacts, tools: checked.tools, narrowed: undefined } };
}

/**
 * Lints policy text. Throws a PolicyError when it does not compile (as `compilePolicy` does);
 * otherwise returns the findings that no `# handrail-ignore` comment silences, in file order.
 *
 * @example
 * const findings = lintPolicy('policy p\nrule big: when step > 10 and step < 5 then stop', { file: 'p.policy' });
 * findings[0].code; // 'IMPOSSIBLE_CONDITION'
 */
export function lintPolicy(source: string, options: LoadOptions = {}): LintFinding[] {
  const policy = compilePolicy(source, options);
  const syntax = parsePolicy(source, options.file !== undefined ? { file: options.file } : {});
  const { rules: own, scope } = lintedRules(syntax);
  const compiled = new Map(policy.document.rules.map((rule) => [rule.name, rule]));
  const ranked: RankedRule[] = own.map(({ rule, term }) => ({ compiled: compiled.get(rule.name.name)!, term, rule }));
  if (policy.mode !== undefined) {
    const preset = presetSource(policy.mode as PresetName);
    for (const { rule, term } of lintedRules(parsePolicy(preset.source, { file: preset.file })).rules) {
      const found = compiled.get(`${policy.mode}.${rule.name.name}`);
      if (found) ranked.push({ compiled: found, term, preset: { mode: policy.mode, name: rule.name.name } });
    }
  }
  const findings = [...conditionFindings(own, source, scope), ...ruleFindings(ranked)];
  return applyIgnores(findings, syntax.comments, source).sort((a, b) => a.span.offset - b.span.offset || a.code.localeCompare(b.code));
}

/**
 * A finding as a code frame, as `handrail lint` prints it.
 *
 * @example
 * for (const finding of lintPolicy(text, { file })) console.error(formatFinding(finding, text, file));
 */
export function formatFinding(finding: LintFinding, source: string, file: string): string {
  return formatDiagnostic(finding, source, file, 'warning');
}
