// Audit logs that mix runs, against `handrail replay`'s one-history-per-run: runs interleaved in
// any order, run ids named like Object's own properties, empty or long, lines without a run id,
// and more runs at once than replay keeps. A turn is never decided on another run's turns, and
// one whose run was forgotten never decides as if its run had started empty: it fails closed.
// HANDRAIL_FUZZ_RUNS multiplies the number of generated logs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, replayLines, type ReplayReport, type Turn } from '../../packages/policy/src/index.js';
import { fuzzRuns } from './fuzz-runs.js';

const policy = compilePolicy(`policy mail
rule tainted: when tool.name == "send_email" and history.tools contains "read_inbox" then escalate "sending after reading the inbox"
rule refunds: when tool.name == "refund" and history.calls.refund >= 2 then escalate "a third refund"
rule burst: when tool.name == "refund" and history.calls.refund >= 1 over the last 2 steps then stop "refund burst"
rule flaky: when history.errors >= 2 over the last 4 steps then stop "errors keep coming"`);

const runIds = ['run-1', 'run-2', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ', 'x'.repeat(500), 'ü/🙂', 'null'];
const turns: Turn[] = [
  { role: 'assistant', tool: { name: 'read_inbox' } },
  { role: 'assistant', tool: { name: 'send_email', args: { to: 'a@example.com' } } },
  { role: 'assistant', tool: { name: 'refund', args: { order: 'A-1' } } },
  { role: 'assistant', toolCalls: [{ name: 'lookup', args: {} }, { name: 'read_inbox', args: {} }] },
  { role: 'tool', content: '', error: 'timeout' },
  { role: 'assistant', content: 'thinking' },
];

const record = (runId: string | null, turn: Turn) =>
  JSON.stringify({ seq: 1, time: '2026-01-01T10:00:00.000Z', type: 'decision', runId, policy: { name: 'mail', hash: 'sha256:0' }, rule: null, reason: 'x', action: 'continue', prev: 'p', hash: 'h', turn });

/** Runs (a run id, or null for lines without one) and their turns, interleaved in a random order that keeps each run's own. */
const mixedLog = fc
  .uniqueArray(fc.constantFrom<string | null>(null, ...runIds), { minLength: 1, maxLength: 6 })
  .chain((ids) =>
    fc.record({
      runs: fc.tuple(...ids.map((id) => fc.record({ id: fc.constant(id), turns: fc.array(fc.constantFrom(...turns), { minLength: 1, maxLength: 8 }) }))),
      order: fc.array(fc.nat(), { maxLength: 60 }),
    }),
  )
  .map(({ runs, order }) => {
    const queues = runs.map((run) => [...run.turns]);
    const lines: string[] = [];
    let pick = 0;
    while (queues.some((queue) => queue.length)) {
      const open = queues.map((queue, i) => (queue.length ? i : -1)).filter((i) => i >= 0);
      const i = open[(order[pick++] ?? 0) % open.length]!;
      lines.push(record(runs[i]!.id, queues[i]!.shift()!));
    }
    return { runs, lines };
  });

/** The decisions of each run replayed from a log of its own, added up. */
async function eachAlone(runs: Array<{ id: string | null; turns: Turn[] }>) {
  const rules: Record<string, number> = {};
  for (const run of runs) {
    const report = await replayLines(policy, run.turns.map((turn) => record(run.id, turn)));
    for (const [rule, count] of Object.entries(report.decisions.rules)) rules[rule] = (rules[rule] ?? 0) + count;
  }
  return rules;
}

const rulesOf = (report: ReplayReport) => ({ ...report.decisions.rules });

describe('replay of a log that mixes runs', () => {
  it('decides every run as if it had a log of its own, however its lines are interleaved', async () => {
    await fc.assert(
      fc.asyncProperty(mixedLog, async ({ runs, lines }) => {
        const report = await replayLines(policy, lines);
        expect(report.decisions.failed.count).toBe(0);
        expect(rulesOf(report)).toEqual(await eachAlone(runs));
      }),
      { numRuns: fuzzRuns(150) },
    );
  });

  it('with more runs open than it keeps, a forgotten run fails closed, never decides on too little history', async () => {
    await fc.assert(
      fc.asyncProperty(mixedLog, fc.integer({ min: 1, max: 3 }), async ({ runs, lines }, maxRuns) => {
        const report = await replayLines(policy, lines, { maxRuns });
        const alone = await eachAlone(runs);
        // Each turn decides as alone, or fails closed: no rule (nor the default) decides more often.
        for (const [rule, count] of Object.entries(rulesOf(report))) expect(count).toBeLessThanOrEqual(alone[rule] ?? 0);
        const decided = Object.values(rulesOf(report)).reduce((a, b) => a + b, 0);
        expect(decided + report.decisions.failed.count).toBe(lines.length);
        expect(Object.keys(report.decisions.failed.codes).every((code) => code === 'MISSING_FACT')).toBe(true);
        if (runs.length <= maxRuns) expect(report.decisions.failed.count).toBe(0);
      }),
      { numRuns: fuzzRuns(150) },
    );
  });
});
