// The `openai` SDK's tool loops gated by a policy: Chat Completions on the real client against a
// local scripted server, and the Responses API on the SDK's own item types (the scripted server
// serves Chat Completions only).
import OpenAI from 'openai';
import type { ResponseFunctionToolCall, ResponseInputItem, ResponseOutputItem, ResponseOutputMessage } from 'openai/resources/responses/responses';
import { startOpenAIServer, type ScriptedReply } from '@handrail/core/testing';
import { compilePolicy } from '@handrail/policy';
import { afterEach, describe, expect, it } from 'vitest';
import { createGate, type GateOptions } from '@handrail/adapters';
import { gateChatCompletion, gateResponse, type ChatStep, type ResponseStep } from '@handrail/adapters/openai';
import { person, type Answer } from './fixtures/person.js';

const policy = compilePolicy(`policy refunds version 1
rule forbidden: when tool.name == "delete_account" then stop "accounts are never deleted"
rule large: when tool.name == "refund" and tool.args.amount > 100
  then escalate "large refund" timeout 300ms else stop prompt "{sender} wants to refund more than 100. Approve?"
rule draft: when content ends with "[draft]" then escalate "a draft answer"`);

const schemas: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'refund', parameters: { type: 'object', properties: { amount: { type: 'number' } } } } },
  { type: 'function', function: { name: 'delete_account', parameters: { type: 'object', properties: {} } } },
];

/** The tools, recording each run with its arguments. */
function desk() {
  const ran: Array<[string, unknown]> = [];
  return {
    ran,
    tools: {
      refund: (args: { amount: number }) => {
        ran.push(['refund', args]);
        return `refunded ${args.amount}`;
      },
      delete_account: (args: unknown) => {
        ran.push(['delete_account', args]);
        return { deleted: true };
      },
    },
  };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** The Chat Completions loop an engineer writes with the adapter. */
async function chatLoop(script: ScriptedReply[], options: Omit<GateOptions, 'policy'>) {
  const server = await startOpenAIServer(script);
  close = () => server.close();
  const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'test' });
  const gate = createGate({ policy, name: 'proxy', ...options });
  const { ran, tools } = desk();
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Process the refunds.' }];
  for (;;) {
    const completion = await client.chat.completions.create({ model: 'scripted', messages, tools: schemas });
    const step: ChatStep = await gateChatCompletion(gate, completion.choices[0]!.message, tools, { sender: 'clerk' });
    if (step.kind === 'stop') return { ran, server, messages, reason: step.reason, step };
    messages.push(...step.messages);
    if (step.kind === 'final') return { ran, server, messages, answer: step.text, step };
  }
}

const refunds: ScriptedReply[] = [{ toolCalls: [{ name: 'refund', arguments: { amount: 250 } }] }, { toolCalls: [{ name: 'refund', arguments: { amount: 40 } }] }, 'All refunds done.'];

/** What the model was sent as tool results in its request number `index`. */
function toolResults(server: Awaited<ReturnType<typeof startOpenAIServer>>, index: number) {
  return server.requests[index]!.messages.filter((message) => message.role === 'tool').map((message) => message.content);
}

