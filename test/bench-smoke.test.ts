// The decision benchmark runs end to end: its evaluators agree on every sample turn and it
// prints every evaluator's timing. Timing targets are not asserted here (see `pnpm bench`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs a benchmark as `pnpm bench` does (tsx, without npx starting npm first). */
function bench(args: string[], timeout: number) {
  return spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: root, encoding: 'utf8', timeout });
}

describe('bench/decision.bench.ts --quick', () => {
  it('exits 0, checks agreement and times the three evaluators', () => {
    const run = bench(['--conditions=@handrail/source', 'bench/decision.bench.ts', '--quick'], 120_000);
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.error, output).toBeUndefined();
    expect(run.status, output).toBe(0);
    expect(run.stdout).toContain('agreement: OK (9 samples, fast, decide, json-rules-engine, hand-written)');
    expect(run.stdout).toContain('agreement: OK (9 samples, fast, decide, json-rules-engine)');
    expect(run.stdout).not.toContain('DISAGREE');
    for (const evaluator of ['hand-written predicate', 'fast: decideSync', 'fast: decide (async)', 'json-rules-engine (reused Engine)', 'supervisor: check (no person)', 'supervisor step / decide ='])
      expect(run.stdout).toContain(evaluator);
    expect(run.stdout).toContain('═══ 20 rules');
    expect(run.stdout).toContain('═══ 200 rules');
  }, 150_000);
});

describe('bench/matrix.bench.ts --quick', () => {
  it('exits 0, checks agreement on every cell and prints each workload and the 20-rule comparison', () => {
    const run = bench(['bench/matrix.bench.ts', '--quick'], 240_000);
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.error, output).toBeUndefined();
    expect(run.status, output).toBe(0);
    expect(run.stdout).toContain('agreement: OK');
    expect(run.stdout).not.toContain('DISAGREE');
    for (const workload of ['═══ keyword', '═══ regex', '═══ tool', '═══ mixed', '═══ 20-rule policy']) expect(run.stdout).toContain(workload);
  }, 300_000);
});

describe('bench/replay.bench.ts --quick', () => {
  it('replays every turn and prints turns per second beside reading and parsing alone', () => {
    const run = bench(['bench/replay.bench.ts', '--quick'], 120_000);
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(run.stdout).toMatch(/read \+ JSON\.parse +[\d,]+ turns\/s/);
    expect(run.stdout).toMatch(/replayFile +[\d,]+ turns\/s/);
  }, 150_000);
});
