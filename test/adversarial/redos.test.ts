// Hostile message text cannot stall a decision: every regex the checker accepts is decided on
// adversarial texts up to 1 MB in time that grows with the text only, and finding code blocks is
// one pass. Ceilings are generous (a loaded machine is slow); the attacks they catch take minutes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compilePolicy, decideSync, findCodeBlocks, PolicyError } from '../../packages/policy/src/index.js';
import { PolicyRegex } from '../../packages/policy/src/policy-regex.js';
import { fuzzRuns } from './fuzz-runs.js';

const policies = fileURLToPath(new URL('../../examples/policies', import.meta.url));
const scale = fuzzRuns(1);
const megabyte = 1_000_000;

/** Patterns of risky shapes, generated, and the patterns of the shipped policies. */
function corpus(): string[] {
  const atoms = ['a', '\\w', '\\s', '.', '[a-z]', '\\d', '(a|aa)', '(a|a)', '(?:ab|a)', '[ab]'];
  const quantifiers = ['*', '+', '?', '{2}', '{1,40}', '{25}', '{0,200}', '{3,}'];
  const patterns = new Set(['(a|aa){1,40}c', '(a|a){25}b', '(.*)*x', '\\s*\\s*\\s*x', '.*foo.*', 'ERROR:|Traceback', '\\b\\d{4}[ -]?\\d{4}[ -]?\\d{4}[ -]?\\d{4}\\b']);
  let seed = 7;
  const pick = <T>(items: readonly T[]) => items[(seed = (seed * 1103515245 + 12345) % 2147483648) % items.length]!;
  for (let i = 0; i < 200 * scale; i++) {
    const parts = Array.from({ length: 1 + (i % 3) }, () => `${pick(atoms)}${pick(quantifiers)}`);
    patterns.add(`${parts.join('')}${pick(['c', 'x', '$', ''])}`);
    patterns.add(`(${parts.join('|')})${pick(quantifiers)}${pick(['b', '!'])}`);
  }
  for (const file of readdirSync(policies).filter((name) => name.endsWith('.policy'))) {
    for (const match of readFileSync(join(policies, file), 'utf8').matchAll(/matches \/((?:\\.|[^/\\\n])+)\//g)) patterns.add(match[1]!);
  }
  return [...patterns];
}

/** Whether the checker accepts the pattern: the policy that uses it compiles. */
function accepted(pattern: string): boolean {
  try {
    compilePolicy(`policy p\nrule r: when content matches /${pattern.replace(/\//g, '\\/')}/ then stop`);
    return true;
  } catch (error) {
    if (!PolicyError.isInstance(error)) throw error;
    return false;
  }
}

/** Texts that make backtracking engines work hardest: runs of what the pattern matches, near misses. */
const attacks = (length: number) => ['a'.repeat(length), ' '.repeat(length) + '!', '1'.repeat(length), 'ab'.repeat(length / 2), `${'a'.repeat(length - 1)}!`];

describe('regular expressions on hostile text', () => {
  it('refuse or confine the classic catastrophic patterns', () => {
    expect(accepted('(.*)*x')).toBe(false);
    for (const pattern of ['(a|aa){1,40}c', '(a|a){25}b', '\\s*\\s*\\s*x']) expect(new PolicyRegex(pattern, '').nativeLimit, pattern).toBe(0);
  });

  it('decide the classic catastrophic patterns on their attack strings in linear time', () => {
    const cases: Array<[string, string]> = [['(a|aa){1,40}c', 'a'.repeat(40)], ['(a|a){25}b', 'a'.repeat(26)], ['\\s*\\s*\\s*x', ' '.repeat(megabyte)], ['(a|aa){1,40}c', 'a'.repeat(megabyte)]];
    for (const [pattern, text] of cases) {
      const policy = compilePolicy(`policy p\nrule r: when content matches /${pattern}/ then stop`);
      const started = performance.now();
      expect(decideSync(policy, { content: text }).action).toBe('continue');
      expect(performance.now() - started, pattern).toBeLessThan(30_000);
    }
  }, 300_000);

  it('decide every accepted pattern of the corpus on attacks up to 1 MB', () => {
    const patterns = corpus().filter(accepted);
    expect(patterns.length).toBeGreaterThan(25);
    for (const pattern of patterns) {
      const regex = new PolicyRegex(pattern, '');
      for (const length of [100, 5000, megabyte / 10]) {
        for (const text of attacks(length)) {
          const started = performance.now();
          regex.test(text);
          expect(performance.now() - started, `${pattern} on ${length} characters`).toBeLessThan(20_000);
        }
      }
    }
    // The full megabyte for a sample, so the suite stays within tens of seconds.
    for (const pattern of patterns.filter((_, index) => index % Math.max(1, Math.floor(10 / scale)) === 0)) {
      const regex = new PolicyRegex(pattern, '');
      const started = performance.now();
      for (const text of attacks(megabyte)) regex.test(text);
      expect(performance.now() - started, `${pattern} on 1 MB`).toBeLessThan(60_000);
    }
  }, 900_000);
});

describe('finding code blocks in hostile text', () => {
  const hostile = '```x\n'.repeat(megabyte / 5);

  // The bundled agents (core's UserProxy) find code with this same function.
  it('takes one pass over a megabyte of unclosed fences, in core and in the code fact', () => {
    let started = performance.now();
    expect(findCodeBlocks(hostile)).toEqual([]);
    expect(findCodeBlocks(`${hostile}\`\`\``)).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(10_000);
    const policy = compilePolicy('policy p\nrule shell: when code.languages contains "sh" then escalate "shell"');
    started = performance.now();
    expect(decideSync(policy, { content: hostile }).action).toBe('continue');
    expect(performance.now() - started).toBeLessThan(10_000);
  }, 60_000);
});
