// The same scenario through the gate and the openai adapter: the same outcomes, since both are
// the supervisor.
import type { ChatCompletionMessage } from 'openai/resources/chat/completions';
import { ScriptedChannel, type ScriptedApproval } from '@handrail/core';
import { compilePolicy } from '@handrail/policy';
import { describe, expect, it } from 'vitest';
import { createGate } from '../src/index.js';
import { gateChatCompletion } from '../src/openai/index.js';

const policy = compilePolicy(`policy refunds
rule huge:  when tool.name == "refund" and tool.args.amount > 1000 then stop "refunds over 1000 are not allowed"
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund" timeout 200ms else stop`);

const cases: Array<{ name: string; amount: number; answer?: ScriptedApproval; expected: { kind: string; ran: number[] } }> = [
  { name: 'a call that continues', amount: 40, expected: { kind: 'proceed', ran: [40] } },
  { name: 'escalated and approved', amount: 250, answer: { kind: 'approve' }, expected: { kind: 'proceed', ran: [250] } },
  { name: 'rejected', amount: 250, answer: { kind: 'reject', message: 'no' }, expected: { kind: 'reject', ran: [] } },
  { name: 'replied to', amount: 250, answer: { kind: 'reply', text: 'refund 90 instead' }, expected: { kind: 'reply', ran: [] } },
  { name: 'edited into something the policy stops', amount: 250, answer: { kind: 'edit', args: { amount: 5000 } }, expected: { kind: 'stop', ran: [] } },
  { name: 'timed out', amount: 250, answer: { silence: true }, expected: { kind: 'stop', ran: [] } },
  { name: 'a stop', amount: 5000, expected: { kind: 'stop', ran: [] } },
];

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
});
