// Many processes take the same durable run at the same moment — a worker pool retrying, two
// deploys overlapping — while the lock left by a killed process is still on disk. Exactly one
// of them may hold the run: its next step is a refund, and a refund runs once. Every other one
// is refused and told who holds the run.
//
// Each round: a run waits for an approval; its process is killed (SIGKILL: the lock stays);
// the answer arrives through the store; then `children` processes are loaded, and let go
// together, half opening and half restoring the run. HANDRAIL_FUZZ_RUNS multiplies the rounds.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAuditLogFile } from '@handrail/policy';
import { answerApproval, DurableRun, FileRunStore } from '../../packages/core/src/index.js';
import { startRefundChat, type RefundChild } from '../../packages/core/test/durable/fixtures/refund-child.js';
import { fuzzRuns } from './fuzz-runs.js';

const rounds = fuzzRuns(2);
const children = 8;
// Each child loads the TypeScript sources through tsx: seconds each, on a busy machine.
const timeout = (60_000 + 60_000 * rounds) * 2;

let dir: string;
const started: RefundChild[] = [];
const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);

function start(at: string, options: Parameters<typeof startRefundChat>[2] = {}): RefundChild {
  const child = startRefundChat(at, 'refund-42', options);
  started.push(child);
  return child;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-race-'));
  // The template: a run killed while it waits, its lock left behind, its question answered.
  const template = join(dir, 'template');
  mkdirSync(template);
  const first = start(template);
  const asked = await first.line((value) => 'asked' in value);
  first.process.kill('SIGKILL');
  await first.exited;
  expect(existsSync(join(template, 'store', 'runs', 'refund-42.lock'))).toBe(true);
  const outcome = await answerApproval(new FileRunStore(join(template, 'store')), asked.asked as string, { kind: 'approve', by: 'ana' }, { channel: 'web' });
  expect(outcome.status).toBe('answered');
}, timeout);

afterAll(() => {
  for (const child of started) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

it(`${children} processes taking one run at once: its refund runs exactly once, the others are told who holds it (${rounds} rounds)`, { timeout }, async () => {
  for (let round = 1; round <= rounds; round++) {
    const at = join(dir, `round-${round}`);
    cpSync(join(dir, 'template', 'store'), join(at, 'store'), { recursive: true });
    const racers = Array.from({ length: children }, (_, i) => start(at, { audit: `audit-${i}.jsonl`, restore: i % 2 === 1, waitForGo: true }));
    await Promise.all(racers.map((child) => child.line((value) => 'ready' in value)));
    for (const child of racers) child.go();
    const exits = await Promise.all(racers.map((child) => child.exited));

    const report = racers.map((child, i) => `#${i} exit ${exits[i]!.code ?? exits[i]!.signal}: ${child.stderr().split('\n').find((line) => /^\w*Error\b/.test(line)) ?? 'finished'}`).join('\n');
    expect(lines(join(at, 'tool.log')), `round ${round}: the refund ran ${lines(join(at, 'tool.log')).length} times\n${report}`).toEqual(['refunded 250']);
    let finished = 0;
    for (const [i, child] of racers.entries()) {
      if (exits[i]!.code === 0) {
        finished++;
        // A winner, or a process that came after it and replayed the finished run.
        expect(await verifyAuditLogFile(join(at, `audit-${i}.jsonl`))).toMatchObject({ ok: true });
      } else {
        expect(child.stderr(), `round ${round}, child #${i}`).toMatch(/DurableRunError: run refund-42 is held by pid \d+ on \S+ since /);
        expect(child.stderr()).toContain("code: 'LOCKED'");
      }
    }
    expect(finished, report).toBeGreaterThanOrEqual(1);

    // The journal is whole and in order, and the run is finished: restoring it runs nothing.
    const store = new FileRunStore(join(at, 'store'));
    const journal = (await store.readJournal('refund-42'))!;
    expect(journal.map((record) => record.seq)).toEqual(journal.map((_, i) => i + 1));
    expect(journal.filter((record) => record.type === 'step-started' && record.kind === 'tool')).toHaveLength(1);
    const restored = await DurableRun.restore(store, 'refund-42');
    expect(restored.status).toBe('finished');
    await restored.close();
  }
});
