// Lint's claims against what deciding does. Generated policies over a few fields, with `and`,
// `or`, `not`, ranges, values, lists, text tests, regexes and a mode's preset; every claim lint
// makes that a rule never decides (UNREACHABLE_RULE, IDENTICAL_RULES, SHADOWED_PRESET_RULE) or
// never fires (IMPOSSIBLE_CONDITION) is tried on generated turns, present, absent and mistyped
// values included: a turn on which the rule decides (or fires) would be a wrong finding, which
// could lead someone to delete a rule that matters. Hostile sizes lint in bounded time.
// HANDRAIL_FUZZ_RUNS multiplies the number of generated policies.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, decideSync, lintPolicy, type Turn } from '../../packages/policy/src/index.js';
import { fuzzRuns } from './fuzz-runs.js';

const small = fc.integer({ min: -1, max: 6 });
const word = fc.constantFrom('a', 'b', 'ab', 'ba', 'aa');
const scalar = fc.oneof(small, word.map((w) => JSON.stringify(w)), fc.constantFrom('"1"', '"2"', 'true'));
const compare = fc.constantFrom('>', '>=', '<', '<=');
const text = fc.constantFrom('content', 'error', 'tool.args.s');
const textTest = fc.constantFrom('contains', 'starts with', 'ends with', '==');

const atom: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('step', 'tool.args.n'), compare, small).map(([f, op, n]) => `${f} ${op} ${n}`),
  fc.tuple(fc.constantFrom('step', 'tool.args.n'), small).map(([f, n]) => `${f} == ${n}`),
  fc.tuple(fc.constantFrom('tool.args.v'), fc.constantFrom('==', '!='), scalar).map(([f, op, v]) => `${f} ${op} ${v}`),
  fc.tuple(fc.constantFrom('tool.args.v', 'tool.name'), fc.constantFrom('in', 'not in'), fc.array(word, { minLength: 1, maxLength: 3 })).map(
    ([f, op, items]) => `${f} ${op} [${items.map((w) => JSON.stringify(w)).join(', ')}]`,
  ),
  fc.tuple(text, textTest, word, fc.boolean()).map(([f, op, w, ignore]) => `${f} ${op} ${JSON.stringify(ignore ? w.toUpperCase() : w)}${ignore && op !== '==' ? ' ignoring case' : ''}`),
  fc.tuple(text, fc.constantFrom('/a*/', '/^a/', '/b$/', '/ab?/i', '/^$/')).map(([f, r]) => `${f} matches ${r}`),
  fc.constantFrom('error exists', 'tool.args.s exists', 'is_termination', 'auto_replies >= max_auto_replies', 'every 2 step'),
);

const condition: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    atom,
    fc.tuple(tie('node'), fc.constantFrom('and', 'or'), tie('node')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    tie('node').map((a) => `not ${a}`),
  ),
})).node;

const action = fc.constantFrom('continue', 'escalate', 'stop', 'escalate "x"');
const rule = fc.tuple(condition, action, fc.constantFrom('', ' priority 2'));

const policySource = fc
  .tuple(fc.constantFrom('', 'mode never\n', 'mode terminate\n', 'mode always\n'), fc.array(rule, { minLength: 2, maxLength: 6 }), fc.array(fc.nat(5), { maxLength: 3 }))
  .map(([mode, rules, copies]) => {
    // Copies of earlier rules' conditions, alone or narrowed, make implication likely.
    const all = [...rules];
    for (const index of copies) {
      const [when, then] = rules[index % rules.length]!;
      all.push([index % 2 ? `${when} and step > 2` : when, then, '']);
    }
    return `policy generated\n${mode}${all.map(([when, then, priority], i) => `rule r${i}${priority}: when ${when} then ${then}`).join('\n')}\n`;
  });

const value = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  small,
  word,
  fc.constantFrom('A', 'AB', '', '1', '2', '1.0', true, false),
);

