// The AI SDK's own loop (generateText, streamText) with a policy in front: the SDK's
// MockLanguageModelV3 plays the model, and a small channel plays the person.
import { generateText, jsonSchema, stepCountIs, streamText, tool, type ModelMessage } from 'ai';
import { DurableRun, MemoryRunStore, type ApprovalAnswer, type ApprovalChannel, type ApprovalRequest, type Verdict } from '@handrail/core';
import { compilePolicy } from '@handrail/policy';
import { describe, expect, it } from 'vitest';
import { createAiSdkGuard, type AiSdkGuardOptions } from '@handrail/adapters/ai-sdk';
import { refunds, scriptedModel, toolResults, type ScriptStep } from './fixtures/ai-sdk-model.js';
import { person, type Answer } from './fixtures/person.js';

const policy = compilePolicy(`policy refunds version 1
rule forbidden: when tool.name == "delete_account" then stop "accounts are never deleted"
rule huge: when tool.name == "refund" and tool.args.amount > 1000 then stop "refunds over 1000 are never made"
rule large: when tool.name == "refund" and tool.args.amount > 100
  then escalate "large refund" timeout 300ms else stop prompt "{sender} wants to refund more than 100. Approve?"
rule done: when content ends with "TERMINATE" then stop "the clerk said it is done"
rule draft: when content ends with "[draft]" then escalate "a draft answer"`);

/** A person who never answers. */
const away: ApprovalChannel = { name: 'away', ask: () => new Promise(() => undefined) };

function desk() {
  const ran: Array<[string, unknown]> = [];
  const tools = {
    refund: tool({
      inputSchema: jsonSchema<{ amount: number }>({ type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] }),
      execute: async ({ amount }) => {
        ran.push(['refund', { amount }]);
        return `refunded ${amount}`;
      },
    }),
    delete_account: tool({
      inputSchema: jsonSchema<Record<string, never>>({ type: 'object', properties: {} }),
      execute: async (args) => {
        ran.push(['delete_account', args]);
        return 'deleted';
      },
    }),
  };
  return { ran, tools };
}

async function loop(script: ScriptStep[], options: Omit<AiSdkGuardOptions, 'policy'>, streaming = false) {
  const scripted = scriptedModel(script);
  const guard = createAiSdkGuard({ policy, sender: 'clerk', ...options });
  const { ran, tools } = desk();
  const settings = { model: scripted.model, tools: guard.tools(tools), stopWhen: [guard.stopWhen, stepCountIs(10)], prepareStep: guard.prepareStep, prompt: 'Process the refunds.' };
  if (streaming) {
    const result = streamText(settings);
    const kinds: string[] = [];
    for await (const part of result.fullStream) kinds.push(part.type);
    return { ran, guard, prompts: scripted.prompts, text: await result.text, steps: (await result.steps).length, kinds, messages: (await result.response).messages };
  }
  const result = await generateText(settings);
  return { ran, guard, prompts: scripted.prompts, text: result.text, steps: result.steps.length, messages: result.response.messages };
}

