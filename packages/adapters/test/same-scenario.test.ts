// The same scenario through the gate, the openai adapter and the bundled agents: the same
// outcomes, since all are the supervisor. Where the agents' documented default differs (reject
// ends the chat), the difference is asserted, and `onReject: 'refuse'` gives the same outcome.
import type { ChatCompletionMessage } from 'openai/resources/chat/completions';
import { AssistantAgent, ScriptedChannel, UserProxyAgent, type ChatResult, type ConversableAgentOptions, type ScriptedApproval } from '@handrail/core';
import { ScriptedIO, ScriptedModel } from '@handrail/core/testing';
import { compilePolicy } from '@handrail/policy';
import { describe, expect, it } from 'vitest';
import { createGate } from '../src/index.js';
import { gateChatCompletion } from '../src/openai/index.js';

const policySource = `policy refunds
rule huge:  when tool.name == "refund" and tool.args.amount > 1000 then stop "refunds over 1000 are not allowed"
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund" timeout 200ms else stop`;
const policy = compilePolicy(policySource);

const cases: Array<{ name: string; amount: number; answer?: ScriptedApproval; expected: { kind: string; ran: number[] } }> = [
  { name: 'a call that continues', amount: 40, expected: { kind: 'proceed', ran: [40] } },
  { name: 'escalated and approved', amount: 250, answer: { kind: 'approve' }, expected: { kind: 'proceed', ran: [250] } },
  { name: 'rejected', amount: 250, answer: { kind: 'reject', message: 'no' }, expected: { kind: 'reject', ran: [] } },
  { name: 'replied to', amount: 250, answer: { kind: 'reply', text: 'refund 90 instead' }, expected: { kind: 'reply', ran: [] } },
  { name: 'edited into something the policy stops', amount: 250, answer: { kind: 'edit', args: { amount: 5000 } }, expected: { kind: 'stop', ran: [] } },
  { name: 'timed out', amount: 250, answer: { silence: true }, expected: { kind: 'stop', ran: [] } },
  { name: 'a stop', amount: 5000, expected: { kind: 'stop', ran: [] } },
];

/** The agents' chat for one case: an assistant proposes refund(amount), the proxy decides, asks, runs it or not. */
async function agentsRun(amount: number, answer: ScriptedApproval | undefined, options: ConversableAgentOptions = {}): Promise<{ result: ChatResult; ran: number[]; seen: ScriptedModel }> {
  const ran: number[] = [];
  const io = new ScriptedIO();
  const model = new ScriptedModel([{ toolCalls: [{ name: 'refund', arguments: { amount } }] }, 'TERMINATE']);
  const assistant = new AssistantAgent('assistant', { model, io });
  const user = new UserProxyAgent('user', {
    policy: compilePolicy(`${policySource}\nrule done: when content == "TERMINATE" then stop "finished"\ndefault continue`),
    io,
    codeExecutionConfig: false,
    approvalChannel: new ScriptedChannel(answer ? [answer] : []),
    functionMap: { refund: ({ amount: given }) => (ran.push(given as number), 'refunded') },
    ...options,
  });
  const result = await user.initiateChat(assistant, { message: 'Refund order A-7.' });
  return { result, ran, seen: model };
}

/** What the agents' chat did with the step, as a verdict kind: the tool ran, a reply or refusal went back, or the chat ended on the step. */
function agentsOutcome({ result, ran }: { result: ChatResult; ran: number[] }): string {
  if (ran.length) return 'proceed';
  if (result.ended.reason !== 'finished') return 'stop';
  const back = result.chatHistory.find((message) => message.tool_responses?.length);
  return back?.content?.toString().startsWith('Refused by a person') ? 'reject' : 'reply';
}

const message = (amount: number): ChatCompletionMessage => ({ role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'refund', arguments: JSON.stringify({ amount }) } }] });

describe.each(cases)('$name', ({ amount, answer, expected }) => {
  it('through the gate', async () => {
    const gate = createGate({ policy, channel: new ScriptedChannel(answer ? [answer] : []) });
    const verdict = await gate.check({ content: null, role: 'assistant', tool: { name: 'refund', args: { amount } } });
    expect(verdict.kind).toBe(expected.kind);
    expect(verdict.kind === 'proceed' ? [amount] : []).toEqual(expected.ran);
  });

  it('through the openai adapter', async () => {
    const gate = createGate({ policy, channel: new ScriptedChannel(answer ? [answer] : []) });
    const ran: number[] = [];
    const step = await gateChatCompletion(gate, message(amount), { refund: ({ amount: given }: { amount: number }) => ran.push(given) });
    const verdict = step.kind === 'final' ? step.verdict : step.calls[0]?.verdict ?? (step.kind === 'stop' ? step.verdict : undefined);
    expect(verdict?.kind).toBe(expected.kind);
    expect(ran).toEqual(expected.ran);
    if (expected.kind === 'reject') expect(step.kind === 'continue' && step.messages.at(-1)).toMatchObject({ role: 'tool', content: expect.stringContaining('Do not call refund again') });
  });

  it('through the bundled agents', async () => {
    const run = await agentsRun(amount, answer);
    if (expected.kind === 'reject') {
      // The agents' documented default: reject ends the chat (cause rejected), the tool does not run.
      expect(run.result.ended).toMatchObject({ cause: 'rejected', rule: 'large' });
      expect(run.ran).toEqual([]);
      // With onReject 'refuse' the outcome is the gate's: the model is told not to retry, the chat goes on.
      const refused = await agentsRun(amount, answer, { onReject: 'refuse' });
      expect(agentsOutcome(refused)).toBe('reject');
      expect(refused.seen.requests[1]!.messages.find((item) => item.role === 'tool')).toMatchObject({ content: expect.stringContaining('Do not call refund again') });
      return;
    }
    expect(agentsOutcome(run)).toBe(expected.kind);
    expect(run.ran).toEqual(expected.ran);
    if (expected.kind === 'stop') expect(run.result.ended.cause).toMatch(/^(stop|no-input)$/);
  });
});
