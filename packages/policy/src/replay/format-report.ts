// A replay report as a person reads it in a terminal: what was read, counts per action and per
// deciding rule (side by side with the other policy's), failures, skipped and bad lines, and
// the turns decided differently.
import type { DecisionCounts, DecisionOutcome, ReplayDifference, ReplayPolicy, ReplayReport, TurnPlace } from './replay.js';

const number = (value: number) => value.toLocaleString('en-US');

function plural(count: number, word: string, many = `${word}s`): string {
  return `${number(count)} ${count === 1 ? word : many}`;
}

/** `10m`, `1h30m`, `1500ms`: durations as policies write them. */
function duration(ms: number): string {
  if (ms < 1000 || ms % 1000 !== 0) return `${ms}ms`;
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  let rest = ms;
  return units.map(([unit, size]) => {
    const count = Math.floor(rest / size);
    rest -= count * size;
    return count ? `${count}${unit}` : '';
  }).join('');
}

function policyLine(label: string, policy: ReplayPolicy): string {
  const name = policy.version !== undefined ? `${policy.name} version ${policy.version}` : policy.name;
  return `  ${label.padEnd(8)} ${policy.file !== undefined ? `${policy.file}  ` : ''}(${name}, ${policy.hash.slice(0, 19)}…)`;
}

/** Rows of a label and numbers, the numbers right-aligned in columns under the header. */
function table(header: string[], rows: Array<[string, ...number[]]>): string[] {
  const cells = [header, ...rows.map(([label, ...values]) => [`  ${label}`, ...values.map(number)])];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[i]! + 2))).join('').trimEnd());
}

function actionRows(counts: DecisionCounts[]): Array<[string, ...number[]]> {
  return [
    ['continue', ...counts.map((c) => c.actions.continue)],
    ['escalate', ...counts.map((c) => c.actions.escalate)],
    ['stop', ...counts.map((c) => c.actions.stop)],
    ['failed closed', ...counts.map((c) => c.failed.count)],
  ];
}

function ruleRows(counts: DecisionCounts[]): Array<[string, ...number[]]> {
  const names = new Set(counts.flatMap((c) => Object.keys(c.rules)));
  const total = (name: string) => counts.reduce((sum, c) => sum + (c.rules[name] ?? 0), 0);
  return [...names].sort((a, b) => total(b) - total(a) || (a < b ? -1 : 1)).map((name) => [name, ...counts.map((c) => c.rules[name] ?? 0)]);
}

const place = (at: TurnPlace) => `line ${at.line}${at.item !== undefined ? ` (turn ${at.item})` : ''}`;

/**
 * A decision in one line: action, deciding rule, reason, and the terms a host acts on.
 *
 * @example
 * describeOutcome(outcome); // 'escalate review "the agent asked for a review" [else stop, timeout 10m]'
 */
export function describeOutcome(outcome: DecisionOutcome): string {
  if (outcome.error) return `${outcome.action} (failed closed: ${outcome.error.code})`;
  const terms: string[] = [];
  if (outcome.action === 'escalate') {
    terms.push(`else ${outcome.onNoInput}`);
    if (outcome.timeoutMs !== undefined) terms.push(`timeout ${duration(outcome.timeoutMs)}`);
    if (outcome.channel !== undefined) terms.push(`via ${outcome.channel}`);
    if (outcome.prompt !== undefined) terms.push(`prompt ${JSON.stringify(outcome.prompt)}`);
  }
  if (outcome.action === 'continue' && outcome.reply !== undefined) terms.push(`reply ${JSON.stringify(outcome.reply)}`);
  for (const counter of outcome.reset) terms.push(`reset ${counter}`);
  return `${outcome.action} ${outcome.rule ?? '(default)'} ${JSON.stringify(outcome.reason)}${terms.length ? ` [${terms.join(', ')}]` : ''}`;
}

function difference(entry: ReplayDifference): string[] {
  return [`  ${place(entry)}`, `    old  ${describeOutcome(entry.old)}`, `    new  ${describeOutcome(entry.new)}`];
}

function failures(title: string, counts: DecisionCounts): string[] {
  if (!counts.failed.count) return [];
  const out = ['', `${title}: ${plural(counts.failed.count, 'decision')}`];
  for (const [code, count] of Object.entries(counts.failed.codes)) out.push(`  ${code}  ${number(count)}`);
  for (const failed of counts.failed.first) out.push(`  ${place(failed)}: ${failed.code}: ${failed.message}`);
  if (counts.failed.count > counts.failed.first.length) out.push(`  … ${plural(counts.failed.count - counts.failed.first.length, 'more')} not listed`);
  return out;
}

/**
 * The report as `handrail replay` prints it.
 *
 * @example
 * console.log(formatReplayReport(await replayFile(policy, 'runs.jsonl')));
 */
export function formatReplayReport(report: ReplayReport, options: { transcript?: string } = {}): string {
  const out: string[] = [`replay${options.transcript !== undefined ? ` ${options.transcript}` : ''}`, policyLine('policy', report.policy)];
  if (report.against) out.push(policyLine('against', report.against));
  const read = [plural(report.turns, 'turn')];
  if (report.skipped.count) read.push(`${number(report.skipped.count)} skipped (no turn)`);
  if (report.badLines.count) read.push(`${number(report.badLines.count)} bad`);
  if (report.blankLines) read.push(`${number(report.blankLines)} blank`);
  out.push(`  ${plural(report.lines, 'line')}: ${read.join(', ')}`);

  const counts = report.againstDecisions ? [report.decisions, report.againstDecisions] : [report.decisions];
  const columns = report.againstDecisions ? ['new', 'old'] : ['turns'];
  out.push('', ...table(['action', ...columns], actionRows(counts)));
  const rules = ruleRows(counts);
  if (rules.length) out.push('', ...table(['deciding rule', ...columns], rules));

  out.push(...failures(report.againstDecisions ? 'failed closed (new)' : 'failed closed', report.decisions));
  if (report.againstDecisions) out.push(...failures('failed closed (old)', report.againstDecisions));

  if (report.skipped.count) {
    out.push('', `skipped: ${plural(report.skipped.count, 'line')} without a turn`);
    for (const [type, count] of Object.entries(report.skipped.types)) out.push(`  ${type}  ${number(count)}`);
  }
  if (report.badLines.count) {
    out.push('', `bad lines: ${number(report.badLines.count)}`);
    for (const bad of report.badLines.first) out.push(`  line ${bad.line}: ${bad.message}`);
    if (report.badLines.count > report.badLines.first.length) out.push(`  … ${plural(report.badLines.count - report.badLines.first.length, 'more')} not listed`);
  }
  if (report.differences) {
    const { count, first } = report.differences;
    out.push('', count ? `differences: ${number(count)} of ${plural(report.turns, 'turn')} decided differently` : `differences: none, all ${plural(report.turns, 'turn')} decided alike`);
    for (const entry of first) out.push(...difference(entry));
    if (count > first.length) out.push(`  … ${plural(count - first.length, 'more')} not listed (the first ${number(first.length)} are)`);
  }
  return `${out.join('\n')}\n`;
}
