// The escalation ladder and the time limits every channel gets.
import { expect, test, vi } from 'vitest';
import { askWithTimeout, callbackChannel, ladder, ScriptedChannel, withTimeout, type ApprovalRequest, type LadderEvent } from '../../src/index.js';
import { refundPolicy, refundRun } from './helpers.js';

const request: ApprovalRequest = {
  id: '4f1c2a9e-0000-4000-8000-000000000001',
  runId: 'run-1',
  createdAt: new Date().toISOString(),
  prompt: 'Approve?',
  decision: { rule: 'large', reason: 'refund over 100', onNoInput: 'stop', policy: { name: 'refunds', hash: 'sha256:0' } },
};

test('askWithTimeout answers timeout when the time is up, and aborts the channel’s signal', async () => {
  let aborted = false;
  const silent = callbackChannel((_request, { signal }) => new Promise((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve({ kind: 'approve' })))));
  const answer = await askWithTimeout(silent, request, { timeoutMs: 30 });
  expect(answer.kind).toBe('timeout');
  expect(aborted).toBe(true);
  expect((await askWithTimeout(new ScriptedChannel([{ kind: 'approve' }]), request, { timeoutMs: 30 })).kind).toBe('approve');
  await expect(askWithTimeout(callbackChannel(() => Promise.reject(new Error('down'))), request, { timeoutMs: 30 })).rejects.toThrow('down');
  expect((await withTimeout(new ScriptedChannel([{ silence: true }]), 20).ask(request, { signal: new AbortController().signal })).kind).toBe('timeout');
});

test('askWithTimeout waits 25 days in full, refuses a time limit nobody can state, and withTimeout refuses it when built', async () => {
  vi.useFakeTimers();
  try {
    let answer: unknown;
    const asked = askWithTimeout(new ScriptedChannel([{ silence: true }]), request, { timeoutMs: 25 * 24 * 3_600_000 }).then((a) => (answer = a));
    await vi.advanceTimersByTimeAsync(25 * 24 * 3_600_000 - 1);
    expect(answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await asked;
    expect(answer).toMatchObject({ kind: 'timeout' });
  } finally {
    vi.useRealTimers();
  }
  const unused = new ScriptedChannel([{ kind: 'approve' }]);
  await expect(askWithTimeout(unused, request, { timeoutMs: Number.NaN })).rejects.toThrow('timeout NaN is not a finite number of milliseconds ≥ 0');
  expect(unused.requests).toEqual([]);
  expect(() => withTimeout(unused, -5)).toThrow('withTimeout(scripted): timeout -5 is not a finite number of milliseconds ≥ 0');
});

test('a ladder asks each rung for its time, then the next; the first answer wins, marked with its rung', async () => {
  const slack = new ScriptedChannel([{ silence: true }], { name: 'slack' });
  const pager = new ScriptedChannel([{ answer: { kind: 'approve', by: 'on-call' }, delayMs: 20 }], { name: 'pager' });
  const events: LadderEvent[] = [];
  const approvals = ladder([{ channel: slack, for: 40 }, { channel: pager, for: 1000 }], { name: 'approvals', onStep: (event) => events.push(event) });
  const started = Date.now();
  const answer = await approvals.ask(request, { signal: new AbortController().signal });
  expect(answer).toMatchObject({ kind: 'approve', by: 'on-call', channel: 'pager' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  expect(events.map((event) => `${event.type} ${event.channel}`)).toEqual(['rung-asked slack', 'rung-expired slack', 'rung-asked pager']);
  expect(slack.requests[0]!.id).toBe(request.id);
  expect(Date.parse(pager.requests[0]!.expiresAt!) - Date.parse(slack.requests[0]!.expiresAt!)).toBeGreaterThan(900);
});

test('after the last rung the answer is timeout; a failing rung passes to the next; all failing fails', async () => {
  const quiet = (name: string) => new ScriptedChannel([{ silence: true }], { name });
  expect((await ladder([{ channel: quiet('a'), for: 10 }, { channel: quiet('b'), for: 10 }]).ask(request, { signal: new AbortController().signal })).kind).toBe('timeout');
  const broken = callbackChannel(() => Promise.reject(new Error('slack is down')), { name: 'slack' });
  expect(await ladder([{ channel: broken, for: 1000 }, { channel: new ScriptedChannel([{ kind: 'reject', message: 'no' }], { name: 'pager' }) }]).ask(request, { signal: new AbortController().signal })).toMatchObject({ kind: 'reject', channel: 'pager' });
  await expect(ladder([{ channel: broken, for: 10 }]).ask(request, { signal: new AbortController().signal })).rejects.toThrow('slack is down');
});

test('a ladder refuses rungs that could never be reached, or have no channel', () => {
  const a = new ScriptedChannel([], { name: 'a' });
  expect(() => ladder([])).toThrow('a ladder needs at least one rung');
  expect(() => ladder([{ channel: a }, { channel: a, for: 10 }])).toThrow('rung 1 (a) waits forever, so the rungs after it are never asked: give it a "for"');
  expect(() => ladder([{ channel: a, for: -1 }])).toThrow('rung 1 (a): "for": timeout -1 is not a finite number of milliseconds ≥ 0');
  expect(() => ladder([{ channel: undefined as never, for: 1 }])).toThrow('rung 1 of the ladder has no channel');
});

test('an agent with a ladder: the policy’s timeout bounds the whole ladder, and onNoInput applies after it', async () => {
  const slack = new ScriptedChannel([{ silence: true }], { name: 'slack' });
  const pager = new ScriptedChannel([{ silence: true }], { name: 'pager' });
  const { result } = await refundRun({ channel: ladder([{ channel: slack, for: 30 }, { channel: pager, for: 10_000 }]), policy: refundPolicy({ timeout: '120ms', onNoInput: 'stop' }) });
  expect(slack.requests).toHaveLength(1);
  expect(pager.requests).toHaveLength(1);
  expect(result.ended).toMatchObject({ cause: 'no-input' });
  expect(pager.answers[0]!.kind).toBe('timeout');
});
