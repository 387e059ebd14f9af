// A LangChain.js agent (createAgent, LangGraph underneath) with the Handrail middleware: LangChain's
// fake model for each verdict, interrupts resumed with Command({ resume }), invoke and stream,
// parallel calls, in-process channels, and ChatOpenAI against the local scripted server.
import { ChatOpenAI } from '@langchain/openai';
import { fakeModel } from '@langchain/core/testing';
import { Command, MemorySaver } from '@langchain/langgraph';
import { AIMessage, createAgent, FakeToolCallingModel, tool, type BaseMessage } from 'langchain';
import type { ApprovalChannel, Verdict } from '@handrail/core';
import { startOpenAIServer } from '@handrail/core/testing';
import { compilePolicy, sleep, type Policy } from '@handrail/policy';
import { afterEach, describe, expect, it } from 'vitest';
import { handrailMiddleware, pendingQuestions, type HandrailMiddlewareOptions } from '@handrail/adapters/langchain';
import { person, type Answer } from './fixtures/person.js';

const rules = `rule forbidden: when tool.name == "delete_account" then stop "accounts are never deleted"
rule huge: when tool.name == "refund" and tool.args.amount > 1000 then stop "refunds over 1000 are never made"
rule draft: when content ends with "[draft]" then escalate "a draft answer"`;
const policy = compilePolicy(`policy refunds version 1
${rules}
rule large: when tool.name == "refund" and tool.args.amount > 100
  then escalate "large refund" timeout 5m else stop prompt "{sender} wants to refund more than 100. Approve?"`);
const hastyPolicy = compilePolicy(`policy refunds version 1
${rules}
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund" timeout 200ms else stop`);

const schema = { type: 'object', properties: { amount: { type: 'number' } } } as const;

/** The tools, recording each run with its arguments. */
function desk() {
  const ran: Array<[string, unknown]> = [];
  const refund = tool(
    (args: { amount: number }) => {
      ran.push(['refund', args]);
      return `refunded ${args.amount}`;
    },
    { name: 'refund', description: 'Refunds an order.', schema },
  );
  const deleteAccount = tool(
    (args: Record<string, unknown>) => {
      ran.push(['delete_account', args]);
      return 'deleted';
    },
    { name: 'delete_account', description: 'Deletes the account.', schema: { type: 'object', properties: {} } },
  );
  return { ran, tools: [refund, deleteAccount] };
}

type Call = { name: string; args: Record<string, unknown>; id: string };
const says = (content: string, ...calls: Call[]) => new AIMessage({ content, tool_calls: calls });
const refund = (amount: number, id: string): Call => ({ name: 'refund', args: { amount }, id });

/** An agent on LangChain's fake model, answering with `replies` in order. */
function agentOf(replies: AIMessage[], options: Partial<HandrailMiddlewareOptions> & { policy?: Policy } = {}) {
  const model = fakeModel();
  for (const reply of replies) model.respond(reply);
  const { ran, tools } = desk();
  const verdicts: Verdict[] = [];
  const middleware = handrailMiddleware({ policy, name: 'clerk', onVerdict: (verdict) => verdicts.push(verdict), ...options });
  const agent = createAgent({ model, tools, middleware: [middleware], checkpointer: new MemorySaver() });
  return { agent, ran, model, verdicts };
}

const config = (thread = 'order-42') => ({ configurable: { thread_id: thread } });
const start = { messages: [{ role: 'user', content: 'Process the refunds.' }] };
const resume = (answers: Record<string, Answer | unknown>) => new Command({ resume: answers });
const toolResults = (messages: BaseMessage[]) => messages.filter((message) => message.type === 'tool').map((message) => message.content);
const finalText = (messages: BaseMessage[]) => messages.at(-1)?.content;

/** Runs until the first interrupt and answers it. */
async function answerFirst(agent: ReturnType<typeof agentOf>['agent'], answer: Answer | unknown) {
  const paused = await agent.invoke(start, config());
  const questions = pendingQuestions(paused);
  expect(questions).toHaveLength(1);
  return { questions, result: await agent.invoke(resume({ [questions[0]!.interruptId]: answer }), config()) };
}

