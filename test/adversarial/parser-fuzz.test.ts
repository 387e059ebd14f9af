// Policy text is trusted code, yet no text may crash the checker: every input compiles or is
// refused with a PolicyError pointing inside the text. Inputs are the shipped policies mutated
// (tokens deleted, duplicated, swapped; random characters, tabs, huge numbers, deep nesting,
// Unicode), plus generated ones. HANDRAIL_FUZZ_RUNS multiplies the count.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePolicy, loadPolicy, PolicyError } from '../../packages/policy/src/index.js';
import { handrail, handrailBin, timeout as cliTimeout } from '../../packages/policy/test/run-handrail.js';
import { fuzzRuns } from './fuzz-runs.js';
import { random, shippedPolicies } from './policy-seeds.js';

const runs = fuzzRuns(20_000);

const seeds = shippedPolicies;


const nasty = [
  '\t', '\r', '\n', '\u0000', '\u2028', '\uFEFF', '😀', '\uD800', 'é', '"', '\\', '/', '(', ')', '[', ']', '.', ':', ',', '#',
  '9'.repeat(400), '-' + '9'.repeat(30), '99999999999999999999d', '366d', '0ms', '1.5', '[0]', '["a"]', '"\\u12"', '"\\q"',
  '/(a+)+/', '/(a|aa){1,40}c/', '/[/', '/a/gimsuyd', '/(?<n>x)\\k<n>/', 'not', 'and', 'or', 'then', 'when', 'rule', 'every',
  '('.repeat(300), ')'.repeat(300), 'not '.repeat(300), 'a.'.repeat(500) + 'b', 'constructor', '__proto__', 'toString',
];

function mutate(text: string, rng: ReturnType<typeof random>): string {
  const tokens = text.match(/\s+|"(?:\\.|[^"\\\n])*"|\/(?:\\.|[^/\\\n])+\/[a-z]*|\w+|[^\s\w]/g) ?? [];
  for (let edits = 1 + rng.int(4); edits > 0; edits--) {
    const at = rng.int(tokens.length + 1);
    switch (rng.int(6)) {
      case 0: tokens.splice(at, 1); break;
      case 1: tokens.splice(at, 0, tokens[at] ?? ''); break;
      case 2: { const other = rng.int(tokens.length); [tokens[at], tokens[other]] = [tokens[other] ?? '', tokens[at] ?? '']; break; }
      case 3: tokens.splice(at, 0, rng.pick(nasty)); break;
      case 4: tokens.splice(at, 0, String.fromCharCode(rng.int(0x3000))); break;
      default: tokens[at] = (tokens[at] ?? '').split('').reverse().join('');
    }
  }
  return tokens.join('');
}

function generated(rng: ReturnType<typeof random>): string {
  const depth = rng.pick([1, 10, 63, 64, 65, 200, 256, 257, 1000]);
  const open = rng.pick(['(', 'not ', 'not (']);
  const close = open.includes('(') ? ')'.repeat(rng.next() < 0.8 ? depth : rng.int(depth)) : '';
  return `policy g\nrule r: when ${open.repeat(depth)}step > ${rng.pick(['1', '9'.repeat(rng.int(500)), '1.5'])}${close} then escalate timeout ${rng.int(1000)}${rng.pick(['ms', 's', 'm', 'h', 'd'])}`;
}

/** Undefined when the input compiles or is refused as it should be; otherwise what went wrong. */
function outcome(source: string): string | undefined {
  try {
    compilePolicy(source, { file: 'fuzz.policy' });
    return undefined;
  } catch (error) {
    if (!PolicyError.isInstance(error)) return `threw ${(error as Error)?.name}: ${(error as Error)?.message}`;
    for (const { span } of (error as PolicyError).diagnostics) {
      if (!(span.offset >= 0 && span.offset <= source.length && span.line >= 1 && span.col >= 1)) return `span outside the text: ${JSON.stringify(span)}`;
    }
    const frame = (error as PolicyError).format();
    if (/\n\s+at /.test(frame)) return 'a stack trace in the code frame';
    return undefined;
  }
}

describe('the policy parser and checker, on mutated and generated policies', () => {
  it(`compile or refuse with a positioned PolicyError (${runs} inputs)`, () => {
    const failures: string[] = [];
    for (let i = 0; i < runs && failures.length < 10; i++) {
      const rng = random(i + 1);
      const source = i % 10 === 0 ? generated(rng) : mutate(rng.pick(seeds), rng);
      const problem = outcome(source);
      if (problem) failures.push(`input #${i + 1}: ${problem}\n${JSON.stringify(source.slice(0, 300))}`);
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('refuse compiled documents with impossible numbers, with a position', () => {
    const document = (timeoutMs: string) => `{"format": "handrail.policy/v1", "name": "p", "rules": [{"name": "r", "conditions": {"all": [{"fact": "step", "operator": "numberAbove", "value": ${'9'.repeat(400)}}]}, "event": {"type": "escalate", "params": {"reason": "x", "timeoutMs": ${timeoutMs}}}}]}`;
    for (const timeout of ['1e400', '99999999999999999999', '31536000001', '1.5', '-1']) {
      expect(() => loadPolicy(document(timeout))).toThrow(PolicyError);
    }
  });
});

describe('handrail check on the nastiest inputs', () => {
  const directory = mkdtempSync(join(tmpdir(), 'handrail-fuzz-'));
  const inputs: Record<string, string> = {
    tab: 'policy p\nrule r: when content contains "a\tb" then stop\n',
    digits: `policy p\nrule r: when step > ${'9'.repeat(400)} then stop\n`,
    parentheses: `policy p\nrule r: when ${'('.repeat(3000)}\n`,
    nots: `policy p\nrule r: when ${'not '.repeat(100_000)}step > 1 then stop\n`,
    duration: 'policy p\nrule r: when step > 1 then escalate timeout 99999999999999999999d\n',
  };
  // The command's behaviour in this process; the deepest input once more through the real
  // executable, where a stack overflow would end the process with Node's own trace.
  const cases = [...Object.keys(inputs).map((name) => [name, 'in process'] as const), ['nots', 'bin/handrail.js'] as const];
  it.each(cases)('%s (%s): a code frame and exit code 1, no stack trace', async (name, how) => {
    const file = join(directory, `${name}-${how === 'in process' ? 'in' : 'bin'}.policy`);
    writeFileSync(file, inputs[name]!);
    const result = await (how === 'in process' ? handrail : handrailBin)('check', file);
    const output = result.stdout + result.stderr;
    expect(output).toContain(`${file}:2:`);
    expect(output).not.toMatch(/internal error|\n\s+at /);
    expect(result.code).toBe(1);
  }, cliTimeout);
});
