// The process waiting for a person is killed (SIGKILL) mid-wait; a second process restores the
// run, the answer arrives through the store from this process, and the run finishes once: the
// tool ran exactly once, the model was not asked again for what it had answered, and the audit
// log verifies.
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAuditLogFile, type AuditRecord } from '@handrail/policy';
import { answerApproval, FileRunStore } from '../../src/index.js';
import { startRefundChat, type RefundChild } from './fixtures/refund-child.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
// Each child loads the TypeScript sources through tsx: seconds on a busy machine.
const timeout = 120_000;

let dir: string;
const path = (name: string) => join(dir, name);
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-kill-'));
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function start(): RefundChild {
  const child = startRefundChat(dir, 'refund-42');
  children.push(child.process);
  return child;
}

const fileLines = (name: string) => (existsSync(path(name)) ? readFileSync(path(name), 'utf8').split('\n').filter(Boolean) : []);

function handrail(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join('packages', 'policy', 'bin', 'handrail.js'), ...args], { cwd: root, encoding: 'utf8', timeout }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

it('a run killed while it waits for an approval resumes in a new process, and its tool runs exactly once', { timeout }, async () => {
  const store = new FileRunStore(path('store'));

  // 1. The first process asks, stores the question, and waits.
  const first = start();
  expect(await first.line((value) => 'opened' in value)).toEqual({ opened: 'refund-42', replaying: false, status: 'running' });
  const asked = await first.line((value) => 'asked' in value);
  const [pending] = await store.listPendingApprovals();
  expect(pending).toMatchObject({ id: asked.asked, runId: 'refund-42', agent: 'user', sender: 'assistant', tool: { name: 'refund', args: { amount: 250 } }, decision: { rule: 'large', reason: 'large refund' } });

  // 2. It is killed mid-wait: nothing ran yet.
  first.process.kill('SIGKILL');
  expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
  expect(fileLines('tool.log')).toEqual([]);
  expect(fileLines('model.log')).toHaveLength(1);

  // 3. A second process restores the run: it replays to the question (same id) and waits again.
  const second = start();
  expect(await second.line((value) => 'opened' in value)).toEqual({ opened: 'refund-42', replaying: true, status: 'running' });
  expect(await second.line((value) => 'asked' in value)).toEqual({ asked: pending!.id });

  // 4. The answer arrives through the store, from this process.
  expect(await answerApproval(store, pending!.id, { kind: 'approve', by: 'ana' }, { channel: 'web' })).toMatchObject({ status: 'answered' });
  const done = await second.line((value) => 'done' in value);
  expect(await second.exited).toEqual({ code: 0, signal: null });
  expect(done).toEqual({
    done: true,
    ended: { cause: 'stop', agent: 'user', reason: 'refund finished', rule: 'done' },
    history: ['Refund order 42.', null, '{"refunded":250}', 'Refunded 250 EUR. TERMINATE'],
  });

  // The tool ran once; the model was asked once per reply, never again for a recorded one.
  expect(fileLines('tool.log')).toEqual(['refunded 250']);
  expect(fileLines('model.log')).toHaveLength(2);
  expect(await answerApproval(store, pending!.id, { kind: 'reject' })).toMatchObject({ status: 'conflict', answer: { kind: 'approve' } });

  // 5. The audit log verifies and holds each decision and the answer once.
  const auditText = readFileSync(path('audit.jsonl'), 'utf8');
  expect(await verifyAuditLogFile(path('audit.jsonl'))).toMatchObject({ ok: true });
  const records = auditText.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditRecord);
  const userRecords = records.filter((record) => record.agent === 'user').map((record) => (record.type === 'decision' ? `${record.action} ${record.rule}` : `${record.answer.kind} by ${record.by} via ${record.channel}`));
  expect(userRecords).toEqual(['escalate large', 'approve by ana via web', 'stop done']);
  expect(new Set(records.map((record) => record.id)).size).toBe(records.length);
  expect(records.every((record) => record.runId === 'refund-42' && record.policy.name === (record.agent === 'user' ? 'refunds' : record.policy.name))).toBe(true);
  const cli = await handrail('audit', 'verify', path('audit.jsonl'));
  expect(cli.code).toBe(0);
  expect(cli.stdout).toBe(`ok ${path('audit.jsonl')} (${records.length} records, last hash ${records.at(-1)!.hash}, anchored)\n`);

  // 6. A third process on the finished run replays it whole: nothing runs again.
  const third = start();
  expect(await third.line((value) => 'opened' in value)).toEqual({ opened: 'refund-42', replaying: true, status: 'finished' });
  expect(await third.line((value) => 'done' in value)).toMatchObject({ done: true, ended: { cause: 'stop' } });
  expect(await third.exited).toEqual({ code: 0, signal: null });
  expect(fileLines('tool.log')).toEqual(['refunded 250']);
  expect(fileLines('model.log')).toHaveLength(2);
  expect(readFileSync(path('audit.jsonl'), 'utf8')).toBe(auditText);
});
