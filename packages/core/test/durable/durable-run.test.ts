// A hand-written loop on a durable run, in a real directory: steps run at most once, answers
// wait in the store, a restored run replays its journal, and what cannot be replayed is refused.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compilePolicy } from '@handrail/policy';
import { answerApproval, DurableRun, DurableRunError, FileRunStore, MemoryRunStore, type ApprovalRequestInput, type JournalRecord } from '../../src/index.js';

const policy = compilePolicy(`policy refunds
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund" else stop
`);

const question = (prompt = 'Refund 250 EUR?'): ApprovalRequestInput => ({
  prompt,
  tool: { name: 'refund', args: { amount: 250 } },
  decision: { rule: 'large', reason: 'large refund', onNoInput: 'stop', policy: { name: policy.name, hash: policy.hash } },
});

let dir: string;
let store: FileRunStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-durable-'));
  store = new FileRunStore(dir, { pollIntervalMs: 10 });
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const journal = (runId: string): JournalRecord[] =>
  readFileSync(join(dir, 'runs', `${runId}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JournalRecord);

async function waitForPending(runId: string) {
  for (;;) {
    const pending = (await store.listPendingApprovals()).find((request) => request.runId === runId);
    if (pending) return pending;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('steps', () => {
  it('runs a step once; a restored run returns the recorded result without calling it', async () => {
    let calls = 0;
    const charge = () => ({ receipt: `r-${++calls}`, at: new Date(0) });
    const run = await DurableRun.open(store, 'run-1');
    expect(await run.step('charge-card', charge)).toEqual({ receipt: 'r-1', at: '1970-01-01T00:00:00.000Z' });
    await run.close();

    const restored = await DurableRun.restore(store, 'run-1');
    expect(restored.replaying).toBe(true);
    expect(await restored.step('charge-card', charge)).toEqual({ receipt: 'r-1', at: '1970-01-01T00:00:00.000Z' });
    expect(restored.replaying).toBe(false);
    expect(calls).toBe(1);
    expect(await restored.step('send-receipt', () => 'sent')).toBe('sent');
    await restored.finish({ ok: true });
    expect(journal('run-1').map((record) => [record.seq, record.type, 'key' in record ? record.key : undefined])).toEqual([
      [1, 'run-started', undefined],
      [2, 'step-started', 'charge-card'],
      [3, 'step-finished', 'charge-card'],
      [4, 'step-started', 'send-receipt'],
      [5, 'step-finished', 'send-receipt'],
      [6, 'run-finished', undefined],
    ]);
  });

  it('replays a step that threw as the same error', async () => {
    const run = await DurableRun.open(store, 'run-2');
    const failing = () => {
      throw Object.assign(new TypeError('card declined'), { code: 'DECLINED' });
    };
    await expect(run.step('charge-card', failing)).rejects.toThrow('card declined');
    await run.close();
    const restored = await DurableRun.restore(store, 'run-2');
    await expect(restored.step('charge-card', () => 'never called')).rejects.toMatchObject({ name: 'TypeError', message: 'card declined', code: 'DECLINED' });
    await restored.close();
  });

  it('refuses a replay that asks for other steps than the journal holds', async () => {
    const run = await DurableRun.open(store, 'run-3');
    await run.step('a', () => 1);
    await run.close();
    const restored = await DurableRun.restore(store, 'run-3');
    await expect(restored.step('b', () => 2)).rejects.toMatchObject({ code: 'REPLAY_DIVERGED', step: 'b' });
    await restored.close();
  });

  it('refuses a replay that gives a step other input than was recorded', async () => {
    const run = await DurableRun.open(store, 'run-input');
    await run.step('charge-card', () => 'charged 250', { input: { amount: 250 } });
    await run.close();
    const same = await DurableRun.restore(store, 'run-input');
    expect(await same.step('charge-card', () => 'again', { input: { amount: 250 } })).toBe('charged 250');
    await same.close();
    const other = await DurableRun.restore(store, 'run-input');
    await expect(other.step('charge-card', () => 'again', { input: { amount: 300 } })).rejects.toMatchObject({ code: 'REPLAY_DIVERGED', step: 'charge-card' });
    await other.close();
  });

  it('refuses two steps with one key, and new steps in a finished run', async () => {
    const run = await DurableRun.open(store, 'run-4');
    await run.step('a', () => 1);
    await expect(run.step('a', () => 1)).rejects.toMatchObject({ code: 'DUPLICATE_STEP' });
    await run.finish();
    const restored = await DurableRun.restore(store, 'run-4');
    expect(restored.status).toBe('finished');
    expect(await restored.step('a', () => 2)).toBe(1);
    await expect(restored.step('b', () => 2)).rejects.toMatchObject({ code: 'RUN_FINISHED' });
    await restored.close();
  });

  it('holds a run for one process (and one object) at a time', async () => {
    const run = await DurableRun.open(store, 'run-5');
    await expect(DurableRun.open(store, 'run-5')).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining(`run run-5 is held by pid ${process.pid}`) });
    await run.close();
    const again = await DurableRun.open(store, 'run-5');
    await again.close();
  });

  it('restore needs a run that exists', async () => {
    await expect(DurableRun.restore(store, 'nothing-here')).rejects.toBeInstanceOf(DurableRunError);
    await expect(DurableRun.restore(store, 'nothing-here')).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
  });
});

describe('a step interrupted by a crash', () => {
  // A crash between "step-started" and its outcome: the journal says the step began, not how it ended.
  async function interrupted(runId: string) {
    const run = await DurableRun.open(store, runId);
    await run.step('lookup', () => 'found');
    const never = new Promise<never>(() => undefined);
    void run.step('charge-card', () => never);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // What a SIGKILL leaves: the lock of a process that is gone, the journal as written.
    await run.close();
    expect(journal(runId).at(-1)).toMatchObject({ type: 'step-started', key: 'charge-card', kind: 'step' });
  }

  it('stops the restored run by default: the effect may or may not have happened', async () => {
    await interrupted('crash-1');
    const restored = await DurableRun.restore(store, 'crash-1');
    let calls = 0;
    expect(await restored.step('lookup', () => 'again')).toBe('found');
    await expect(restored.step('charge-card', () => ++calls)).rejects.toMatchObject({ code: 'STEP_INTERRUPTED', step: 'charge-card', message: expect.stringContaining('may or may not have taken effect') });
    expect(calls).toBe(0);
    await restored.close();
  });

  it('runs it again when the host says retry, and journals the choice', async () => {
    await interrupted('crash-2');
    const seen: string[] = [];
    const restored = await DurableRun.restore(store, 'crash-2', {
      onInterruptedStep: (step) => {
        seen.push(`${step.key} ${step.kind}`);
        return 'retry';
      },
    });
    await restored.step('lookup', () => 'again');
    expect(await restored.step('charge-card', () => 'charged')).toBe('charged');
    await restored.close();
    expect(seen).toEqual(['charge-card step']);
    expect(journal('crash-2').slice(-3)).toMatchObject([{ type: 'step-started' }, { type: 'step-resolved', key: 'charge-card', resolution: 'retry' }, { type: 'step-finished', result: 'charged' }]);
  });

  it('takes the result the host found out by hand, without running the step', async () => {
    await interrupted('crash-3');
    const restored = await DurableRun.restore(store, 'crash-3', { onInterruptedStep: () => ({ result: 'charged (checked by hand)' }) });
    await restored.step('lookup', () => 'again');
    expect(await restored.step('charge-card', () => 'must not run')).toBe('charged (checked by hand)');
    await restored.close();
    const again = await DurableRun.restore(store, 'crash-3');
    await again.step('lookup', () => 'again');
    expect(await again.step('charge-card', () => 'must not run')).toBe('charged (checked by hand)');
    await again.close();
  });

  it('runs an idempotent step again without asking', async () => {
    const run = await DurableRun.open(store, 'crash-4');
    void run.step('fetch-rate', () => new Promise<never>(() => undefined), { idempotent: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await run.close();
    const restored = await DurableRun.restore(store, 'crash-4');
    expect(await restored.step('fetch-rate', () => 1.08, { idempotent: true })).toBe(1.08);
    await restored.close();
  });
});

describe('approvals', () => {
  it('waits 30 days in full for an answer, then stores timeout', async () => {
    vi.useFakeTimers();
    try {
      const run = await DurableRun.open(new MemoryRunStore(), 'ask-month');
      let answer: unknown;
      const waiting = run.awaitApproval({ ...question(), decision: { ...question().decision, timeoutMs: 30 * 24 * 3_600_000 } }).then((a) => (answer = a));
      await vi.advanceTimersByTimeAsync(30 * 24 * 3_600_000 - 1);
      expect(answer).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      await waiting;
      expect(answer).toMatchObject({ kind: 'timeout' });
      await run.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('waits for an answer given through the store, journals it, and replays it', async () => {
    const run = await DurableRun.open(store, 'ask-1');
    const waiting = run.awaitApproval(question());
    const request = await waitForPending('ask-1');
    expect(run.status).toBe('waiting');
    expect(request).toMatchObject({ runId: 'ask-1', prompt: 'Refund 250 EUR?', decision: { rule: 'large' } });
    expect(request.id).toMatch(/^[0-9a-f-]{36}$/);
    const outcome = await answerApproval(store, request.id, { kind: 'approve', by: 'ana' }, { channel: 'web' });
    expect(outcome).toMatchObject({ status: 'answered', answer: { kind: 'approve', by: 'ana' } });
    expect(await waiting).toMatchObject({ kind: 'approve', by: 'ana' });
    expect(await store.listPendingApprovals()).toEqual([]);
    await run.close();
    expect(journal('ask-1').at(-1)).toMatchObject({ type: 'approval-answered', approvalId: request.id, channel: 'web', answer: { kind: 'approve' } });

    const restored = await DurableRun.restore(store, 'ask-1');
    expect(await restored.awaitApproval(question())).toMatchObject({ kind: 'approve', by: 'ana' });
    await restored.close();
  });

  it('refuses an answer the channels would refuse, and stores nothing: the run still takes a good one', async () => {
    const run = await DurableRun.open(store, 'ask-deep');
    const waiting = run.awaitApproval(question());
    const { id } = await waitForPending('ask-deep');
    let deep: unknown = 1;
    for (let level = 0; level < 80_000; level++) deep = [deep];
    await expect(answerApproval(store, id, { kind: 'edit', args: { amount: deep } })).rejects.toThrow(/refused: the arguments nest deeper than 64 levels/);
    await expect(answerApproval(store, id, { kind: 'reply', text: 'x'.repeat(200_000) })).rejects.toThrow(/refused/);
    expect((await answerApproval(store, id, { kind: 'approve', by: 'ana' })).status).toBe('answered');
    expect(await waiting).toMatchObject({ kind: 'approve', by: 'ana' });
    await run.close();
  });

  it('keeps the first answer: the same again is repeated, another is a conflict, an unknown id is unknown', async () => {
    const run = await DurableRun.open(store, 'ask-2');
    const waiting = run.awaitApproval(question());
    const { id } = await waitForPending('ask-2');
    expect((await answerApproval(store, id, { kind: 'reject', message: 'no' })).status).toBe('answered');
    expect((await answerApproval(store, id, { kind: 'reject', message: 'no', by: 'bo' })).status).toBe('repeated');
    expect(await answerApproval(store, id, { kind: 'approve' })).toMatchObject({ status: 'conflict', answer: { kind: 'reject', message: 'no' } });
    expect(await answerApproval(store, 'no-such-question', { kind: 'approve' })).toEqual({ status: 'unknown' });
    expect(await answerApproval(store, '../../etc/passwd', { kind: 'approve' })).toEqual({ status: 'unknown' });
    expect(await waiting).toMatchObject({ kind: 'reject', message: 'no' });
    await run.close();
  });

  it('an answer given while no process runs the run waits in the store', async () => {
    const run = await DurableRun.open(store, 'ask-3');
    const abort = new AbortController();
    const waiting = run.awaitApproval(question(), { signal: abort.signal });
    const { id } = await waitForPending('ask-3');
    abort.abort(new Error('the process stops waiting'));
    await expect(waiting).rejects.toThrow('the process stops waiting');
    await run.close();
    await answerApproval(store, id, { kind: 'reply', text: 'refund 100 instead' });
    const restored = await DurableRun.restore(store, 'ask-3');
    expect(await restored.awaitApproval(question())).toMatchObject({ kind: 'reply', text: 'refund 100 instead' });
    await restored.close();
  });

  it('times out at expiresAt, also across a restart; a later answer is a conflict', async () => {
    const run = await DurableRun.open(store, 'ask-4');
    const input = question();
    input.decision.timeoutMs = 1_000;
    const abort = new AbortController();
    const waiting = run.awaitApproval(input, { signal: abort.signal });
    const { id, expiresAt } = await waitForPending('ask-4');
    abort.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    await run.close();
    // The process that asked is gone when the time runs out.
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt!) - Date.now() + 20));
    const restored = await DurableRun.restore(store, 'ask-4');
    expect(await restored.awaitApproval(input)).toMatchObject({ kind: 'timeout' });
    expect((await answerApproval(store, id, { kind: 'approve' })).status).toBe('conflict');
    await restored.close();
  });

  it('races a channel with the store: the first stored answer wins, the channel stops', async () => {
    const run = await DurableRun.open(store, 'ask-5');
    let aborted = false;
    const channel = {
      name: 'slack',
      ask: (_request: unknown, { signal }: { signal: AbortSignal }) =>
        new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('stopped'));
          }),
        ),
    };
    const waiting = run.awaitApproval(question(), { channel });
    const { id } = await waitForPending('ask-5');
    await answerApproval(store, id, { kind: 'approve', by: 'ana' });
    expect(await waiting).toMatchObject({ kind: 'approve' });
    expect(aborted).toBe(true);
    const fromChannel = await DurableRun.open(store, 'ask-6');
    expect(await fromChannel.awaitApproval(question(), { channel: { name: 'slack', ask: async () => ({ kind: 'approve', by: 'bo', at: new Date().toISOString() }) } })).toMatchObject({ by: 'bo' });
    await fromChannel.close();
    expect(journal('ask-6').at(-1)).toMatchObject({ type: 'approval-answered', channel: 'slack' });
    await run.close();
  });
});

describe('serializing', () => {
  it('a serialized run restores into another store and goes on from where it was', async () => {
    const run = await DurableRun.open(store, 'moved');
    await run.step('lookup', () => ({ invoice: 42 }));
    const serialized = JSON.parse(JSON.stringify(run.serialize()));
    await run.close();
    const elsewhere = new MemoryRunStore();
    const restored = await DurableRun.restore(elsewhere, serialized);
    let calls = 0;
    expect(await restored.step('lookup', () => ++calls)).toEqual({ invoice: 42 });
    expect(await restored.step('next', () => ++calls)).toBe(1);
    await restored.finish();
    expect((await elsewhere.readJournal('moved'))!.map((record) => record.type)).toEqual(['run-started', 'step-started', 'step-finished', 'step-started', 'step-finished', 'run-finished']);
  });
});

describe('steps side by side', () => {
  it('journal in call order and replay', async () => {
    const run = await DurableRun.open(store, 'parallel');
    const slow = (value: number, ms: number) => () => new Promise<number>((resolve) => setTimeout(() => resolve(value), ms));
    expect(await Promise.all([run.step('a', slow(1, 30)), run.step('b', slow(2, 5)), run.step('c', slow(3, 15))])).toEqual([1, 2, 3]);
    await run.close();
    expect(journal('parallel').map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const restored = await DurableRun.restore(store, 'parallel');
    expect(await Promise.all([restored.step('a', slow(0, 0)), restored.step('b', slow(0, 0)), restored.step('c', slow(0, 0))])).toEqual([1, 2, 3]);
    await restored.finish();
  });
});
