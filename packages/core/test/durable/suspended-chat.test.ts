// The bundled agents suspend too: a durable chat with `wait: 'suspend'` ends when a person is
// asked, with the question as plain JSON; the question is sent through the agent's approval
// channel; the answer reaches the store through another endpoint; the chat, started again on
// the restored run by new agents, replays to the question, takes the answer and goes on. The
// tool runs once and the model is not asked again for what it already said.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { compilePolicy, ConfigurationError } from '@handrail/policy';
import { AssistantAgent, DurableRun, FileRunStore, UserProxyAgent, WebhookChannel } from '../../src/index.js';
import { ScriptedIO, ScriptedModel, startWebhookReceiver } from '../../src/testing/index.js';

const secret = 'webhook-secret-0123456789abcdef';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-suspended-chat-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const policy = compilePolicy(`policy lookups
rule done:   when content ends with "TERMINATE" then stop "finished"
rule lookup: when tool.name == "lookup" then escalate "look up a customer?" timeout 1h else stop
`);

const replies = [{ toolCalls: [{ name: 'lookup', arguments: { id: '42' } }] }, 'Ana, since 2019. TERMINATE'];

/** The agents of the chat; `from` is the model's first reply not yet given (a scripted model keeps no state across processes). */
function agents(channel: WebhookChannel, calls: string[], from = 0) {
  const io = new ScriptedIO([]);
  const model = new ScriptedModel(replies.slice(from));
  const user = new UserProxyAgent('user', { policy, io, approvalChannel: channel, codeExecutionConfig: false, functionMap: { lookup: ({ id }) => (calls.push(String(id)), { id, name: 'Ana' }) } });
  return { user, assistant: new AssistantAgent('assistant', { model, io }), model };
}

it('a suspended chat ends with the question, sent through the channel; the answer from another endpoint resumes it once', async () => {
  const receiver = await startWebhookReceiver({ secret });
  // Another process's answer endpoint, on the same store.
  const endpoint = new WebhookChannel({ url: receiver.url, secret, store: new FileRunStore(dir) });
  const { answerUrl } = await endpoint.listen({ port: 0 });
  try {
    const calls: string[] = [];
    const first = agents(new WebhookChannel({ url: receiver.url, secret, answerUrl }), calls);
    const run = await DurableRun.open(new FileRunStore(dir), 'chat-1');
    const result = await first.user.initiateChat(first.assistant, { message: 'Who is customer 42?', durable: run, wait: 'suspend' });
    await run.close();
    expect(result.ended).toMatchObject({ cause: 'suspended', agent: 'user', rule: 'lookup', pending: { format: 'handrail.pending/1', runId: 'chat-1', key: 'approval:user#1', request: { tool: { name: 'lookup', args: { id: '42' } }, decision: { onReject: 'end' } } } });
    const pending = JSON.parse(JSON.stringify(result.ended.pending)) as NonNullable<typeof result.ended.pending>;
    expect(calls).toEqual([]);

    const question = await receiver.questions.next();
    expect(question.request.id).toBe(pending.request.id);
    expect(await receiver.answer(question, { kind: 'approve', by: 'ana' })).toMatchObject({ status: 200, body: { status: 'answered' } });

    const second = agents(new WebhookChannel({ url: receiver.url, secret, answerUrl }), calls, 1);
    const restored = await DurableRun.restore(new FileRunStore(dir), 'chat-1');
    const resumed = await second.user.initiateChat(second.assistant, { message: 'Who is customer 42?', durable: restored, wait: 'suspend' });
    await restored.finish();
    expect(resumed.ended).toMatchObject({ cause: 'stop', rule: 'done' });
    expect(calls).toEqual(['42']);
    // Only the reply after the tool's result was asked for: the first was replayed.
    expect(second.model.requests).toHaveLength(1);
    expect(receiver.questions.all).toHaveLength(1);
  } finally {
    await endpoint.close();
    await receiver.close();
  }
});

it('a chat that suspends needs a durable run', async () => {
  const receiver = await startWebhookReceiver({ secret });
  try {
    const { user, assistant } = agents(new WebhookChannel({ url: receiver.url, secret }), []);
    await expect(user.initiateChat(assistant, { message: 'hi', wait: 'suspend' })).rejects.toThrow(ConfigurationError);
  } finally {
    await receiver.close();
  }
});