const turn: fc.Arbitrary<Turn> = fc
  .record({
    content: fc.constantFrom('', 'a', 'ab', 'ba', 'AB', 'aab', 'TERMINATE'),
    step: fc.option(small, { nil: undefined }),
    error: fc.option(fc.constantFrom('a', 'ab', 'BA', ''), { nil: undefined }),
    autoReplies: fc.nat(4),
    maxAutoReplies: fc.nat(4),
    isTermination: fc.boolean(),
    name: fc.constantFrom('a', 'b', 'ab'),
    n: value,
    v: value,
    s: value,
  })
  .map(({ content, step, error, autoReplies, maxAutoReplies, isTermination, name, n, v, s }) => {
    const args: Record<string, unknown> = {};
    for (const [key, item] of Object.entries({ n, v, s })) if (item !== undefined) args[key] = item;
    return {
      content,
      role: 'assistant',
      autoReplies,
      maxAutoReplies,
      isTermination,
      tool: { name, arguments: args },
      ...(step !== undefined ? { step } : {}),
      ...(error !== undefined ? { error } : {}),
    } as Turn;
  });

/** What a finding claims: this rule never decides, or never fires. */
function claims(source: string): Array<{ rule: string; never: 'decides' | 'fires'; code: string }> {
  const out: Array<{ rule: string; never: 'decides' | 'fires'; code: string }> = [];
  for (const finding of lintPolicy(source)) {
    const named = source.slice(finding.span.offset, finding.span.offset + finding.span.length);
    if (finding.code === 'UNREACHABLE_RULE' || finding.code === 'IDENTICAL_RULES') out.push({ rule: named, never: 'decides', code: finding.code });
    if (finding.code === 'SHADOWED_PRESET_RULE') out.push({ rule: /keeps rule (\S+) /.exec(finding.message)![1]!, never: 'decides', code: finding.code });
    const whole = /so rule (\S+) never fires/.exec(finding.message);
    if (finding.code === 'IMPOSSIBLE_CONDITION' && whole) out.push({ rule: whole[1]!, never: 'fires', code: finding.code });
  }
  return out;
}

describe('lint claims hold when deciding', () => {
  it('a rule lint says never decides never decides, and one it says never fires never fires', () => {
    let claimed = 0;
    fc.assert(
      fc.property(policySource, fc.array(turn, { minLength: 100, maxLength: 100 }), (source, turns) => {
        const found = claims(source);
        if (!found.length) return;
        claimed += found.length;
        const policy = compilePolicy(source);
        for (const t of turns) {
          const decision = decideSync(policy, t, { explain: 'all' });
          for (const claim of found) {
            expect(decision.rule, `${claim.code} on ${claim.rule}\n${source}\nturn ${JSON.stringify(t)}`).not.toBe(claim.rule);
            if (claim.never === 'fires') expect(decision.explanation.find((trace) => trace.rule === claim.rule)?.result ?? false, `${claim.rule} fired\n${source}`).toBe(false);
          }
        }
      }),
      { numRuns: fuzzRuns(150) },
    );
    // The generator must give lint something to claim, or the property says nothing.
    expect(claimed).toBeGreaterThan(10);
  }, 300_000);
});

describe('lint on hostile policies', () => {
  it('lints a thousand rules that all read the same fields, and conditions nested to the limit, in bounded time', () => {
    const rules = Array.from({ length: 1000 }, (_, i) => `rule r${i}: when content contains "w${i}" and step > ${i % 50} or tool.args.x in [${i}, ${i + 1}] then ${['continue', 'escalate', 'stop'][i % 3]}`);
    const started = performance.now();
    expect(lintPolicy(`policy big\nmode terminate\n${rules.join('\n')}\n`)).toEqual([]);
    const deep = `${'(step > 1 or '.repeat(31)}step > 2${')'.repeat(31)}`;
    const nested = `policy deep\n${Array.from({ length: 50 }, (_, i) => `rule r${i}: when ${deep} and tool.args.n${i} > ${i} then escalate`).join('\n')}\n`;
    expect(lintPolicy(nested).map((finding) => finding.code)).not.toContain('IMPOSSIBLE_CONDITION');
    // Generous: about 10 s on a loaded 2-core machine; minutes would mean quadratic work per pair.
    expect(performance.now() - started).toBeLessThan(180_000);
  }, 300_000);
});
