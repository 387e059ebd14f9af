// A hand-written tool loop on the real `openai` client, against a local OpenAI-compatible server
// with scripted replies, gated by a policy.
import OpenAI from 'openai';
import type { ApprovalAnswer, ApprovalChannel, ApprovalRequest } from '@handrail/core';
import { startOpenAIServer } from '@handrail/core/testing';
import { compilePolicy } from '@handrail/policy';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGate, type GateOptions, type GateVerdict } from '../src/index.js';

const policy = compilePolicy(`policy refunds version 1
rule large: when tool.name == "refund" and tool.args.amount > 100
  then escalate "large refund" timeout 300ms else stop prompt "{sender} wants to refund more than 100. Approve?"
rule done: when content ends with "TERMINATE" then stop "finished"
rule runaway: when auto_replies >= 5 then stop "too many steps without a person"`);

const tools = [{ type: 'function' as const, function: { name: 'refund', parameters: { type: 'object', properties: { amount: { type: 'number' } } } } }];

type Answer = ApprovalAnswer extends infer A ? (A extends ApprovalAnswer ? Omit<A, 'at'> : never) : never;

/** A person who answers from a list and remembers what they were asked. */
function person(answers: Array<Answer | 'never'>): ApprovalChannel & { asked: ApprovalRequest[] } {
  const asked: ApprovalRequest[] = [];
  return {
    name: 'test',
    asked,
    ask(request, { signal }) {
      asked.push(request);
      const next = answers.shift();
      if (next === 'never' || next === undefined) return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      return Promise.resolve({ ...next, at: new Date().toISOString() } as ApprovalAnswer);
    },
  };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** The loop an engineer writes: ask the model, gate each tool call and each final message. */
async function runLoop(script: Parameters<typeof startOpenAIServer>[0], options: Omit<GateOptions, 'policy'>) {
  const server = await startOpenAIServer(script);
  close = () => server.close();
  const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'test' });
  const gate = createGate({ policy, name: 'proxy', ...options });
  const refunds: number[] = [];
  const verdicts: GateVerdict['kind'][] = [];
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Process the refunds.' }];
  for (;;) {
    if (server.remaining === 0) return { refunds, verdicts, reason: 'the script is used up', server };
    const completion = await client.chat.completions.create({ model: 'scripted', messages, tools });
    const message = completion.choices[0]!.message;
    messages.push(message);
    if (!message.tool_calls?.length) {
      const verdict = await gate.check({ content: message.content, role: 'assistant', sender: 'clerk' });
      verdicts.push(verdict.kind);
      if (verdict.kind === 'stop') return { refunds, verdicts, reason: verdict.reason, server };
      messages.push({ role: 'user', content: verdict.kind === 'reply' ? verdict.text : 'Go on.' });
      continue;
    }
    for (const call of message.tool_calls) {
      if (call.type !== 'function') continue;
      const args = JSON.parse(call.function.arguments) as { amount: number };
      const verdict = await gate.check({ content: message.content, role: 'assistant', sender: 'clerk', tool: { name: call.function.name, args } });
      verdicts.push(verdict.kind);
      if (verdict.kind === 'stop') return { refunds, verdicts, reason: verdict.reason, server };
      let result = '';
      if (verdict.kind === 'proceed') {
        const amount = (verdict.args as { amount: number } | undefined)?.amount ?? args.amount;
        refunds.push(amount);
        result = `refunded ${amount}`;
      } else result = verdict.kind === 'reject' ? `not done: ${verdict.message}` : verdict.text;
      messages.push({ role: 'tool', tool_call_id: call.id, content: result });
    }
  }
}

const script = [
  { toolCalls: [{ name: 'refund', arguments: { amount: 250 } }] },
  { toolCalls: [{ name: 'refund', arguments: { amount: 40 } }] },
  'All refunds done. TERMINATE',
];