describe('handrailMiddleware (LangGraph interrupts)', () => {
  it('runs what the policy lets through without asking', async () => {
    const { agent, ran, verdicts } = agentOf([says('Refunding.', refund(40, 'c1')), says('All refunds done.')]);
    const result = await agent.invoke(start, config());
    expect(pendingQuestions(result)).toEqual([]);
    expect(ran).toEqual([['refund', { amount: 40 }]]);
    expect(finalText(result.messages)).toBe('All refunds done.');
    expect(verdicts.map((verdict) => verdict.kind)).toEqual(['proceed', 'proceed']);
    expect(result.handrail?.stop).toBeNull();
  });

  it('pauses on a large refund with the question as plain JSON, and runs it once when approved', async () => {
    const { agent, ran } = agentOf([says('Refunding.', refund(250, 'c1')), says('All refunds done.')]);
    const paused = await agent.invoke(start, config());
    expect(ran).toEqual([]);
    const [question] = pendingQuestions(paused);
    expect(question!.question).toMatchObject({
      format: 'handrail.pending/1',
      runId: expect.stringMatching(/^order-42-[0-9a-f]{8}$/),
      request: { prompt: 'clerk wants to refund more than 100. Approve?', tool: { name: 'refund', args: { amount: 250 }, callId: 'c1' }, decision: { rule: 'large', onReject: 'refuse', onNoInput: 'stop' } },
    });
    expect(JSON.parse(JSON.stringify(question!.question))).toEqual(question!.question);
    const result = await agent.invoke(resume({ [question!.interruptId]: { kind: 'approve', by: 'ana' } }), config());
    expect(ran).toEqual([['refund', { amount: 250 }]]);
    expect(toolResults(result.messages)).toEqual(['refunded 250']);
    expect(finalText(result.messages)).toBe('All refunds done.');
  });

  it('takes any thread id, even one a run id could not be', async () => {
    const { agent, ran } = agentOf([says('Refunding.', refund(250, 'c1')), says('Done.')]);
    const [question] = pendingQuestions(await agent.invoke(start, config('customer/42 · März')));
    expect(question!.question.runId).toMatch(/^customer_42___M_rz-[0-9a-f]{8}$/);
    await agent.invoke(resume({ [question!.interruptId]: { kind: 'approve' } }), config('customer/42 · März'));
    expect(ran).toEqual([['refund', { amount: 250 }]]);
  });

  it('never runs a rejected call, and tells the model not to retry it', async () => {
    const { agent, ran } = agentOf([says('Refunding.', refund(250, 'c1')), says('I could not refund it.')]);
    const { result } = await answerFirst(agent, { kind: 'reject', message: 'customer is not eligible' });
    expect(ran).toEqual([]);
    expect(toolResults(result.messages)).toEqual(['Refused by a person: customer is not eligible. Do not call refund again with the same arguments; go on without it, or ask the user what to do instead.']);
    expect(finalText(result.messages)).toBe('I could not refund it.');
  });

  it("gives the model a person's reply as the call's result, without running it (LangChain has no respond)", async () => {
    const { agent, ran, model } = agentOf([says('Refunding.', refund(250, 'c1')), says('Noted.')]);
    const { result } = await answerFirst(agent, { kind: 'reply', text: 'Refund 250 as store credit instead.' });
    expect(ran).toEqual([]);
    expect(toolResults(result.messages)).toEqual(['Refund 250 as store credit instead.']);
    expect(model.calls.at(-1)!.messages.at(-1)!.content).toBe('Refund 250 as store credit instead.');
  });

  it('runs an edited call with the new arguments, and shows the model the call as it ran', async () => {
    const { agent, ran, model } = agentOf([says('Refunding.', refund(250, 'c1')), says('Done.')]);
    const { result } = await answerFirst(agent, { kind: 'edit', args: { amount: 90 } });
    expect(ran).toEqual([['refund', { amount: 90 }]]);
    const asked = result.messages.find((message) => AIMessage.isInstance(message) && message.tool_calls?.length) as AIMessage;
    expect(asked.tool_calls![0]!.args).toEqual({ amount: 90 });
    const seen = model.calls.at(-1)!.messages;
    expect((seen.find((message) => AIMessage.isInstance(message)) as AIMessage).tool_calls![0]!.args).toEqual({ amount: 90 });
    expect(toolResults(result.messages)).toEqual(['refunded 90']);
  });

  it('decides an edit again: one the policy stops ends the run, and nothing runs', async () => {
    const { agent, ran, model } = agentOf([says('Refunding.', refund(250, 'c1')), says('never reached')]);
    const { result } = await answerFirst(agent, { kind: 'edit', args: { amount: 5000 } });
    expect(ran).toEqual([]);
    expect(result.handrail?.stop).toEqual({ reason: 'the edited call was stopped: refunds over 1000 are never made', rule: 'huge' });
    expect(model.calls).toHaveLength(1);
  });

  it('stops before any call of the message runs, and removes the message', async () => {
    const { agent, ran, model } = agentOf([says('Cleaning up.', refund(40, 'c1'), { name: 'delete_account', args: {}, id: 'c2' }), says('never reached')]);
    const result = await agent.invoke(start, config());
    expect(ran).toEqual([]);
    expect(result.handrail?.stop).toEqual({ reason: 'accounts are never deleted', rule: 'forbidden' });
    expect(result.messages.map((message) => message.type)).toEqual(['human']);
    expect(model.calls).toHaveLength(1);
  });

  it("applies the rule's else when the answer comes after the question's time is up", async () => {
    const { agent, ran } = agentOf([says('Refunding.', refund(250, 'c1')), says('never reached')], { policy: hastyPolicy });
    const [question] = pendingQuestions(await agent.invoke(start, config()));
    await sleep(250);
    const result = await agent.invoke(resume({ [question!.interruptId]: { kind: 'approve' } }), config());
    expect(ran).toEqual([]);
    expect(result.handrail?.stop).toEqual({ reason: 'large refund; nobody answered', rule: 'large' });
  });

  it('stops on a resume value that is not an answer', async () => {
    const { agent, ran } = agentOf([says('Refunding.', refund(250, 'c1')), says('never reached')]);
    const { result } = await answerFirst(agent, { decisions: [{ type: 'approve' }] });
    expect(ran).toEqual([]);
    expect(result.handrail?.stop?.reason).toMatch(/^large refund; the answer was refused: an answer must be an object whose kind is/);
  });

  it('asks once per parallel call, resumed by interrupt id, one at a time or together; each tool runs once', async () => {
    const { agent, ran } = agentOf([says('Refunding three.', refund(250, 'a'), refund(300, 'b'), refund(40, 'c')), says('Refunding two more.', refund(400, 'd'), refund(500, 'e')), says('Done.')]);
    let result = await agent.invoke(start, config());
    let questions = pendingQuestions(result);
    expect(questions.map((question) => question.question.request.tool?.callId)).toEqual(['a', 'b']);
    expect(ran).toEqual([['refund', { amount: 40 }]]);
    result = await agent.invoke(resume({ [questions[1]!.interruptId]: { kind: 'approve' } }), config());
    expect(ran).toEqual([['refund', { amount: 40 }], ['refund', { amount: 300 }]]);
    questions = pendingQuestions(result);
    expect(questions.map((question) => question.question.request.tool?.callId)).toEqual(['a']);
    result = await agent.invoke(resume({ [questions[0]!.interruptId]: { kind: 'reject' } }), config());
    questions = pendingQuestions(result);
    expect(questions.map((question) => question.question.request.tool?.callId)).toEqual(['d', 'e']);
    result = await agent.invoke(resume({ [questions[0]!.interruptId]: { kind: 'approve' }, [questions[1]!.interruptId]: { kind: 'edit', args: { amount: 50 } } }), config());
    expect(ran).toEqual([['refund', { amount: 40 }], ['refund', { amount: 300 }], ['refund', { amount: 400 }], ['refund', { amount: 50 }]]);
    expect(finalText(result.messages)).toBe('Done.');
  });

  it('works the same through stream: the interrupt arrives as a chunk, and the resumed stream runs the call', async () => {
    const { agent, ran } = agentOf([says('Refunding.', refund(250, 'c1')), says('All refunds done.')]);
    const questions = [];
    for await (const chunk of await agent.stream(start, { ...config(), streamMode: 'updates' })) questions.push(...pendingQuestions(chunk));
    expect(questions).toHaveLength(1);
    expect(ran).toEqual([]);
    const updates: string[] = [];
    for await (const chunk of await agent.stream(resume({ [questions[0]!.interruptId]: { kind: 'approve' } }), { ...config(), streamMode: 'updates' })) updates.push(...Object.keys(chunk));
    expect(ran).toEqual([['refund', { amount: 250 }]]);
    expect(updates).toContain('tools');
    const state = (await agent.graph.getState(config())) as { values: { messages: BaseMessage[] } };
    expect(finalText(state.values.messages)).toBe('All refunds done.');
  });

  it('asks about a final message in its own step: rejected, the model is told and answers again', async () => {
    const { agent, model } = agentOf([says('Your refund is on its way [draft]'), says('Your refund of 40 was sent today.')]);
    const paused = await agent.invoke(start, config());
    const [question] = pendingQuestions(paused);
    expect(question!.question.request).toMatchObject({ message: { content: 'Your refund is on its way [draft]' }, decision: { rule: 'draft' } });
    const result = await agent.invoke(resume({ [question!.interruptId]: { kind: 'reject', message: 'say when' } }), config());
    expect(model.calls.at(-1)!.messages.at(-1)!.content).toBe('Refused by a person: say when. Do not send the same message again; change it, or ask the user what to do instead.');
    expect(finalText(result.messages)).toBe('Your refund of 40 was sent today.');
  });

  it('in shadow mode decides and records, and never stops or asks', async () => {
    const { agent, ran, verdicts } = agentOf([says('Cleaning up.', refund(250, 'c1'), { name: 'delete_account', args: {}, id: 'c2' }), says('Done.')], { shadow: true });
    const result = await agent.invoke(start, config());
    expect(pendingQuestions(result)).toEqual([]);
    expect(ran).toHaveLength(2);
    expect(verdicts.map((verdict) => [verdict.kind, verdict.decision.action, verdict.kind === 'proceed' && verdict.enforced])).toEqual([
      ['proceed', 'escalate', false],
      ['proceed', 'stop', false],
      ['proceed', 'continue', false],
    ]);
  });

  it('works with FakeToolCallingModel too', async () => {
    const model = new FakeToolCallingModel({ toolCalls: [[{ name: 'refund', args: { amount: 250 }, id: 'x1' }], []] });
    const { ran, tools } = desk();
    const agent = createAgent({ model, tools, middleware: [handrailMiddleware({ policy })], checkpointer: new MemorySaver() });
    const paused = await agent.invoke(start, config('fake'));
    const [question] = pendingQuestions(paused);
    await agent.invoke(resume({ [question!.interruptId]: { kind: 'approve' } }), config('fake'));
    expect(ran).toEqual([['refund', { amount: 250 }]]);
  });
});

