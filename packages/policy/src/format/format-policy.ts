// `handrail fmt`: one canonical layout for policy text. Parse, place the comments, print, and
// check that the result parses to the same policy with the same comments.
import { parsePolicy } from '../syntax/parse.js';
import { placeComments } from './anchors.js';
import { meaningOf } from './meaning.js';
import { printPolicy } from './print-policy.js';
import { SourceText } from './source-text.js';

/**
 * How `formatPolicy` reads and lays out a policy.
 *
 * @example
 * formatPolicy(text, { file: 'invoices.policy', width: 80 });
 */
export interface FormatOptions {
  /** The file name shown in errors (`invoices.policy:7:14`). */
  file?: string;
  /** The line width the layout aims for; 100 by default. Long strings and lists still overflow. */
  width?: number;
}

/**
 * The width `formatPolicy` aims for when none is given.
 *
 * @example
 * formatPolicy(text, { width: defaultLineWidth - 20 });
 */
export const defaultLineWidth = 100;

/**
 * Formats policy text in the canonical layout (see docs/testing-policies.md, "Formatting and
 * replay"). Idempotent; keeps every comment and the compiled policy's hash. Throws a PolicyError
 * (with a code frame) when the text does not parse; a policy that parses but does not compile
 * (an unknown fact, say) is still formatted.
 *
 * @example
 * formatPolicy('policy demo\nrule done: when content ends with "TERMINATE" then stop');
 * // 'policy demo\nrule done: when content ends with "TERMINATE" then stop\n'
 */
export function formatPolicy(source: string, options: FormatOptions = {}): string {
  const policy = parsePolicy(source, options.file !== undefined ? { file: options.file } : {});
  const text = new SourceText(source);
  const formatted = printPolicy({ source: text, anchors: placeComments(policy, text), width: options.width ?? defaultLineWidth }, policy);
  // A guard against the formatter's own bugs: a file is never rewritten into another policy.
  let again: string | undefined;
  try {
    again = meaningOf(parsePolicy(formatted));
  } catch {
    again = undefined;
  }
  if (again !== meaningOf(policy)) throw new Error(`internal error: formatting ${options.file ?? 'the policy'} would change it; please report this with the file`);
  return formatted;
}
