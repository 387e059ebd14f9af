// A syntax error in the middle of a rule says what could continue the rule, never the keywords
// that begin a statement (`rule`, `mode`, `max`, `fact`, `default`, …): they cannot come there
// (a statement begins a line). Inputs are the shipped policies with a token inserted into a rule,
// or a rule cut short. HANDRAIL_FUZZ_RUNS multiplies the count.
import { describe, expect, it } from 'vitest';
import { compilePolicy, parsePolicy, PolicyError } from '../../packages/policy/src/index.js';
import { fuzzRuns } from './fuzz-runs.js';
import { random, shippedPolicies } from './policy-seeds.js';

const runs = fuzzRuns(1_500);

const seeds = shippedPolicies;

function refusal(source: string): PolicyError | undefined {
  try {
    compilePolicy(source, { file: 'p.policy' });
    return undefined;
  } catch (error) {
    if (PolicyError.isInstance(error)) return error;
    throw error;
  }
}

/** The keywords a statement begins with, as the parser lists them at the start of a line. */
const statementKeywords = refusal('policy p\n@')!.diagnostics[0]!.expected!.filter((e) => e !== '"version"');

/** Where each rule of a policy lies, and the token boundaries inside it that are not a line's start. */
function ruleGaps(source: string): Array<{ start: number; end: number; gaps: number[] }> {
  return parsePolicy(source)
    .statements.filter((statement) => statement.kind === 'rule')
    .map(({ span }) => {
      const start = span.offset;
      const end = span.offset + span.length;
      const gaps: number[] = [];
      for (const match of source.slice(start, end).matchAll(/\s+/g)) {
        const at = start + match.index! + match[0].length;
        if (source[at - 1] !== '\n') gaps.push(start + match.index!);
      }
      gaps.push(end);
      return { start, end, gaps };
    });
}


const intruders = [
  'rule', 'mode', 'max', 'fact', 'default', 'policy', 'version', 'when', 'then', 'and', 'or', 'not', 'contains', 'any', 'all',
  'starts', 'ends', 'with', 'equals', 'matches', 'in', 'exists', 'ignoring', 'case', 'every', 'continue', 'escalate', 'stop',
  'via', 'timeout', 'else', 'prompt', 'reset', 'reply', 'true', 'false', 'priority', 'stpo', 'rul', 'contnet', 'x', '"text"',
  '3', '10m', '50EUR', '/a/', '/^/etc/', '(', ')', '[', ']', ',', ':', '.', '==', '=', '>', '!', '@',
];

describe('a syntax error in the middle of a rule', () => {
  it(`lists what continues the rule, never a statement's keyword (${runs} inputs)`, () => {
    expect(statementKeywords).toEqual(expect.arrayContaining(['"rule"', '"mode"', '"max"', '"fact"', '"default"']));
    const failures: string[] = [];
    let checked = 0;
    for (let i = 0; i < runs && failures.length < 10; i++) {
      const rng = random(i + 1);
      const seed = rng.pick(seeds);
      const rules = ruleGaps(seed);
      if (!rules.length) continue;
      const rule = rng.pick(rules);
      const at = rng.pick(rule.gaps);
      const cut = rng.int(4) === 0;
      const source = cut ? seed.slice(0, at) : `${seed.slice(0, at)} ${rng.pick(intruders)} ${seed.slice(at)}`;
      const error = refusal(source);
      const first = error?.diagnostics[0];
      // Only syntax errors inside the rule, away from a line's start.
      if (!first?.expected || first.span.offset <= rule.start || first.span.offset > rule.end + 16 || first.span.col === 1) continue;
      if (first.code.startsWith('UNKNOWN_') && first.code !== 'UNKNOWN_OPERATOR') continue;
      checked++;
      const listed = first.expected.filter((e) => statementKeywords.includes(e));
      if (listed.length) failures.push(`input #${i + 1}: ${first.code} at ${first.span.line}:${first.span.col} lists ${listed.join(', ')}\n${error!.format()}`);
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(runs / 4);
  }, 300_000);
});