describe('handrailMiddleware (Handrail channels, in process)', () => {
  it('asks through the channel while the agent waits, and needs no checkpointer', async () => {
    const approvals = person([{ kind: 'approve', by: 'dana' }, { kind: 'reject', message: 'not this one' }]);
    const model = fakeModel().respond(says('Refunding.', refund(250, 'c1'), refund(300, 'c2'))).respond(says('Done.'));
    const { ran, tools } = desk();
    const agent = createAgent({ model, tools, middleware: [handrailMiddleware({ policy, name: 'clerk', channel: approvals })] });
    const result = await agent.invoke(start);
    expect(approvals.asked.map((request) => request.tool)).toEqual([
      { name: 'refund', args: { amount: 250 }, callId: 'c1' },
      { name: 'refund', args: { amount: 300 }, callId: 'c2' },
    ]);
    expect(ran).toEqual([['refund', { amount: 250 }]]);
    // The refusal is the call's result before the approved call has run.
    expect(toolResults(result.messages)).toEqual([expect.stringMatching(/^Refused by a person: not this one\./), 'refunded 250']);
  });

  it("applies the rule's else when nobody answers in time", async () => {
    const silent: ApprovalChannel = { name: 'silent', ask: (_request, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))) };
    const model = fakeModel().respond(says('Refunding.', refund(250, 'c1'))).respond(says('never reached'));
    const { ran, tools } = desk();
    const agent = createAgent({ model, tools, middleware: [handrailMiddleware({ policy: hastyPolicy, channel: silent })] });
    const result = await agent.invoke(start);
    expect(ran).toEqual([]);
    expect(result.handrail?.stop).toEqual({ reason: 'large refund; nobody answered', rule: 'large' });
  });
});