describe('gateChatCompletion', () => {
  it('gates a streamed loop: each call is decided once the stream has its complete arguments', async () => {
    const server = await startOpenAIServer(refunds);
    close = () => server.close();
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'test' });
    const approvals = person([{ kind: 'edit', args: { amount: 90 } }]);
    const gate = createGate({ policy, name: 'proxy', channel: approvals });
    const { ran, tools } = desk();
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Process the refunds.' }];
    let chunks = 0;
    let answer: string | null | undefined;
    for (let turn = 0; turn < 5 && answer === undefined; turn++) {
      const stream = client.chat.completions.stream({ model: 'scripted', messages, tools: schemas });
      stream.on('chunk', () => chunks++);
      const step: ChatStep = await gateChatCompletion(gate, await stream.finalMessage(), tools, { sender: 'clerk' });
      if (step.kind === 'stop') throw new Error(step.reason);
      messages.push(...step.messages);
      if (step.kind === 'final') answer = step.text;
    }
    expect(server.requests.every((request) => request.stream === true)).toBe(true);
    expect(chunks).toBeGreaterThan(3);
    expect(approvals.asked).toHaveLength(1);
    expect(ran).toEqual([
      ['refund', { amount: 90 }],
      ['refund', { amount: 40 }],
    ]);
    expect(answer).toBe('All refunds done.');
  });

  it('asks a person before a large refund, runs a small one without asking, and ends on the answer', async () => {
    const approvals = person([{ kind: 'approve', by: 'dana' }]);
    const run = await chatLoop(refunds, { channel: approvals });
    expect(run.ran).toEqual([
      ['refund', { amount: 250 }],
      ['refund', { amount: 40 }],
    ]);
    expect(run.answer).toBe('All refunds done.');
    expect(approvals.asked).toHaveLength(1);
    expect(approvals.asked[0]).toMatchObject({ sender: 'clerk', prompt: 'clerk wants to refund more than 100. Approve?', tool: { name: 'refund', args: { amount: 250 } } });
    expect(toolResults(run.server, 1)).toEqual(['refunded 250']);
    expect(toolResults(run.server, 2)).toEqual(['refunded 250', 'refunded 40']);
  });

  it('never runs a refused call, and tells the model why', async () => {
    const run = await chatLoop(refunds, { channel: person([{ kind: 'reject', message: 'customer is not eligible' }]) });
    expect(run.ran).toEqual([['refund', { amount: 40 }]]);
    expect(toolResults(run.server, 1)).toEqual(['Refused by a person: customer is not eligible. Do not call refund again with the same arguments; go on without it, or ask the user what to do instead.']);
    expect(run.answer).toBe('All refunds done.');
  });

  it('runs an edited call with the new arguments, and shows the model the call as it ran', async () => {
    const run = await chatLoop(refunds, { channel: person([{ kind: 'edit', args: { amount: 90 } }]) });
    expect(run.ran).toEqual([
      ['refund', { amount: 90 }],
      ['refund', { amount: 40 }],
    ]);
    const sent = run.server.requests[1]!.messages;
    expect(sent[1]).toMatchObject({ role: 'assistant', tool_calls: [{ function: { name: 'refund', arguments: '{"amount":90}' } }] });
    expect(sent[2]).toMatchObject({ role: 'tool', content: 'refunded 90' });
  });

  it("gives the model a person's reply as the call's result, without running it", async () => {
    const run = await chatLoop(refunds, { channel: person([{ kind: 'reply', text: 'Refund 100 now, the rest next week.' }]) });
    expect(run.ran).toEqual([['refund', { amount: 40 }]]);
    expect(toolResults(run.server, 1)).toEqual(['Refund 100 now, the rest next week.']);
  });

  it('ends the run on a stop, and runs no tool of that message', async () => {
    const run = await chatLoop(
      [
        {
          toolCalls: [
            { name: 'refund', arguments: { amount: 20 } },
            { name: 'delete_account', arguments: {} },
          ],
        },
        'never asked',
      ],
      { channel: person([]) },
    );
    expect(run.ran).toEqual([]);
    expect(run.reason).toBe('accounts are never deleted');
    expect(run.server.requests).toHaveLength(1);
    expect(run.step.kind === 'stop' && run.step.calls.map((call) => [call.name, call.verdict.kind, call.ran])).toEqual([
      ['refund', 'proceed', false],
      ['delete_account', 'stop', false],
    ]);
  });

  it('stops, never proceeds, when there is nobody to ask', async () => {
    const run = await chatLoop(refunds, {});
    expect(run.ran).toEqual([]);
    expect(run.reason).toBe('large refund; no channel (default) to ask a person');
  });

  it('gates a message without tool calls: a refused draft goes back to the model with the reason', async () => {
    const approvals = person([{ kind: 'reject', message: 'say when the money arrives' }]);
    const run = await chatLoop(['Refunds sent. [draft]', 'Refunds sent; they arrive in 3 days.'], { channel: approvals });
    expect(run.answer).toBe('Refunds sent; they arrive in 3 days.');
    expect(approvals.asked[0]).toMatchObject({ message: { role: 'assistant', content: 'Refunds sent. [draft]' } });
    expect(run.server.requests[1]!.messages.at(-1)).toEqual({ role: 'user', content: 'Refused by a person: say when the money arrives. Do not send the same message again; change it, or ask the user what to do instead.' });
  });

  it('in shadow mode decides and reports, and every call runs', async () => {
    const seen: Array<[string, boolean]> = [];
    const run = await chatLoop([{ toolCalls: [{ name: 'refund', arguments: { amount: 250 } }, { name: 'delete_account' }] }, 'Done.'], {
      shadow: true,
      onVerdict: (verdict) => seen.push([verdict.decision.action, verdict.kind === 'proceed' && verdict.enforced]),
    });
    expect(run.ran).toEqual([
      ['refund', { amount: 250 }],
      ['delete_account', {}],
    ]);
    expect(run.answer).toBe('Done.');
    expect(seen).toEqual([
      ['escalate', false],
      ['stop', false],
      ['continue', false],
    ]);
  });
});