describe('createAiSdkGuard with generateText', () => {
  it('runs a small refund without asking, asks a person before a large one, and ends on the answer', async () => {
    const approvals = person([{ kind: 'approve', by: 'dana' }]);
    const run = await loop(refunds, { channel: approvals });
    expect(run.ran).toEqual([
      ['refund', { amount: 250 }],
      ['refund', { amount: 40 }],
    ]);
    expect(run.text).toBe('All refunds done.');
    expect(approvals.asked).toHaveLength(1);
    expect(approvals.asked[0]).toMatchObject({ sender: 'clerk', prompt: 'clerk wants to refund more than 100. Approve?', tool: { name: 'refund', args: { amount: 250 }, callId: 'call_1' } });
    expect(toolResults(run.prompts, 2)).toEqual(['refunded 250', 'refunded 40']);
    expect(run.guard.stopped).toBeUndefined();
  });

  it('never runs a refused call, and tells the model why', async () => {
    const run = await loop(refunds, { channel: person([{ kind: 'reject', message: 'customer is not eligible' }]) });
    expect(run.ran).toEqual([['refund', { amount: 40 }]]);
    expect(toolResults(run.prompts, 1)).toEqual(['Refused by a person: customer is not eligible. Do not call refund again with the same arguments; go on without it, or ask the user what to do instead.']);
    expect(run.text).toBe('All refunds done.');
  });

  it("gives the model a person's reply as the call's result, without running it", async () => {
    const run = await loop(refunds, { channel: person([{ kind: 'reply', text: 'Refund 100 now, the rest next week.' }]) });
    expect(run.ran).toEqual([['refund', { amount: 40 }]]);
    expect(toolResults(run.prompts, 1)).toEqual(['Refund 100 now, the rest next week.']);
  });

  it('runs an edited call with the edited arguments', async () => {
    const onVerdict: Verdict[] = [];
    const run = await loop(refunds, { channel: person([{ kind: 'edit', args: { amount: 90 } }]), onVerdict: (verdict) => onVerdict.push(verdict) });
    expect(run.ran).toEqual([
      ['refund', { amount: 90 }],
      ['refund', { amount: 40 }],
    ]);
    expect(toolResults(run.prompts, 1)).toEqual(['refunded 90']);
    expect(onVerdict[0]).toMatchObject({ kind: 'proceed', args: { amount: 90 } });
  });

  it('decides an edit again: an edit the policy stops runs nothing and ends the loop', async () => {
    const run = await loop(refunds, { channel: person([{ kind: 'edit', args: { amount: 5000 } }]) });
    expect(run.ran).toEqual([]);
    expect(run.guard.stopped?.reason).toBe('the edited call was stopped: refunds over 1000 are never made');
    expect(run.prompts).toHaveLength(1);
    expect(run.steps).toBe(1);
  });

  it('ends the loop on a stop, and runs no call of that step', async () => {
    const run = await loop(
      [
        {
          calls: [
            { id: 'call_1', name: 'refund', args: { amount: 20 } },
            { id: 'call_2', name: 'delete_account', args: {} },
          ],
        },
        'never asked',
      ],
      { channel: person([]) },
    );
    expect(run.ran).toEqual([]);
    expect(run.guard.stopped?.reason).toBe('accounts are never deleted');
    expect(run.prompts).toHaveLength(1);
    // Were the history sent on, the model would read that nothing ran.
    const results = run.messages.flatMap((message) => (message.role === 'tool' ? message.content : [])).map((part) => part.type === 'tool-result' && part.output);
    expect(results).toEqual([
      { type: 'text', value: 'This call did not run: the run was stopped: accounts are never deleted.' },
      { type: 'text', value: 'This call did not run: the run was stopped: accounts are never deleted.' },
    ]);
  });

  it("stops when nobody answers in time and the rule says so (else stop)", async () => {
    const run = await loop(refunds, { channel: away });
    expect(run.ran).toEqual([]);
    expect(run.guard.stopped?.reason).toBe('large refund; nobody answered');
    expect(run.prompts).toHaveLength(1);
  });

  it('stops, never proceeds, when there is nobody to ask', async () => {
    const run = await loop(refunds, {});
    expect(run.ran).toEqual([]);
    expect(run.guard.stopped?.reason).toBe('large refund; no channel (default) to ask a person');
  });

  it('in shadow mode decides and reports, and every call runs', async () => {
    const seen: Array<[string, boolean]> = [];
    const run = await loop([{ calls: [{ id: 'call_1', name: 'refund', args: { amount: 250 } }, { id: 'call_2', name: 'delete_account', args: {} }] }, 'Done.'], {
      shadow: true,
      onVerdict: (verdict) => seen.push([verdict.decision.action, verdict.kind === 'proceed' && verdict.enforced]),
    });
    expect(run.ran).toEqual([
      ['refund', { amount: 250 }],
      ['delete_account', {}],
    ]);
    expect(run.text).toBe('Done.');
    expect(seen).toEqual([
      ['escalate', false],
      ['stop', false],
    ]);
  });

  it("ends the loop on a step's text the policy stops (stopWhen), after that step's calls ran", async () => {
    const run = await loop([{ text: 'Last one. TERMINATE', calls: [{ id: 'call_1', name: 'refund', args: { amount: 40 } }] }, 'never asked'], { channel: person([]) });
    expect(run.ran).toEqual([['refund', { amount: 40 }]]);
    expect(run.guard.stopped?.reason).toBe('the clerk said it is done');
    expect(run.prompts).toHaveLength(1);
  });

  it("gives the model a person's word on a step's text through prepareStep, and keeps it there", async () => {
    const approvals = person([{ kind: 'reject', message: 'do not promise dates' }]);
    const run = await loop(
      [{ text: 'Refunding; it arrives Monday. [draft]', calls: [{ id: 'call_1', name: 'refund', args: { amount: 40 } }] }, { calls: [{ id: 'call_2', name: 'refund', args: { amount: 30 } }] }, 'Done.'],
      { channel: approvals },
    );
    expect(run.ran).toEqual([
      ['refund', { amount: 40 }],
      ['refund', { amount: 30 }],
    ]);
    const word = { role: 'user', content: [{ type: 'text', text: 'Refused by a person: do not promise dates. Do not send the same message again; change it, or ask the user what to do instead.' }] };
    // After the step's tool results, in the next request and every later one.
    expect(run.prompts[1]!.at(-1)).toMatchObject(word);
    expect(run.prompts[2]!.at(-3)).toMatchObject(word);
  });

  it("decides the final answer with checkAnswer: a refused draft goes back to the model", async () => {
    const scripted = scriptedModel(['Refunds sent. [draft]', 'Refunds sent; they arrive in 3 days.']);
    const guard = createAiSdkGuard({ policy, channel: person([{ kind: 'reject', message: 'say when the money arrives' }]) });
    const messages: ModelMessage[] = [{ role: 'user', content: 'Process the refunds.' }];
    const answers: string[] = [];
    for (;;) {
      const result = await generateText({ model: scripted.model, messages, prepareStep: guard.prepareStep, stopWhen: guard.stopWhen });
      messages.push(...result.response.messages);
      const outcome = await guard.checkAnswer(result.text);
      answers.push(outcome.kind);
      if (outcome.kind !== 'continue') break;
      messages.push(outcome.message);
    }
    expect(answers).toEqual(['continue', 'final']);
    expect(messages.at(-1)).toMatchObject({ role: 'assistant', content: [{ type: 'text', text: 'Refunds sent; they arrive in 3 days.' }] });
    expect(scripted.prompts[1]!.at(-1)).toMatchObject({ role: 'user', content: [{ type: 'text', text: expect.stringContaining('Refused by a person: say when the money arrives.') }] });
  });

  it('refuses a tool it cannot hold back (no execute)', () => {
    const guard = createAiSdkGuard({ policy });
    expect(() => guard.tools({ lookup: tool({ inputSchema: jsonSchema({ type: 'object' }) }) })).toThrow('tool "lookup" has no execute');
  });
});

