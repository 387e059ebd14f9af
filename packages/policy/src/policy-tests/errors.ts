// A test file that cannot be used: errors as data with a place, printed as code frames, like a
// policy's.
import type { Span } from '../ast.js';
import { HandrailError, formatDiagnostic, type Diagnostic } from '../errors.js';

/** Stable codes of the problems a test file can have. */
export type PolicyTestErrorCode =
  /** Not JSON, or JSON that breaks the schema of the test format. */
  | 'INVALID_TEST_FILE'
  /** The policy the file tests cannot be read. */
  | 'POLICY_NOT_FOUND'
  /** An expectation names a rule the policy does not have. */
  | 'UNKNOWN_RULE'
  /** A turn gives a value for a fact the policy does not declare. */
  | 'UNKNOWN_FACT';

/** One problem in a test file, where it is and what was expected there. */
export interface PolicyTestDiagnostic {
  code: PolicyTestErrorCode;
  message: string;
  span: Span;
  expected?: string[];
}

/**
 * A policy test file that cannot be run. Carries every problem found, printed by `format()` as
 * code frames (`invoices.policy.test.json:12:17`).
 *
 * @example
 * try { await loadPolicyTestFile('invoices.policy.test.json') }
 * catch (error) { if (PolicyTestError.isInstance(error)) console.error(error.format()) }
 */
export class PolicyTestError extends HandrailError {
  readonly diagnostics: readonly PolicyTestDiagnostic[];
  readonly file: string;
  readonly source: string;

  constructor(diagnostics: readonly PolicyTestDiagnostic[], source: string, file: string) {
    const first = diagnostics[0];
    const where = first ? `${file}:${first.span.line}:${first.span.col}: ` : '';
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
    super(first?.code ?? 'INVALID_TEST_FILE', `${where}${first?.message ?? 'invalid test file'}${more}`);
    this.diagnostics = diagnostics;
    this.file = file;
    this.source = source;
  }

  static override isInstance(value: unknown): value is PolicyTestError {
    return HandrailError.isInstance(value) && (value as { name?: unknown }).name === 'PolicyTestError' && Array.isArray((value as PolicyTestError).diagnostics);
  }

  /** Every problem as a code frame, ready to print. */
  format(): string {
    // The frame reads the code only as text, so a test file's codes print as a policy's do.
    return this.diagnostics.map((d) => formatDiagnostic(d as Omit<PolicyTestDiagnostic, 'code'> as Diagnostic, this.source, this.file)).join('\n\n');
  }
}
