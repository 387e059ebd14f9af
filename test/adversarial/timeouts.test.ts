// The edges of the timer range. Node's timers hold at most 2^31 - 1 ms (about 24.8 days) and
// fire after 1 ms when given more, so `timeout 25d else continue` once let the step go ahead
// with nobody asked. Every place that waits for a person with the policy's deadline is held
// here to the same promise: still waiting after 1 ms and after 24 days, `timeout` exactly at
// the deadline, then the policy's `else`. A timeout that is no finite number ≥ 0 is refused,
// never taken as "now" or as "forever".
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGate, type GateVerdict } from '../../packages/adapters/src/index.js';
import {
  askWithTimeout,
  AssistantAgent,
  DurableRun,
  ladder,
  MemoryRunStore,
  ScriptedChannel,
  UserProxyAgent,
  withTimeout,
  type ApprovalAnswer,
  type ApprovalChannel,
  type ApprovalRequest,
  type ChatResult,
} from '../../packages/core/src/index.js';
import { ScriptedIO, ScriptedModel } from '../../packages/core/src/testing/index.js';
import { compilePolicy } from '../../packages/policy/src/index.js';

const hour = 3_600_000;
const day = 24 * hour;

/** Durations as a policy writes them, and what they are in milliseconds. */
const durations = [
  ['25d', 25 * day],
  ['30d', 30 * day],
  ['720h', 720 * hour],
  ['2147483647ms', 2 ** 31 - 1],
  ['2147483648ms', 2 ** 31],
] as const;

type OnNoInput = 'continue' | 'stop';

function refundPolicy(timeout: string, onNoInput: OnNoInput) {
  return compilePolicy(`policy refunds
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "refund over 100" timeout ${timeout} else ${onNoInput}
rule done: when content == "TERMINATE" then stop "finished"
default continue
`);
}

/** A person who never answers; the question is withdrawn through the signal. */
function silentChannel(): ApprovalChannel & { asked: number; withdrawn: number } {
  const channel = {
    name: 'silent',
    asked: 0,
    withdrawn: 0,
    ask: (_request: ApprovalRequest, { signal }: { signal: AbortSignal }) =>
      new Promise<ApprovalAnswer>((resolve) => {
        channel.asked++;
        signal.addEventListener('abort', () => {
          channel.withdrawn++;
          resolve({ kind: 'approve', by: 'too late', at: new Date().toISOString() });
        });
      }),
  };
  return channel;
}

