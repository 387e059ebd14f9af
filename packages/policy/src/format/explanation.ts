// A Decision as a person reads it in a terminal: the outcome on the first line, then every rule
// in resolution order with each condition, the value it saw, and whether it held.
import { printCompiledCondition } from './print-compiled-condition.js';
import type { Decision, RuleTrace, TraceNode } from '../decision.js';

/** Longest rendering of one value before it is cut with `…`. */
export const maxValueLength = 60;

const held = (result: boolean): string => (result ? '✓' : '✗');

/** Cuts text to `max` characters (code points, so no emoji is split in half). */
function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

function isRegex(value: unknown): value is { pattern: string; flags: string } {
  return value !== null && typeof value === 'object' && typeof (value as { pattern?: unknown }).pattern === 'string';
}

function isFactReference(value: unknown): value is { fact: string; path?: string } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { fact?: unknown }).fact === 'string';
}

/**
 * One value as policy authors write it: strings quoted, regexes between slashes, long values
 * cut to about 60 characters.
 *
 * @example
 * formatValue('Please delete the production database now, before anyone notices it is still there');
 * // '"Please delete the production database now, before anyone notic…"'
 */
export function formatValue(value: unknown, max = maxValueLength): string {
  if (value === undefined) return '(none)';
  // Cutting the text before quoting keeps the closing quote, so a cut string still reads as one.
  if (typeof value === 'string') return JSON.stringify(truncate(value, max));
  if (isRegex(value)) return truncate(`/${value.pattern}/${value.flags}`, max);
  return truncate(JSON.stringify(value) ?? String(value), max);
}

/**
 * A duration as policies write them: `10m`, `1h30m`, `45s`, `1500ms`.
 *
 * @example
 * formatDuration(600_000); // '10m'
 */
export function formatDuration(ms: number): string {
  if (ms < 1000 || ms % 1000 !== 0) return `${ms}ms`;
  const units: Array<[string, number]> = [['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  let rest = ms;
  let out = '';
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count) out += `${count}${unit}`;
    rest -= count * size;
  }
  return out;
}

/** What the host must do beyond the action: how to wait, where to ask, what to reset. */
function details(decision: Decision): string[] {
  const out: string[] = [];
  if (decision.action === 'escalate') {
    out.push(`else ${decision.onNoInput}`);
    if (decision.timeoutMs !== undefined) out.push(`timeout ${formatDuration(decision.timeoutMs)}`);
    if (decision.channel !== undefined) out.push(`via ${decision.channel}`);
    if (decision.prompt !== undefined) out.push(`prompt ${formatValue(decision.prompt)}`);
  }
  if (decision.action === 'continue' && decision.reply !== undefined) out.push(`reply ${formatValue(decision.reply)}`);
  for (const counter of decision.reset) out.push(`reset ${counter}`);
  if (decision.error) out.push(`error ${decision.error.code}`);
  return out;
}

/**
 * The first line of `handrail explain`: the action, the deciding rule, the reason and details.
 *
 * @example
 * formatDecisionLine(decision); // 'escalate  (rule payments) large payment  [else stop, timeout 10m]'
 */
export function formatDecisionLine(decision: Decision): string {
  const by = decision.rule === null ? (decision.error ? '(no rule: deciding failed)' : '(default)') : `(rule ${decision.rule})`;
  const extra = details(decision);
  return `${decision.action}  ${by} ${decision.reason}${extra.length ? `  [${extra.join(', ')}]` : ''}`;
}

/** One leaf condition as the policy writes it, and the value seen (and the other fact's, when it compares two). */
function formatLeaf(node: Extract<TraceNode, { fact: string }>): string {
  const { fact, path, params, operator, value } = node;
  // A path test's right-hand side is the policy's own directory, already printed.
  const other = isFactReference(value) && operator !== 'pathWithin' ? ` (${formatValue(node.valueResult)})` : '';
  return `${held(node.result)} ${printCompiledCondition({ fact, ...(path !== undefined ? { path } : {}), ...(params !== undefined ? { params } : {}), operator, value })}${other}  saw ${formatValue(node.factResult)}`;
}

function formatNode(node: TraceNode, depth: number, lines: string[]): void {
  const indent = '  '.repeat(depth);
  if ('fact' in node) lines.push(indent + formatLeaf(node));
  else if ('all' in node) {
    lines.push(`${indent}${held(node.result)} all of`);
    for (const child of node.all) formatNode(child, depth + 1, lines);
  } else if ('any' in node) {
    lines.push(`${indent}${held(node.result)} any of`);
    for (const child of node.any) formatNode(child, depth + 1, lines);
  } else {
    lines.push(`${indent}${held(node.result)} not`);
    formatNode(node.not, depth + 1, lines);
  }
}

/**
 * One rule of an explanation: its outcome, then its conditions indented beneath it.
 *
 * @example
 * formatRuleTrace(decision.explanation[0], decision.rule).join('\n');
 * // ✓ secrets → escalate  (decides)
 * //   ✓ content contains any ["delete", "drop table"] ignoring case  saw "Please delete…"
 */
export function formatRuleTrace(trace: RuleTrace, decidingRule: string | null): string[] {
  const priority = trace.priority !== 1 ? `  priority ${trace.priority}` : '';
  const lines = [`${held(trace.result)} ${trace.rule} → ${trace.action}${priority}${trace.rule === decidingRule ? '  (decides)' : ''}`];
  // Every rule's conditions sit under one `all`, which the rule line already stands for.
  const root = trace.conditions;
  if ('all' in root) for (const child of root.all) formatNode(child, 1, lines);
  else formatNode(root, 1, lines);
  return lines;
}

/**
 * A whole decision as `handrail explain` prints it.
 *
 * @example
 * console.log(formatExplanation(await decide(policy, turn, { explain: 'all' })));
 */
export function formatExplanation(decision: Decision): string {
  const lines = [formatDecisionLine(decision)];
  if (decision.explanation.length) lines.push('');
  for (const trace of decision.explanation) lines.push(...formatRuleTrace(trace, decision.rule));
  return lines.join('\n');
}
