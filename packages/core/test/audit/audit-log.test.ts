// The audit log writer on real files: records chained across reopenings, written once per id,
// a torn last line (a crash mid-append) cut off, one writer at a time.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compilePolicy, decide, verifyAuditLog } from '@handrail/policy';
import { answerAuditEntry, AuditLog, decisionAuditEntry, type ApprovalRequest } from '../../src/index.js';

const policy = compilePolicy('policy refunds\nrule large: when tool.args.amount > 100 then escalate "large refund" via finance timeout 10m else stop\n');
const refund = { content: '', role: 'assistant' as const, toolCalls: [{ name: 'refund', args: '{"amount":250}' }] };

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-audit-'));
  path = join(dir, 'audit.jsonl');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const read = () => readFileSync(path, 'utf8');

describe('AuditLog', () => {
  it('writes decisions and answers with who, where, which rule and which policy', async () => {
    const decision = await decide(policy, refund);
    const audit = await AuditLog.open(path);
    const first = await audit.append(decisionAuditEntry(decision, { runId: 'run-1', agent: 'user', sender: 'assistant', id: 'run-1/decision:user#1' }));
    const request: ApprovalRequest = {
      id: 'a-1',
      runId: 'run-1',
      createdAt: new Date().toISOString(),
      agent: 'user',
      sender: 'assistant',
      prompt: 'Refund 250?',
      decision: { rule: decision.rule, reason: decision.reason, onNoInput: 'stop', policy: decision.policy },
    };
    const second = await audit.append(answerAuditEntry(request, { kind: 'reject', message: 'not today', by: 'ana', at: '2025-03-01T10:00:00.000Z' }, { channel: 'finance' }));
    await audit.close();
    expect(first).toMatchObject({ seq: 1, type: 'decision', runId: 'run-1', policy: { name: 'refunds', hash: policy.hash }, rule: 'large', reason: 'large refund', action: 'escalate', channel: 'finance', agent: 'user', sender: 'assistant' });
    expect(second).toMatchObject({ seq: 2, type: 'answer', time: '2025-03-01T10:00:00.000Z', approvalId: 'a-1', channel: 'finance', by: 'ana', answer: { kind: 'reject', message: 'not today' }, rule: 'large', prev: first!.hash });
    expect(verifyAuditLog(read())).toEqual({ ok: true, records: 2, lastHash: second!.hash });
    // The members in the order docs/durability.md shows them.
    expect(read().split('\n').slice(0, 2).map((line) => Object.keys(JSON.parse(line) as object))).toEqual([
      ['seq', 'time', 'type', 'id', 'runId', 'policy', 'rule', 'reason', 'action', 'channel', 'agent', 'sender', 'prev', 'hash'],
      ['seq', 'time', 'type', 'runId', 'policy', 'rule', 'reason', 'agent', 'sender', 'approvalId', 'channel', 'by', 'answer', 'prev', 'hash'],
    ]);
  });

  it('chains on across reopenings', async () => {
    const decision = await decide(policy, refund);
    for (let i = 0; i < 3; i++) {
      const audit = await AuditLog.open(path);
      expect(audit.size).toBe(i);
      await audit.append(decisionAuditEntry(decision, { runId: `run-${i}` }));
      await audit.close();
    }
    expect(verifyAuditLog(read())).toMatchObject({ ok: true, records: 3 });
  });

  it('writes an entry with an id once, also after reopening', async () => {
    const decision = await decide(policy, refund);
    const audit = await AuditLog.open(path);
    expect(await audit.append(decisionAuditEntry(decision, { id: 'run-1/decision#1' }))).toBeDefined();
    expect(await audit.append(decisionAuditEntry(decision, { id: 'run-1/decision#1' }))).toBeUndefined();
    await audit.close();
    const again = await AuditLog.open(path);
    expect(again.has('run-1/decision#1')).toBe(true);
    expect(await again.append(decisionAuditEntry(decision, { id: 'run-1/decision#1' }))).toBeUndefined();
    await again.close();
    expect(read().split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('cuts off a torn last line (an append the crash interrupted, never acknowledged) and chains on from the last whole record', async () => {
    const decision = await decide(policy, refund);
    const audit = await AuditLog.open(path);
    await audit.append(decisionAuditEntry(decision));
    await audit.close();
    const whole = read();
    appendFileSync(path, whole.slice(0, 60));
    expect(verifyAuditLog(read())).toMatchObject({ ok: false, problem: { line: 2, code: 'INCOMPLETE_LINE' } });
    const reopened = await AuditLog.open(path);
    expect(read()).toBe(whole);
    await reopened.append(decisionAuditEntry(decision));
    await reopened.close();
    expect(verifyAuditLog(read())).toMatchObject({ ok: true, records: 2 });
  });

  it('refuses a second writer while the first holds the log', async () => {
    const audit = await AuditLog.open(path);
    await expect(AuditLog.open(path)).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining(`audit log ${path} is held by pid ${process.pid}`) });
    await audit.close();
    await (await AuditLog.open(path)).close();
  });

  it('writes what verify then catches when edited', async () => {
    const decision = await decide(policy, refund);
    const audit = await AuditLog.open(path);
    await audit.append(decisionAuditEntry(decision));
    await audit.append(decisionAuditEntry(decision));
    await audit.close();
    writeFileSync(path, read().replace('"action":"escalate"', '"action":"continue"'));
    expect(verifyAuditLog(read())).toMatchObject({ ok: false, problem: { line: 1, code: 'HASH_MISMATCH' } });
  });
});