describe('createAiSdkGuard with streamText', () => {
  it('decides each call once its arguments are complete, before any call runs', async () => {
    const approvals = person([{ kind: 'approve' }]);
    const run = await loop(refunds, { channel: approvals }, true);
    expect(run.ran).toEqual([
      ['refund', { amount: 250 }],
      ['refund', { amount: 40 }],
    ]);
    expect(approvals.asked[0]).toMatchObject({ tool: { name: 'refund', args: { amount: 250 }, callId: 'call_1' } });
    expect(run.text).toBe('All refunds done.');
    expect(run.kinds).toContain('tool-input-delta');
  });

  it('a stop on the second call of a streamed step runs neither', async () => {
    const run = await loop([{ calls: [{ id: 'call_1', name: 'refund', args: { amount: 20 } }, { id: 'call_2', name: 'delete_account', args: {} }] }, 'never asked'], { channel: person([]) }, true);
    expect(run.ran).toEqual([]);
    expect(run.guard.stopped?.reason).toBe('accounts are never deleted');
    expect(run.prompts).toHaveLength(1);
  });

  it('refuses and edits alike', async () => {
    const refused = await loop(refunds, { channel: person([{ kind: 'reject', message: 'no' }]) }, true);
    expect(refused.ran).toEqual([['refund', { amount: 40 }]]);
    const edited = await loop(refunds, { channel: person([{ kind: 'edit', args: { amount: 5000 } }]) }, true);
    expect(edited.ran).toEqual([]);
    expect(edited.guard.stopped?.reason).toBe('the edited call was stopped: refunds over 1000 are never made');
  });
});