// The Responses API, on the SDK's item types: a scripted model turns each input into the next
// response's output, and remembers every input it was given.
function functionCall(callId: string, name: string, args: unknown): ResponseFunctionToolCall {
  return { type: 'function_call', call_id: callId, name, arguments: JSON.stringify(args), id: `fc_${callId}`, status: 'completed' };
}

function message(text: string): ResponseOutputMessage {
  return { type: 'message', id: `msg_${text.length}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
}

async function responsesLoop(outputs: ResponseOutputItem[][], options: Omit<GateOptions, 'policy'>) {
  const gate = createGate({ policy, name: 'proxy', ...options });
  const { ran, tools } = desk();
  const inputs: ResponseInputItem[][] = [];
  let input: ResponseInputItem[] = [{ role: 'user', content: 'Process the refunds.' }];
  for (const output of outputs) {
    inputs.push(input);
    const step: ResponseStep = await gateResponse(gate, { output }, tools, { sender: 'clerk' });
    if (step.kind === 'stop') return { ran, inputs, reason: step.reason };
    input = [...input, ...step.input];
    if (step.kind === 'final') return { ran, inputs, answer: step.text };
  }
  return { ran, inputs };
}

const refundResponses: ResponseOutputItem[][] = [[functionCall('call_1', 'refund', { amount: 250 })], [functionCall('call_2', 'refund', { amount: 40 })], [message('All refunds done.')]];

function outputsSent(inputs: ResponseInputItem[][], index: number) {
  return inputs[index]!.filter((item) => 'type' in item && item.type === 'function_call_output');
}

describe('gateResponse', () => {
  it('asks a person before a large refund, runs a small one without asking, and ends on the answer', async () => {
    const approvals = person([{ kind: 'approve' }]);
    const run = await responsesLoop(refundResponses, { channel: approvals });
    expect(run.ran).toEqual([
      ['refund', { amount: 250 }],
      ['refund', { amount: 40 }],
    ]);
    expect(run.answer).toBe('All refunds done.');
    expect(approvals.asked).toHaveLength(1);
    expect(outputsSent(run.inputs, 2)).toEqual([
      { type: 'function_call_output', call_id: 'call_1', output: 'refunded 250' },
      { type: 'function_call_output', call_id: 'call_2', output: 'refunded 40' },
    ]);
  });

  it('never runs a refused call, and tells the model why', async () => {
    const run = await responsesLoop(refundResponses, { channel: person([{ kind: 'reject', message: 'customer is not eligible' }]) });
    expect(run.ran).toEqual([['refund', { amount: 40 }]]);
    expect(outputsSent(run.inputs, 1)).toEqual([{ type: 'function_call_output', call_id: 'call_1', output: 'Refused by a person: customer is not eligible. Do not call refund again with the same arguments; go on without it, or ask the user what to do instead.' }]);
  });

  it('runs an edited call with the new arguments', async () => {
    const run = await responsesLoop(refundResponses, { channel: person([{ kind: 'edit', args: { amount: 90 } }]) });
    expect(run.ran).toEqual([
      ['refund', { amount: 90 }],
      ['refund', { amount: 40 }],
    ]);
    expect(run.inputs[1]!.slice(1)).toEqual([
      { ...functionCall('call_1', 'refund', { amount: 90 }) },
      { type: 'function_call_output', call_id: 'call_1', output: 'refunded 90' },
    ]);
  });

  it('ends the run on a stop, and runs no function of that response', async () => {
    const run = await responsesLoop([[functionCall('call_1', 'refund', { amount: 20 }), functionCall('call_2', 'delete_account', {})], [message('never reached')]], { channel: person([]) });
    expect(run.ran).toEqual([]);
    expect(run.reason).toBe('accounts are never deleted');
    expect(run.inputs).toHaveLength(1);
  });

  it('stops, never proceeds, when there is nobody to ask', async () => {
    const run = await responsesLoop(refundResponses, {});
    expect(run.ran).toEqual([]);
    expect(run.reason).toBe('large refund; no channel (default) to ask a person');
  });

  it('in shadow mode every call runs', async () => {
    const run = await responsesLoop([[functionCall('call_1', 'delete_account', {})], [message('Done.')]], { shadow: true });
    expect(run.ran).toEqual([['delete_account', {}]]);
    expect(run.answer).toBe('Done.');
  });
});