describe('handrailMiddleware with ChatOpenAI', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('pauses, resumes with an edit, and the model is sent the call as it ran', async () => {
    const server = await startOpenAIServer([{ content: 'Refunding.', toolCalls: [{ name: 'refund', arguments: { amount: 250 } }] }, 'All refunds done.']);
    close = () => server.close();
    const model = new ChatOpenAI({ model: 'scripted', apiKey: 'test', configuration: { baseURL: server.baseURL } });
    const { ran, tools } = desk();
    const agent = createAgent({ model, tools, middleware: [handrailMiddleware({ policy })], checkpointer: new MemorySaver() });
    const paused = await agent.invoke(start, config());
    const [question] = pendingQuestions(paused);
    expect(question!.question.request.tool).toEqual({ name: 'refund', args: { amount: 250 }, callId: 'call_1' });
    const result = await agent.invoke(resume({ [question!.interruptId]: { kind: 'edit', args: { amount: 90 } } }), config());
    expect(ran).toEqual([['refund', { amount: 90 }]]);
    expect(finalText(result.messages)).toBe('All refunds done.');
    const sent = server.requests[1]!.messages;
    expect(sent.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_1', function: { name: 'refund', arguments: '{"amount":90}' } }] });
    expect(sent.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: 'refunded 90' });
  });

  // ChatOpenAI({ streaming: true }).invoke() estimates token usage with a tiktoken encoding it
  // downloads (tiktoken.pages.dev), retrying for minutes offline; streaming an agent with
  // LangGraph's `messages` mode streams the model's tokens without it (docs in the README).
  it('gates a streaming ChatOpenAI agent: tokens stream, the streamed call pauses, a rejected one never runs, and the approved one runs once', async () => {
    const server = await startOpenAIServer([
      { content: 'Refunding now.', toolCalls: [{ name: 'refund', arguments: { amount: 250 } }] },
      { content: 'And the rest.', toolCalls: [{ name: 'refund', arguments: { amount: 300 } }] },
      'All refunds done.',
    ]);
    close = () => server.close();
    const model = new ChatOpenAI({ model: 'scripted', apiKey: 'test', streaming: true, configuration: { baseURL: server.baseURL } });
    const { ran, tools } = desk();
    const agent = createAgent({ model, tools, middleware: [handrailMiddleware({ policy })], checkpointer: new MemorySaver() });
    /** Streams the agent's messages and updates; returns the tokens and the questions. */
    const streamed = async (input: Parameters<typeof agent.stream>[0]) => {
      const tokens: string[] = [];
      const questions: ReturnType<typeof pendingQuestions> = [];
      for await (const [mode, chunk] of await agent.stream(input, { ...config(), streamMode: ['updates', 'messages'] })) {
        if (mode === 'messages') tokens.push(String((chunk as [BaseMessage, unknown])[0].content));
        else questions.push(...pendingQuestions(chunk as Record<string, unknown>));
      }
      return { tokens, questions };
    };

    const first = await streamed(start);
    expect(first.tokens).toContain('Refunding now.');
    expect(first.questions.map((question) => question.question.request.tool)).toEqual([{ name: 'refund', args: { amount: 250 }, callId: 'call_1' }]);
    expect(ran).toEqual([]);

    const second = await streamed(resume({ [first.questions[0]!.interruptId]: { kind: 'approve' } }));
    expect(ran).toEqual([['refund', { amount: 250 }]]);
    expect(second.tokens).toContain('And the rest.');
    expect(second.questions.map((question) => question.question.request.tool)).toEqual([{ name: 'refund', args: { amount: 300 }, callId: 'call_2' }]);

    const third = await streamed(resume({ [second.questions[0]!.interruptId]: { kind: 'reject', message: 'one refund a day' } }));
    expect(ran).toEqual([['refund', { amount: 250 }]]);
    expect(third.tokens).toContain('All refunds done.');
    expect(server.requests.map((request) => [request.stream, request.streamOptions])).toEqual(Array(3).fill([true, { include_usage: true }]));
    const state = (await agent.graph.getState(config())) as { values: { messages: BaseMessage[] } };
    expect(toolResults(state.values.messages)).toEqual(['refunded 250', expect.stringContaining('Refused by a person: one refund a day.')]);
    expect(finalText(state.values.messages)).toBe('All refunds done.');
    // The usage the server streamed last reaches the message (the API's include_usage chunk).
    expect((state.values.messages.at(-1) as AIMessage).usage_metadata).toMatchObject({ output_tokens: 3 });
  });
});
