// What lint reports: a code, a place in the policy's own file, and a message that says why and
// how to fix it. A finding never stops a policy from compiling; `check --strict` makes it fail.
import type { Span } from '../ast.js';

/**
 * Every lint code, with what it reports (see docs/policy-language.md, "Lint").
 *
 * @example
 * Object.keys(lintCodes); // ['UNREACHABLE_RULE', 'IMPOSSIBLE_CONDITION', …]
 */
export const lintCodes = {
  UNREACHABLE_RULE: 'a rule that never decides: a rule ranked before it holds whenever it holds',
  IMPOSSIBLE_CONDITION: 'tests joined by `and` that can never hold together',
  DUPLICATE_CONDITION: 'the same test twice in one `and` or `or`',
  IDENTICAL_RULES: 'two rules with the same condition and the same action',
  UNTYPED_ARGUMENT: 'a number compared on a tool argument that no tool declaration types',
  REGEX_MATCHES_EMPTY: 'a regular expression that matches the empty text, so its test holds on any text',
  SHADOWED_PRESET_RULE: "a rule of the file that keeps a rule of the mode's preset from ever deciding",
  PRESET_RULE_NAME: "a rule named like a rule of the mode's preset, which it does not replace",
  UNUSED_IGNORE: 'a `# handrail-ignore` comment that silences nothing',
} as const;

/**
 * The code of a lint finding; silence one with `# handrail-ignore CODE`.
 *
 * @example
 * const code: LintCode = 'UNREACHABLE_RULE';
 */
export type LintCode = keyof typeof lintCodes;

/**
 * One lint finding, positioned in the policy's file.
 *
 * @example
 * const findings = lintPolicy(text, { file: 'payments.policy' });
 * for (const finding of findings) console.log(finding.code, finding.span.line, finding.message);
 */
export interface LintFinding {
  code: LintCode;
  message: string;
  span: Span;
}