describe('a gated hand-written loop', () => {
  it('asks a person before a large refund, runs small ones alone, and stops when done', async () => {
    const approvals = person([{ kind: 'approve', by: 'dana' }]);
    const run = await runLoop(script, { channel: approvals });
    expect(run.refunds).toEqual([250, 40]);
    expect(run.verdicts).toEqual(['proceed', 'proceed', 'stop']);
    expect(run.reason).toBe('finished');
    expect(approvals.asked).toHaveLength(1);
    expect(approvals.asked[0]).toMatchObject({ agent: 'proxy', sender: 'clerk', prompt: 'clerk wants to refund more than 100. Approve?', tool: { name: 'refund', args: { amount: 250 } }, decision: { rule: 'large', onNoInput: 'stop', timeoutMs: 300 } });
  });

  it('runs the tool with the arguments a person edited', async () => {
    const run = await runLoop(script, { channel: person([{ kind: 'edit', args: { amount: 90 } }]) });
    expect(run.refunds).toEqual([90, 40]);
  });

  it('tells the model when a person refuses, and goes on', async () => {
    const run = await runLoop(script, { channel: person([{ kind: 'reject', message: 'customer is not eligible' }]) });
    expect(run.refunds).toEqual([40]);
    expect(run.verdicts).toEqual(['reject', 'proceed', 'stop']);
    const toolResults = run.server.requests[1]!.messages.filter((m) => m.role === 'tool');
    expect(toolResults).toEqual([expect.objectContaining({ content: 'not done: customer is not eligible' })]);
  });

  it('does what the policy says when nobody answers in time', async () => {
    const run = await runLoop(script, { channel: person(['never']) });
    expect(run.refunds).toEqual([]);
    expect(run.reason).toBe('large refund; nobody answered');
  });

  it('stops rather than goes on when there is nobody to ask', async () => {
    const run = await runLoop(script, {});
    expect(run.refunds).toEqual([]);
    expect(run.reason).toBe('large refund; no channel (default) to ask a person');
  });

  it('in shadow mode decides and reports but never enforces', async () => {
    const seen: Array<[string, boolean]> = [];
    const run = await runLoop([...script.slice(0, 2), 'Still going', 'All refunds done. TERMINATE'], {
      shadow: true,
      onVerdict: (verdict) => seen.push([verdict.decision.action, verdict.kind === 'proceed' && verdict.enforced]),
    });
    expect(run.refunds).toEqual([250, 40]);
    expect(run.reason).toBe('the script is used up');
    expect(seen).toEqual([
      ['escalate', false],
      ['continue', false],
      ['continue', false],
      ['stop', false],
    ]);
  });

  it('counts consecutive auto-replies per sender and lets the policy stop a runaway loop', async () => {
    const gate = createGate({ policy });
    const kinds: string[] = [];
    for (let i = 0; i < 6; i++) kinds.push((await gate.check({ content: `step ${i}`, sender: 'clerk' })).kind);
    expect(kinds).toEqual(['proceed', 'proceed', 'proceed', 'proceed', 'proceed', 'stop']);
    expect(gate.autoReplies('clerk')).toBe(5);
    gate.reset();
    expect(gate.autoReplies('clerk')).toBe(0);
  });
});

describe('a long timeout', () => {
  afterEach(() => vi.useRealTimers());

  it('waits 30 days in full, and an answer the withdrawal provokes comes too late', async () => {
    vi.useFakeTimers();
    const day = 24 * 3_600_000;
    const month = compilePolicy('policy refunds\nrule large: when tool.name == "refund" then escalate "large refund" timeout 30d else continue');
    // Answers "approve" the moment the question is withdrawn: too late to count.
    const eager: ApprovalChannel = { name: 'eager', ask: (_request, { signal }) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ kind: 'approve', at: new Date().toISOString() }))) };
    let verdict: GateVerdict | undefined;
    const checked = createGate({ policy: month, channel: eager }).check({ content: null, role: 'assistant', tool: { name: 'refund', args: { amount: 250 } } }).then((v) => (verdict = v));
    await vi.advanceTimersByTimeAsync(30 * day - 1);
    expect(verdict).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await checked;
    expect(verdict).toMatchObject({ kind: 'proceed', answer: { kind: 'timeout' } });
  });
});
