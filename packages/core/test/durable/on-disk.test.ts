// Records are on disk before the run goes on: another process reads them while the step that
// follows them runs. (That the data also reached the device is fsync's promise, which no test
// short of pulling the power can check.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { compilePolicy, verifyAuditLogFile } from '@handrail/policy';
import { answerApproval, AuditLog, DurableRun, FileRunStore } from '../../src/index.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-on-disk-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The last line of a file as another process sees it, parsed. */
function lastLineSeenByAnotherProcess(path: string): Record<string, unknown> {
  const script = `const lines = require('node:fs').readFileSync(process.argv[1], 'utf8').split('\\n').filter(Boolean); process.stdout.write(lines.at(-1) ?? 'null');`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script, path], { encoding: 'utf8' })) as Record<string, unknown>;
}

it('a step is on disk as started before it runs, and as finished before the run goes on', async () => {
  const store = new FileRunStore(dir);
  const run = await DurableRun.open(store, 'run-1');
  const journal = join(dir, 'runs', 'run-1.jsonl');
  let seenInside: Record<string, unknown> | undefined;
  await run.step('charge-card', () => {
    seenInside = lastLineSeenByAnotherProcess(journal);
    return { receipt: 'r-1' };
  });
  expect(seenInside).toMatchObject({ type: 'step-started', key: 'charge-card' });
  expect(lastLineSeenByAnotherProcess(journal)).toMatchObject({ type: 'step-finished', key: 'charge-card', result: { receipt: 'r-1' } });
  await run.close();
});

it('a decision and an answer are in the audit log, and the answer in the journal, before the run goes on', async () => {
  const store = new FileRunStore(dir, { pollIntervalMs: 10 });
  const auditPath = join(dir, 'audit.jsonl');
  const audit = await AuditLog.open(auditPath);
  const run = await DurableRun.open(store, 'run-2', { audit });
  const policy = compilePolicy('policy refunds\nrule large: when tool.args.amount > 100 then escalate "large refund" else stop\n');
  const decision = await run.decide(policy, { content: '', role: 'assistant', toolCalls: [{ name: 'refund', args: '{"amount":250}' }] }, { agent: 'user', sender: 'assistant' });
  expect(decision.action).toBe('escalate');
  expect(lastLineSeenByAnotherProcess(auditPath)).toMatchObject({ seq: 1, type: 'decision', runId: 'run-2', rule: 'large', action: 'escalate', agent: 'user', sender: 'assistant' });

  const waiting = run.awaitApproval({ prompt: 'Refund 250?', decision: { rule: decision.rule, reason: decision.reason, onNoInput: 'stop', policy: decision.policy } });
  let pending;
  while (!(pending = (await store.listPendingApprovals())[0])) await new Promise((resolve) => setTimeout(resolve, 5));
  await answerApproval(store, pending.id, { kind: 'approve', by: 'ana' }, { channel: 'web' });
  await waiting;
  expect(lastLineSeenByAnotherProcess(auditPath)).toMatchObject({ seq: 2, type: 'answer', approvalId: pending.id, channel: 'web', by: 'ana', answer: { kind: 'approve' } });
  expect(lastLineSeenByAnotherProcess(join(dir, 'runs', 'run-2.jsonl'))).toMatchObject({ type: 'approval-answered', approvalId: pending.id });
  await run.finish();
  await audit.close();
  expect(await verifyAuditLogFile(auditPath)).toMatchObject({ ok: true, records: 2, anchored: 2 });
});