const request = (timeoutMs?: number): ApprovalRequest => ({
  id: '4f1c2a9e-0000-4000-8000-00000000000a',
  runId: 'run-timeouts',
  createdAt: new Date().toISOString(),
  prompt: 'Refund 250?',
  decision: { rule: 'large', reason: 'refund over 100', onNoInput: 'stop', policy: { name: 'refunds', hash: 'sha256:0' }, ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
});

/** A wait under test: whether it has ended, and its outcome. */
interface Waiting<T> {
  done(): boolean;
  outcome: Promise<T>;
}

function watch<T>(promise: Promise<T>): Waiting<T> {
  let done = false;
  const outcome = promise.finally(() => (done = true));
  outcome.catch(() => undefined);
  return { done: () => done, outcome };
}

/**
 * Holds one wait to the deadline: lets it reach its question (no time passes), then checks it
 * is waiting after 1 ms, after 24 days (or 1 ms short of a shorter deadline), 1 ms short of the
 * deadline, and over exactly at it.
 */
async function expectFullWait<T>(timeoutMs: number, start: () => Waiting<T>): Promise<T> {
  const waiting = start();
  await vi.advanceTimersByTimeAsync(0);
  let elapsed = 0;
  for (const at of [1, Math.min(24 * day, timeoutMs - 1), timeoutMs - 1]) {
    await vi.advanceTimersByTimeAsync(at - elapsed);
    elapsed = at;
    expect(waiting.done(), `ended after ${elapsed} ms of ${timeoutMs}`).toBe(false);
  }
  await vi.advanceTimersByTimeAsync(1);
  expect(waiting.done(), `still waiting at the deadline (${timeoutMs} ms)`).toBe(true);
  return waiting.outcome;
}

afterEach(() => vi.useRealTimers());

describe.each(durations)('timeout %s', (text, timeoutMs) => {
  it.each(['continue', 'stop'] as const)('the gate waits in full, then applies else %s', async (onNoInput) => {
    vi.useFakeTimers();
    const channel = silentChannel();
    const gate = createGate({ policy: refundPolicy(text, onNoInput), channel });
    const verdict: GateVerdict = await expectFullWait(timeoutMs, () => watch(gate.check({ content: null, role: 'assistant', sender: 'clerk', tool: { name: 'refund', args: { amount: 250 } } })));
    expect(channel).toMatchObject({ asked: 1, withdrawn: 1 });
    expect(verdict.answer?.kind).toBe('timeout');
    expect(verdict.kind).toBe(onNoInput === 'continue' ? 'proceed' : 'stop');
  });

  it('askWithTimeout and withTimeout wait in full, then answer timeout and withdraw the question', async () => {
    vi.useFakeTimers();
    const asked = silentChannel();
    expect(await expectFullWait(timeoutMs, () => watch(askWithTimeout(asked, request(timeoutMs), { timeoutMs })))).toMatchObject({ kind: 'timeout' });
    expect(asked).toMatchObject({ asked: 1, withdrawn: 1 });
    const wrapped = silentChannel();
    const limited = withTimeout(wrapped, timeoutMs);
    expect(await expectFullWait(timeoutMs, () => watch(Promise.resolve(limited.ask(request(), { signal: new AbortController().signal }))))).toMatchObject({ kind: 'timeout' });
    expect(wrapped).toMatchObject({ asked: 1, withdrawn: 1 });
  });

  it('a durable run waits in full for its answer, then stores timeout', async () => {
    vi.useFakeTimers();
    const store = new MemoryRunStore();
    const run = await DurableRun.open(store, `run-${text}`);
    const policy = refundPolicy(text, 'continue');
    const answer = await expectFullWait(timeoutMs, () =>
      watch(run.awaitApproval({ id: 'refund-a7', prompt: 'Refund 250?', decision: { rule: 'large', reason: 'refund over 100', onNoInput: 'continue', policy: { name: policy.name, hash: policy.hash }, timeoutMs } })),
    );
    expect(answer.kind).toBe('timeout');
    expect((await store.getApproval('refund-a7'))?.answer).toMatchObject({ channel: 'timeout', answer: { kind: 'timeout' } });
    await run.close();
  });

  describe.each([
    ['typed human input (io)', false],
    ['an approval channel', true],
  ] as const)('an agent asking through %s', (_name, throughChannel) => {
    it.each([
      ['continue', 'stop', 1],
      ['stop', 'no-input', 0],
    ] as const)('waits in full, then applies else %s', async (onNoInput, cause, refunds) => {
      vi.useFakeTimers();
      const io = new ScriptedIO([{ silence: true }]);
      const channel = new ScriptedChannel([{ silence: true }]);
      const done: unknown[] = [];
      const assistant = new AssistantAgent('assistant', { model: new ScriptedModel([{ toolCalls: [{ name: 'refund', arguments: { amount: 250 } }] }, 'TERMINATE']), io });
      const user = new UserProxyAgent('user', {
        policy: refundPolicy(text, onNoInput),
        codeExecutionConfig: false,
        io,
        ...(throughChannel ? { approvalChannel: channel } : {}),
        functionMap: { refund: (args) => (done.push(args), 'refunded') },
      });
      const result: ChatResult = await expectFullWait(timeoutMs, () => watch(user.initiateChat(assistant, { message: 'Refund order A-7.' })));
      expect(result.ended.cause).toBe(cause);
      expect(done).toHaveLength(refunds);
      expect(result.events.filter((event) => event.type === 'human-input-received')).toEqual([expect.objectContaining({ timedOut: true })]);
    });
  });
});

/** Timeouts nobody can wait for: from a host option, an environment variable, a journal. */
const unstatable = [Number.NaN, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '10m', null] as unknown as number[];
const refusal = /^timeout .+ is not a finite number of milliseconds ≥ 0$/;

describe.each(unstatable.map((value) => [String(typeof value === 'string' ? JSON.stringify(value) : value), value] as const))('timeout %s', (shown, timeoutMs) => {
  it('askWithTimeout refuses it before the question is put; withTimeout and a ladder refuse it when built', async () => {
    vi.useFakeTimers();
    const channel = silentChannel();
    await expect(askWithTimeout(channel, request(), { timeoutMs })).rejects.toThrow(refusal);
    await expect(askWithTimeout(channel, request(), { timeoutMs })).rejects.toThrow(shown);
    expect(channel.asked).toBe(0);
    expect(() => withTimeout(channel, timeoutMs)).toThrow(/^withTimeout\(silent\): timeout .+ is not a finite number of milliseconds ≥ 0$/);
    expect(() => ladder([{ channel, for: timeoutMs }])).toThrow(/is not a finite number of milliseconds ≥ 0/);
  });

  it('the gate stops the step and says why, when its channel’s own time limit is one nobody can state', async () => {
    vi.useFakeTimers();
    const inner = silentChannel();
    const channel: ApprovalChannel = { name: 'slack', ask: (asked, { signal }) => askWithTimeout(inner, asked, { timeoutMs, signal }) };
    const gate = createGate({ policy: refundPolicy('25d', 'continue'), channel });
    const verdict = await gate.check({ content: null, role: 'assistant', sender: 'clerk', tool: { name: 'refund', args: { amount: 250 } } });
    expect(verdict.kind).toBe('stop');
    expect(verdict.kind === 'stop' && verdict.reason).toMatch(/^refund over 100; asking a person failed: timeout .+ is not a finite number of milliseconds ≥ 0$/);
    expect(inner.asked).toBe(0);
  });

  it('a durable run refuses the question before journaling it', async () => {
    vi.useFakeTimers();
    const store = new MemoryRunStore();
    const run = await DurableRun.open(store, 'run-unstatable');
    const decision = { rule: 'large', reason: 'refund over 100', onNoInput: 'continue' as const, policy: { name: 'refunds', hash: 'sha256:0' }, timeoutMs };
    await expect(run.awaitApproval({ id: 'bad-timeout', prompt: 'Refund 250?', decision })).rejects.toThrow(refusal);
    expect(run.serialize().records.map((record) => record.type)).toEqual(['run-started']);
    expect(await store.getApproval('bad-timeout')).toBeUndefined();
    await run.close();
  });
});

it('a durable question whose end is no date is refused, not expired at once', async () => {
  vi.useFakeTimers();
  const run = await DurableRun.open(new MemoryRunStore(), 'run-no-date');
  const decision = { rule: 'large', reason: 'refund over 100', onNoInput: 'continue' as const, policy: { name: 'refunds', hash: 'sha256:0' } };
  await expect(run.awaitApproval({ prompt: 'Refund 250?', expiresAt: 'in a month', decision })).rejects.toThrow('the approval\'s expiresAt "in a month" is not a date');
  await expect(run.awaitApproval({ prompt: 'Refund 250?', createdAt: 'today', decision: { ...decision, timeoutMs: 30 * day } })).rejects.toThrow('the approval\'s createdAt "today" is not a date');
  expect(run.serialize().records.map((record) => record.type)).toEqual(['run-started']);
  await run.close();
});
