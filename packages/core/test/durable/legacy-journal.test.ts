// Journals written before the bundled agents asked through the supervisor: an escalation asked at
// the io was journaled as `ask:<agent>#N` (numbered with the agent's other typed questions), its
// request without tool calls, and its answer as the typed text (`reply`). Such a chat replays:
// the question is read as the supervisor's `approval:<agent>#N`, the answer means what the text
// meant then (Enter: the rule's else; `exit`: the chat ends), nothing runs again and nobody is
// asked again.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { compilePolicy } from '@handrail/policy';
import { AssistantAgent, DurableRun, FileRunStore, UserProxyAgent, type JournalRecord } from '../../src/index.js';
import { legacyJournalReader } from '../../src/durable/legacy-journal.js';
import { ScriptedIO, ScriptedModel } from '../../src/testing/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-legacy-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const policy = compilePolicy(`policy lookups
rule done:   when content ends with "TERMINATE" then stop "finished"
rule lookup: when tool.name == "lookup" then escalate "look up a customer?" else continue
`);

function agents(io: ScriptedIO, calls: string[]) {
  const model = new ScriptedModel([{ toolCalls: [{ name: 'lookup', arguments: { id: '42' } }] }, 'Ana, since 2019. TERMINATE']);
  const user = new UserProxyAgent('user', { policy, io, codeExecutionConfig: false, functionMap: { lookup: ({ id }) => (calls.push(String(id)), { id, name: 'Ana' }) } });
  return { user, assistant: new AssistantAgent('assistant', { model, io }), model };
}

/**
 * The journal of a chat in which a person typed `typed` at the escalation, as the agents wrote it
 * before they asked through the supervisor: the question under `ask:user#N`, with the request the
 * io path made, and the typed text as a reply. Built from a chat run now (so its other records are
 * exactly what this code replays), then written as a file of a store of its own.
 */
async function legacyJournal(typed: string): Promise<{ store: FileRunStore; calls: string[] }> {
  const calls: string[] = [];
  const now = new FileRunStore(join(dir, 'now'));
  const run = await DurableRun.open(now, 'chat');
  const { user, assistant } = agents(new ScriptedIO([typed]), calls);
  await user.initiateChat(assistant, { message: 'Who is customer 42?', durable: run });
  await run.close();
  const records = (await now.readJournal('chat'))!.map((record): JournalRecord => {
    if (record.type === 'approval-requested') {
      const { id, runId, createdAt, agent, sender, prompt, decision } = record.request;
      return { ...record, key: 'ask:user#1', request: { id, runId, createdAt, agent, sender, prompt, decision: { rule: decision.rule, reason: decision.reason, onNoInput: decision.onNoInput, policy: decision.policy } } };
    }
    if (record.type === 'approval-answered') return { ...record, key: 'ask:user#1', answer: { kind: 'reply', text: typed, at: record.answer.at }, channel: 'io' };
    return record;
  });
  expect(records.filter((record) => record.type === 'approval-requested')).toHaveLength(1);
  mkdirSync(join(dir, 'legacy', 'runs'), { recursive: true });
  writeFileSync(join(dir, 'legacy', 'runs', 'chat.jsonl'), records.map((record) => `${JSON.stringify(record)}\n`).join(''));
  return { store: new FileRunStore(join(dir, 'legacy')), calls };
}

it('Enter at the escalation (the else: continue) replays: the tool does not run again, nobody is asked', async () => {
  const { store, calls: before } = await legacyJournal('');
  expect(before).toEqual(['42']);
  const calls: string[] = [];
  const io = new ScriptedIO([]);
  const { user, assistant, model } = agents(io, calls);
  const run = await DurableRun.restore(store, 'chat');
  const result = await user.initiateChat(assistant, { message: 'Who is customer 42?', durable: run });
  await run.finish();
  expect(result.ended).toMatchObject({ cause: 'stop', rule: 'done' });
  expect(calls).toEqual([]);
  expect(model.requests).toHaveLength(0);
  expect(result.humanInputs).toEqual(['']);
});

it('exit typed at the escalation replays as the end of the chat', async () => {
  const { store, calls: before } = await legacyJournal('exit');
  expect(before).toEqual([]);
  const calls: string[] = [];
  const { user, assistant } = agents(new ScriptedIO([]), calls);
  const run = await DurableRun.restore(store, 'chat');
  const result = await user.initiateChat(assistant, { message: 'Who is customer 42?', durable: run });
  await run.close();
  expect(result.ended).toMatchObject({ cause: 'exit' });
  expect(calls).toEqual([]);
});

it('a journal without the old keys is read as written', async () => {
  const store = new FileRunStore(join(dir, 'plain'));
  const run = await DurableRun.open(store, 'custom');
  const answer = await run.requestApproval({ prompt: 'ok?', decision: { rule: null, reason: 'a question to a person', onNoInput: 'reply', policy: { name: 'p', hash: 'sha256:0' } } }, { key: 'approval:ops#7' });
  expect(answer.answer).toBeUndefined();
  await run.close();
  const again = await DurableRun.restore(store, 'custom');
  expect(again.recordedRequest('approval:ops#7')).toMatchObject({ prompt: 'ok?' });
  await again.close();
});

it("numbers an agent's questions as the code asks for them now: escalations as approval:, other typed questions as ask:", () => {
  const policyId = { name: 'p', hash: 'sha256:0' };
  const asked = (seq: number, key: string, id: string, escalation: boolean): JournalRecord => ({
    seq, at: '2026-01-01T00:00:00.000Z', type: 'approval-requested', key,
    request: { id, runId: 'r', createdAt: '2026-01-01T00:00:00.000Z', prompt: '?', decision: escalation ? { rule: 'lookup', reason: 'look up?', onNoInput: 'stop', policy: policyId } : { rule: null, reason: 'a question to a person', onNoInput: 'reply', policy: policyId } },
  });
  const answered = (seq: number, key: string, id: string, text: string): JournalRecord => ({ seq, at: '2026-01-01T00:00:00.000Z', type: 'approval-answered', key, approvalId: id, answer: { kind: 'reply', text, at: '2026-01-01T00:00:00.000Z' }, channel: 'io' });
  const records = [asked(1, 'ask:user#1', 'a', false), answered(2, 'ask:user#1', 'a', 'hello'), asked(3, 'ask:user#2', 'b', true), answered(4, 'ask:user#2', 'b', 'exit'), asked(5, 'approval:user#1', 'c', true), asked(6, 'ask:user#3', 'd', true), answered(7, 'ask:user#3', 'd', '')];
  const read = legacyJournalReader(records);
  expect(records.map((record) => read(record)).map((record) => ('key' in record ? [record.key, record.type === 'approval-answered' ? record.answer : undefined] : []))).toEqual([
    ['ask:user#1', undefined],
    ['ask:user#1', { kind: 'reply', text: 'hello', at: '2026-01-01T00:00:00.000Z' }],
    ['approval:user#1', undefined],
    ['approval:user#1', { kind: 'reject', message: 'exit', at: '2026-01-01T00:00:00.000Z' }],
    ['approval:user#2', undefined],
    ['approval:user#3', undefined],
    ['approval:user#3', { kind: 'reply', text: '', at: '2026-01-01T00:00:00.000Z' }],
  ]);
});
