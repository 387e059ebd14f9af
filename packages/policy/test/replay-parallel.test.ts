// replayFile on worker threads must report exactly what one thread reports: the same counts, the
// same first samples in file order, skipped types capped in the order first seen, across parts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePolicy, replayFile, type ReplayReport } from '../src/index.js';
import { replayFileInParallel } from '../src/replay/parallel.js';

const policy = compilePolicy(
  `policy review version 2
fact tier: string
rule review: when content contains "NEEDS_REVIEW" then escalate "asked for review" timeout 10m
rule refund: when tool.name == "refund" and tool.args.amount > 100 then stop "large refund"
rule gold: when tier == "gold" then continue with "welcome back"
`,
  { file: 'review.policy' },
);
const old = compilePolicy('policy review version 1\nrule review: when content contains "NEEDS_REVIEW" then escalate "asked for review"\n', { file: 'old.policy' });

const directory = mkdtempSync(join(tmpdir(), 'handrail-replay-parallel-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** 12,000 lines of every kind, so parts of 2,000 lines each hold some of each. */
function transcript(): string {
  const lines: string[] = [];
  for (let i = 0; i < 12_000; i++) {
    const kind = i % 13;
    if (kind === 0) lines.push(JSON.stringify({ content: `NEEDS_REVIEW ${i}`, role: 'assistant' }));
    else if (kind === 1) lines.push(JSON.stringify({ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'refund', arguments: { amount: i } } }] }));
    else if (kind === 2) lines.push(JSON.stringify({ runId: `run-${i % 7}`, turn: { content: 'hello', facts: { tier: i % 2 ? 'gold' : 'silver' } } }));
    else if (kind === 3) lines.push(JSON.stringify({ events: [{ type: 'decision-made', turn: { content: 'NEEDS_REVIEW' } }, { type: 'decision-made', turn: { content: 'fine' } }] }));
    else if (kind === 4) lines.push(i % 3 ? `{not json ${i}` : '[1, 2]');
    else if (kind === 5) lines.push(i % 2 ? '' : '   ');
    // Skipped lines of many types, numeric-looking ones among them: more than the 20 kept apart.
    else if (kind === 6) lines.push(JSON.stringify({ type: `event-${(i * 7) % 31}` }));
    else if (kind === 7) lines.push(JSON.stringify({ type: i % 5 === 0 ? ['__proto__', 'constructor', 'toString'][i % 3] : String((i * 3) % 17) }));
    else if (kind === 8) lines.push('\uFEFF{"content":"a mark in the middle is not JSON"}');
    else if (kind === 9) lines.push(JSON.stringify({ content: 'custom fact missing on purpose', facts: { tier: 42 } }));
    else lines.push(JSON.stringify({ content: `ordinary ${i}`, role: 'user', step: i }));
  }
  return `\uFEFF${lines.join('\r\n')}\n`;
}

const file = join(directory, 'turns.jsonl');
writeFileSync(file, transcript());

type Options = NonNullable<Parameters<typeof replayFile>[2]>;

/** One thread's report and three workers' (which must have run: not a fallback). */
async function both(options: Options): Promise<[ReplayReport, ReplayReport]> {
  const parallel = await replayFileInParallel(policy, file, 3, options);
  expect(parallel, 'the workers started').toBeDefined();
  return [await replayFile(policy, file, { ...options, workers: 1 }), parallel!];
}

describe('replayFile on worker threads', () => {
  it('reports what one thread reports, differences and samples included', async () => {
    const [serial, parallel] = await both({ against: old, facts: { tier: 'silver' }, maxSamples: 150, maxDifferences: 700 });
    expect(serial.lines).toBe(12_000);
    expect(serial.skipped.types['(other)']).toBeGreaterThan(0);
    expect(serial.badLines.first).toHaveLength(150);
    expect(serial.differences!.count).toBeGreaterThan(700);
    expect(serial.decisions.failed.count).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(parallel))).toEqual(JSON.parse(JSON.stringify(serial)));
  });

  it('reports what one thread reports with the default limits', async () => {
    const [serial, parallel] = await both({ facts: { tier: 'gold' } });
    expect(JSON.parse(JSON.stringify(parallel))).toEqual(JSON.parse(JSON.stringify(serial)));
  });

  it('cuts long lines into parts by size, and reports what one thread reports', async () => {
    const long = join(directory, 'long.jsonl');
    const text = 'x'.repeat(1 << 20);
    writeFileSync(long, Array.from({ length: 24 }, (_, i) => JSON.stringify({ content: i % 5 === 0 ? `NEEDS_REVIEW ${text}` : text })).join('\n'));
    const facts = { tier: 'silver' };
    const parallel = await replayFileInParallel(policy, long, 2, { facts });
    expect(parallel, 'the workers started').toBeDefined();
    expect({ ...parallel!.decisions.rules }).toEqual({ review: 5, '(default)': 19 });
    expect(JSON.parse(JSON.stringify(parallel))).toEqual(JSON.parse(JSON.stringify(await replayFile(policy, long, { facts, workers: 1 }))));
  });

  it('falls back to one thread when a fact cannot be copied to a worker', async () => {
    const facts = { tier: (() => 'gold') as unknown as string };
    expect(await replayFileInParallel(policy, file, 2, { facts })).toBeUndefined();
    const serial = await replayFile(policy, file, { facts, workers: 1 });
    expect(JSON.parse(JSON.stringify(await replayFile(policy, file, { facts, workers: 2 })))).toEqual(JSON.parse(JSON.stringify(serial)));
  });

  it('refuses a number of workers that is not a whole number of 1 or more', async () => {
    await expect(replayFile(policy, file, { workers: 0 })).rejects.toThrow(/workers must be a whole number/);
  });

  it('checks the options before starting any worker', async () => {
    await expect(replayFileInParallel(policy, file, 2, { maxRuns: 0 })).rejects.toThrow(/maxRuns must be a whole number/);
  });
});