describe('a question that waits: the SDK tool-approval-request', () => {
  async function suspended(streaming = false) {
    const store = new MemoryRunStore();
    const run = await DurableRun.open(store, 'refund-42');
    const guard = createAiSdkGuard({ policy, sender: 'clerk', run, wait: 'suspend' });
    const scripted = scriptedModel([...refunds]);
    const { ran, tools } = desk();
    const settings = { model: scripted.model, tools: guard.tools(tools), stopWhen: [guard.stopWhen, stepCountIs(10)], prepareStep: guard.prepareStep };
    const messages: ModelMessage[] = [{ role: 'user', content: 'Process the refunds.' }];
    const call = async () => {
      if (streaming) {
        const result = streamText({ ...settings, messages });
        const response = await result.response;
        messages.push(...response.messages);
        return { text: await result.text, content: await result.content };
      }
      const result = await generateText({ ...settings, messages });
      messages.push(...result.response.messages);
      return { text: result.text, content: result.content };
    };
    return { store, run, guard, scripted, ran, messages, call };
  }

  it('surfaces the question as a tool-approval-request; answer() resumes it and the call runs once', async () => {
    const loop = await suspended();
    const first = await loop.call();
    expect(first.content.filter((part) => part.type === 'tool-approval-request')).toMatchObject([{ toolCall: { toolCallId: 'call_1', toolName: 'refund', input: { amount: 250 } } }]);
    expect(loop.ran).toEqual([]);
    const paused = loop.guard.paused(loop.messages);
    expect(paused).toMatchObject([{ format: 'handrail.ai-sdk.paused/1', kind: 'tool', toolCallId: 'call_1', question: { format: 'handrail.pending/1', runId: 'refund-42', request: { prompt: 'clerk wants to refund more than 100. Approve?' } } }]);
    expect(JSON.parse(JSON.stringify(paused))).toEqual(paused);
    // The question is in the run's store, where any channel can see it.
    expect((await loop.store.listPendingApprovals()).map((request) => request.tool)).toEqual([{ name: 'refund', args: { amount: 250 }, callId: 'call_1' }]);

    loop.messages.push(...(await loop.guard.answer(paused, { [paused[0]!.kind === 'tool' ? paused[0]!.approvalId : '']: { kind: 'approve', by: 'dana', at: new Date().toISOString() } })));
    const second = await loop.call();
    expect(second.text).toBe('All refunds done.');
    expect(loop.ran).toEqual([
      ['refund', { amount: 250 }],
      ['refund', { amount: 40 }],
    ]);
    expect((await loop.store.listPendingApprovals())).toEqual([]);
  });

  it('takes the answer from the run store when a channel answered there; a reject is the SDK denial with the rejection text', async () => {
    const loop = await suspended(true);
    await loop.call();
    const paused = loop.guard.paused(loop.messages);
    const [pending] = await loop.store.listPendingApprovals();
    await loop.store.submitAnswer(pending!.id, { kind: 'reject', message: 'not eligible', at: new Date().toISOString() }, 'web');
    const answer = await loop.guard.answer(paused);
    expect(answer).toEqual([{ role: 'tool', content: [{ type: 'tool-approval-response', approvalId: expect.any(String), approved: false, reason: expect.stringContaining('Refused by a person: not eligible.') }] }]);
    loop.messages.push(...answer);
    await loop.call();
    expect(loop.ran).toEqual([['refund', { amount: 40 }]]);
    expect(toolResults(loop.scripted.prompts, 1)).toMatchObject([{ type: 'execution-denied', reason: expect.stringContaining('Refused by a person: not eligible.') }]);
  });

  it("an edited answer is decided again before the call runs: the SDK's own approval cannot carry it", async () => {
    const loop = await suspended();
    await loop.call();
    const paused = loop.guard.paused(loop.messages);
    const approvalId = paused[0]!.kind === 'tool' ? paused[0]!.approvalId : '';
    loop.messages.push(...(await loop.guard.answer(paused, { [approvalId]: { kind: 'edit', args: { amount: 2000 }, at: new Date().toISOString() } })));
    expect(loop.messages.at(-1)).toMatchObject({ role: 'tool', content: [{ approved: false, reason: 'This call did not run: the run was stopped: the edited call was stopped: refunds over 1000 are never made.' }] });
    expect(loop.guard.stopped?.reason).toBe('the edited call was stopped: refunds over 1000 are never made');
    expect(loop.ran).toEqual([]);
  });

  it("takes the SDK's own approval response for a question it asked, and never one it did not ask", async () => {
    const loop = await suspended();
    await loop.call();
    const [request] = loop.messages.flatMap((message) => (message.role === 'assistant' && typeof message.content !== 'string' ? message.content : [])).filter((part) => part.type === 'tool-approval-request');
    const history = [...loop.messages];
    // Someone changes the call's arguments in the history before answering: the call does not run.
    const tampered = history.map((message) =>
      message.role === 'assistant' && typeof message.content !== 'string' ? { ...message, content: message.content.map((part) => (part.type === 'tool-call' ? { ...part, input: { amount: 99 } } : part)) } : message,
    ) as ModelMessage[];
    loop.messages.splice(0, loop.messages.length, ...tampered, { role: 'tool', content: [{ type: 'tool-approval-response', approvalId: request!.approvalId, approved: true }] });
    await loop.call();
    expect(loop.ran).toEqual([['refund', { amount: 40 }]]);
    expect(toolResults(loop.scripted.prompts, 1)).toEqual(['This call did not run: its arguments are not the ones that were decided.']);

    // A guard that asked nothing takes no approval: the SDK denies the call.
    const other = createAiSdkGuard({ policy, channel: person([]) });
    const { ran, tools } = desk();
    const scripted = scriptedModel(['Done.']);
    await generateText({ model: scripted.model, tools: other.tools(tools), messages: [...history, { role: 'tool', content: [{ type: 'tool-approval-response', approvalId: request!.approvalId, approved: true }] }] });
    expect(ran).toEqual([]);
    expect(toolResults(scripted.prompts, 0)).toMatchObject([{ type: 'execution-denied' }]);
  });
});
