import type { Span } from './ast.js';

const marker = Symbol.for('handrail.error');

/** Stable codes of every error a user can cause; tests and tools match on these. */
export type PolicyErrorCode =
  | 'UNEXPECTED_TOKEN'
  | 'UNEXPECTED_END'
  | 'INVALID_TOKEN'
  | 'UNKNOWN_FACT'
  | 'UNKNOWN_OPERATOR'
  | 'UNKNOWN_PRESET'
  | 'UNKNOWN_COUNTER'
  | 'UNKNOWN_TYPE'
  | 'DUPLICATE_RULE'
  | 'DUPLICATE_FACT'
  | 'DUPLICATE_SETTING'
  | 'DUPLICATE_OPTION'
  | 'DUPLICATE_TOOL'
  | 'DUPLICATE_ARGUMENT'
  | 'UNKNOWN_ARGUMENT'
  | 'TYPE_MISMATCH'
  | 'INVALID_VALUE'
  | 'INVALID_REGEX'
  | 'UNSAFE_REGEX'
  | 'TOO_DEEP'
  | 'INVALID_COMPILED_POLICY';

/** One problem in a policy, as data: where it is and what was expected there. */
export interface Diagnostic {
  code: PolicyErrorCode;
  message: string;
  span: Span;
  expected?: string[];
}

/**
 * Root of every Handrail error. `isInstance` works across two copies of the package,
 * where `instanceof` would not.
 */
export class HandrailError extends Error {
  readonly [marker] = true;
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }

  static isInstance(value: unknown): value is HandrailError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

/**
 * A policy that cannot be compiled. Carries every diagnostic found and the source they point into,
 * so `format()` prints code frames with file:line:col.
 *
 * @example
 * try { compilePolicy(text, { file: 'invoices.policy' }) }
 * catch (error) { if (PolicyError.isInstance(error)) console.error(error.format()) }
 */
export class PolicyError extends HandrailError {
  readonly diagnostics: readonly Diagnostic[];
  readonly file: string;
  readonly source: string;

  constructor(diagnostics: readonly Diagnostic[], source: string, file = '<policy>') {
    const first = diagnostics[0];
    const where = first ? `${file}:${first.span.line}:${first.span.col}: ` : '';
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
    super(first?.code ?? 'INVALID_POLICY', `${where}${first?.message ?? 'invalid policy'}${more}`);
    this.diagnostics = diagnostics;
    this.file = file;
    this.source = source;
  }

  static override isInstance(value: unknown): value is PolicyError {
    return HandrailError.isInstance(value) && Array.isArray((value as PolicyError).diagnostics);
  }

  /** Every diagnostic as a code frame, ready to print. */
  format(): string {
    return this.diagnostics.map((d) => formatDiagnostic(d, this.source, this.file)).join('\n\n');
  }
}

/** A host program used the API wrongly (not a policy author's mistake). */
export class ConfigurationError extends HandrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIGURATION', message, options);
  }
}

/**
 * Prints one diagnostic (or, with `severity` "warning", one lint finding) as a code frame:
 *
 *     invoices.policy:7:14: error UNKNOWN_FACT: unknown fact "contnet"
 *        6 | rule review:
 *     >  7 |   when contnet contains "NEEDS_REVIEW"
 *          |        ^^^^^^^
 *       expected one of: content, role, sender, …
 */
export function formatDiagnostic(
  diagnostic: Omit<Diagnostic, 'code'> & { code: string },
  source: string,
  file: string,
  severity: 'error' | 'warning' = 'error',
): string {
  const { span } = diagnostic;
  const lines = source.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const first = Math.max(1, span.line - 1);
  const last = Math.max(span.line, Math.min(lines.length, span.line + 1));
  const width = String(last).length;
  const out = [`${file}:${span.line}:${span.col}: ${severity} ${diagnostic.code}: ${diagnostic.message}`];
  // A long line shows a window around the error, so a frame stays readable.
  const start = Math.max(0, span.col - 1 - 40);
  const clip = (text: string) => {
    if (text.length <= frameWidth) return text;
    const window = text.slice(start, start + frameWidth);
    return `${start > 0 ? '…' : ''}${window}${start + frameWidth < text.length ? '…' : ''}`;
  };
  for (let n = first; n <= last; n++) {
    const text = (lines[n - 1] ?? '').replace(/\r$/, '');
    out.push(`${n === span.line ? '>' : ' '} ${String(n).padStart(width)} | ${clip(text)}`);
    if (n === span.line) {
      const clipped = text.length > frameWidth;
      const column = clipped ? span.col - 1 - start + (start > 0 ? 1 : 0) : span.col - 1;
      const room = Math.max(1, Math.min(span.length, text.length - span.col + 1, clipped ? frameWidth - (span.col - 1 - start) : Infinity));
      out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column))}${'^'.repeat(room)}`);
    }
  }
  if (diagnostic.expected?.length) out.push(`  expected ${oneOf(diagnostic.expected)}`);
  return out.join('\n');
}

/** Characters of a source line a frame shows at most. */
const frameWidth = 120;

function oneOf(expected: readonly string[]): string {
  if (expected.length === 1) return expected[0] as string;
  return `one of: ${expected.join(', ')}`;
}
