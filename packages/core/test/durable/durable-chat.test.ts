// Durable chats in one process: a question typed at the io can also be answered through the
// store; a finished run replayed by new agents gives the same chat without asking the model,
// running a tool or asking anyone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { compilePolicy } from '@handrail/policy';
import { ConfigurationError } from '@handrail/policy';
import { answerApproval, AssistantAgent, AuditLog, DurableRun, FileRunStore, GroupChat, GroupChatManager, UserProxyAgent } from '../../src/index.js';
import { ScriptedIO, ScriptedModel } from '../../src/testing/index.js';

let dir: string;
let store: FileRunStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-durable-chat-'));
  store = new FileRunStore(dir, { pollIntervalMs: 10 });
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const policy = compilePolicy(`policy lookups
rule done:   when content ends with "TERMINATE" then stop "finished"
rule lookup: when tool.name == "lookup" then escalate "look up a customer?" else stop
`);

function agents(io: ScriptedIO, calls: string[]) {
  const model = new ScriptedModel([{ toolCalls: [{ name: 'lookup', arguments: { id: '42' } }] }, 'Ana, since 2019. TERMINATE']);
  const user = new UserProxyAgent('user', { policy, io, codeExecutionConfig: false, functionMap: { lookup: ({ id }) => (calls.push(String(id)), { id, name: 'Ana' }) } });
  const assistant = new AssistantAgent('assistant', { model, io });
  return { user, assistant, model };
}

async function pendingOf(runId: string) {
  for (;;) {
    const found = (await store.listPendingApprovals()).find((request) => request.runId === runId);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

it('a question typed at the io can be answered through the store, with the answer table every loop shares: approve runs the call', async () => {
  const calls: string[] = [];
  // Nobody types: the io stays silent, the answer comes through the store.
  const io = new ScriptedIO([{ silence: true }]);
  const { user, assistant } = agents(io, calls);
  const run = await DurableRun.open(store, 'chat-1');
  const chat = user.initiateChat(assistant, { message: 'Who is customer 42?', durable: run });
  const pending = await pendingOf('chat-1');
  expect(pending).toMatchObject({ agent: 'user', sender: 'assistant', prompt: expect.stringContaining('look up a customer?'), decision: { rule: 'lookup', onNoInput: 'stop' } });
  await answerApproval(store, pending.id, { kind: 'approve', by: 'ana' });
  const result = await chat;
  await run.finish();
  // Approve through the store means approve, whichever channel asked: the call runs, once.
  expect(result.ended).toMatchObject({ cause: 'stop', rule: 'done' });
  expect(calls).toEqual(['42']);
});

it('a finished durable chat, replayed by new agents, is the same chat and nothing runs again', async () => {
  const calls: string[] = [];
  const io = new ScriptedIO(['']);
  const permissive = compilePolicy(`policy lookups
rule done:   when content ends with "TERMINATE" then stop "finished"
rule lookup: when tool.name == "lookup" then escalate "look up a customer?" else continue
`);
  const make = () => {
    const model = new ScriptedModel([{ toolCalls: [{ name: 'lookup', arguments: { id: '42' } }] }, 'Ana, since 2019. TERMINATE']);
    const user = new UserProxyAgent('user', { policy: permissive, io, codeExecutionConfig: false, functionMap: { lookup: ({ id }) => (calls.push(String(id)), { id, name: 'Ana' }) } });
    return { user, assistant: new AssistantAgent('assistant', { model, io }), model };
  };
  const audit = await AuditLog.open(join(dir, 'audit.jsonl'));
  const first = make();
  const run = await DurableRun.open(store, 'chat-2', { audit });
  const result = await first.user.initiateChat(first.assistant, { message: 'Who is customer 42?', durable: run });
  await run.finish();
  expect(result.ended).toMatchObject({ cause: 'stop', rule: 'done' });
  expect(calls).toEqual(['42']);
  expect(first.model.requests).toHaveLength(2);
  const auditedBefore = audit.size;

  const second = make();
  const replay = await DurableRun.restore(store, 'chat-2', { audit });
  const again = await second.user.initiateChat(second.assistant, { message: 'Who is customer 42?', durable: replay });
  await replay.finish();
  await audit.close();
  expect(again.chatHistory).toEqual(result.chatHistory);
  expect(again.ended).toEqual(result.ended);
  expect(again.humanInputs).toEqual(result.humanInputs);
  expect(calls).toEqual(['42']);
  expect(second.model.requests).toHaveLength(0);
  expect(io.remaining).toHaveLength(0);
  expect(audit.size).toBe(auditedBefore);
});

it('a replay that takes another path is refused, not answered with results recorded for the first', async () => {
  const { user, assistant } = agents(new ScriptedIO(['']), []);
  const run = await DurableRun.open(store, 'chat-3');
  await user.initiateChat(assistant, { message: 'Who is customer 42?', durable: run, maxTurns: 1 });
  await run.close();
  const other = agents(new ScriptedIO(['']), []);
  const replay = await DurableRun.restore(store, 'chat-3');
  const error = await other.user.initiateChat(other.assistant, { message: 'Who is customer 43?', durable: replay, maxTurns: 1 }).catch((caught: unknown) => caught);
  expect(error).toMatchObject({ code: 'REPLAY_DIVERGED', step: 'model:assistant#1' });
  expect(other.model.requests).toHaveLength(0);
  await replay.close();
});

it('refuses group chats, and an audit log given to the chat instead of the run', async () => {
  const io = new ScriptedIO([]);
  const { user, assistant } = agents(io, []);
  const run = await DurableRun.open(store, 'chat-4');
  const manager = new GroupChatManager(new GroupChat({ agents: [user, assistant], speakerSelectionMethod: 'round_robin' }), { io });
  await expect(user.initiateChat(manager, { message: 'hi', durable: run })).rejects.toThrow('two-agent chats');
  const audit = await AuditLog.open(join(dir, 'audit.jsonl'));
  const error = await user.initiateChat(assistant, { message: 'hi', durable: run, audit }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigurationError);
  expect(error).toMatchObject({ message: expect.stringContaining('give the audit log to DurableRun.open') });
  await audit.close();
  await run.close();
});
