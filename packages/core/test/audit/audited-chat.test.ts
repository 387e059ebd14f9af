// A chat given an audit log, without durability: each decision of both agents and each answer
// (typed at the io, or given through an approval channel) is audited, in order, and verifies.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { compilePolicy, replayFile, verifyAuditLogFile, type AuditRecord } from '@handrail/policy';
import { AssistantAgent, AuditLog, ScriptedChannel, UserProxyAgent } from '../../src/index.js';
import { ScriptedIO, ScriptedModel } from '../../src/testing/index.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-audited-chat-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const records = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);

const describeRecord = (record: AuditRecord) =>
  record.type === 'decision' ? `${record.agent} ${record.action} ${record.rule ?? '(default)'}` : `${record.agent} answer ${record.answer.kind}${record.answer.text ? ` "${record.answer.text}"` : ''} via ${record.channel} by ${record.by}`;

it('audits the decisions of both agents and the answers typed at the io', async () => {
  const path = join(dir, 'audit.jsonl');
  const audit = await AuditLog.open(path);
  const io = new ScriptedIO(['try again', 'exit']);
  const user = new UserProxyAgent('user', { humanInputMode: 'ALWAYS', io, codeExecutionConfig: false });
  const assistant = new AssistantAgent('assistant', { model: new ScriptedModel(['draft 1', 'draft 2']), io });
  const result = await user.initiateChat(assistant, { message: 'Draft an email.', audit });
  await audit.close();
  expect(result.ended.cause).toBe('exit');
  expect(result.humanInputs).toEqual(['try again', 'exit']);
  const written = records(path);
  expect(written.map(describeRecord)).toEqual([
    'assistant continue (default)',
    'user escalate ask',
    'user answer reply "try again" via io by null',
    'assistant continue (default)',
    'user escalate ask',
    // Typed exit is a reject that ends the chat (the supervisor's answer table).
    'user answer reject via io by null',
  ]);
  expect(new Set(written.map((record) => record.runId)).size).toBe(1);
  expect(await verifyAuditLogFile(path)).toMatchObject({ ok: true, records: 6 });
});

it('audits who answered through an approval channel', async () => {
  const path = join(dir, 'audit.jsonl');
  const audit = await AuditLog.open(path);
  const policy = compilePolicy('policy refunds\nrule large: when tool.args.amount > 100 then escalate "large refund" else stop\nrule done: when content ends with "TERMINATE" then stop\n');
  const approvals = new ScriptedChannel([{ kind: 'approve', by: 'ana' }], { name: 'web' });
  const io = new ScriptedIO([]);
  let refunded = 0;
  const user = new UserProxyAgent('user', { policy, io, approvalChannel: approvals, codeExecutionConfig: false, functionMap: { refund: () => ++refunded } });
  const model = new ScriptedModel([{ toolCalls: [{ name: 'refund', arguments: { amount: 250 } }] }, 'Done. TERMINATE']);
  const assistant = new AssistantAgent('assistant', { model, io });
  const result = await user.initiateChat(assistant, { message: 'Refund order 42.', audit });
  await audit.close();
  expect(result.ended).toMatchObject({ cause: 'stop', rule: 'done' });
  expect(refunded).toBe(1);
  expect(records(path).filter((record) => record.agent === 'user').map(describeRecord)).toEqual(['user escalate large', 'user answer approve via web by ana', 'user stop done']);
  expect((await verifyAuditLogFile(path)).ok).toBe(true);
});

it('records each decided turn, so `handrail replay` can run another policy over the log', async () => {
  const path = join(dir, 'audit.jsonl');
  const audit = await AuditLog.open(path);
  const io = new ScriptedIO(['', '', 'exit']);
  const user = new UserProxyAgent('user', { humanInputMode: 'TERMINATE', maxConsecutiveAutoReply: 1, io, codeExecutionConfig: false });
  const assistant = new AssistantAgent('assistant', { model: new ScriptedModel(['a1', 'NEEDS_REVIEW a2', 'a3', 'a4']), io });
  await user.initiateChat(assistant, { message: 'Process the invoices.', audit });
  await audit.close();
  const userTurns = records(path).filter((record) => record.type === 'decision' && record.agent === 'user');
  expect(userTurns[1]).toMatchObject({ action: 'escalate', rule: 'ask_at_limit', turn: { content: 'NEEDS_REVIEW a2', sender: 'assistant', autoReplies: 1, maxAutoReplies: 1 } });

  const stricter = compilePolicy('policy stricter\nmode terminate\nrule review: when content contains "NEEDS_REVIEW" then escalate "review" else stop');
  const report = await replayFile(stricter, path, { against: compilePolicy('policy base\nmode terminate') });
  expect(report.turns).toBe(records(path).filter((record) => record.type === 'decision').length);
  expect(report.skipped.count).toBe(3); // the answers
  expect(report.differences?.first).toEqual([
    expect.objectContaining({ line: 4, old: expect.objectContaining({ action: 'escalate', rule: 'terminate.ask_at_limit', onNoInput: 'continue' }), new: expect.objectContaining({ action: 'escalate', rule: 'review', onNoInput: 'stop' }) }),
  ]);
});
