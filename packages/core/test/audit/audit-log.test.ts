// The audit log writer on real files: records chained across reopenings, written once per id,
// a torn last line (a crash mid-append) cut off, one writer at a time; signed with a key kept in
// a file of its own and anchored after every append; a log cut off or rewritten is not appended to.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLine, chainAuditRecord, compilePolicy, decide, verifyAuditLogFile, type AuditRecord } from '@handrail/policy';
import { answerAuditEntry, AuditLog, AuditLogError, decisionAuditEntry, type ApprovalRequest } from '../../src/index.js';

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
const verify = () => verifyAuditLogFile(path);

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
    expect(await verify()).toEqual({ ok: true, records: 2, lastHash: second!.hash, anchored: 2 });
    // The members in the order docs/durability.md shows them.
    expect(read().split('\n').slice(0, 2).map((line) => Object.keys(JSON.parse(line) as object))).toEqual([
      ['seq', 'time', 'type', 'id', 'runId', 'policy', 'rule', 'reason', 'action', 'channel', 'agent', 'sender', 'prev', 'hash', 'mac'],
      ['seq', 'time', 'type', 'runId', 'policy', 'rule', 'reason', 'agent', 'sender', 'approvalId', 'channel', 'by', 'answer', 'prev', 'hash', 'mac'],
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
    expect(await verify()).toMatchObject({ ok: true, records: 3, anchored: 3 });
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
    expect(await verify()).toMatchObject({ ok: false, problem: { line: 2, code: 'INCOMPLETE_LINE' } });
    const reopened = await AuditLog.open(path);
    expect(read()).toBe(whole);
    await reopened.append(decisionAuditEntry(decision));
    await reopened.close();
    expect(await verify()).toMatchObject({ ok: true, records: 2, anchored: 2 });
  });

  it("creates the log's directory", async () => {
    const nested = join(dir, 'not', 'yet', 'audit.jsonl');
    await (await AuditLog.open(nested)).close();
    expect(await verifyAuditLogFile(nested)).toEqual({ ok: true, records: 0, lastHash: `sha256:${'0'.repeat(64)}`, anchored: 0 });
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
    expect(await verify()).toMatchObject({ ok: false, problem: { line: 1, code: 'HASH_MISMATCH' } });
  });
});

describe('AuditLog keys and anchors', () => {
  const anchorPath = () => `${path}.anchor`;
  const keyPath = () => `${path}.key`;

  async function write(count: number, options = {}): Promise<(AuditRecord | undefined)[]> {
    const decision = await decide(policy, refund);
    const audit = await AuditLog.open(path, options);
    const written = [];
    for (let i = 0; i < count; i++) written.push(await audit.append(decisionAuditEntry(decision, { runId: `run-${i}` })));
    await audit.close();
    return written;
  }

  it('makes a key readable by its owner only on first use, and anchors the log after every append', async () => {
    const audit = await AuditLog.open(path);
    expect(statSync(keyPath()).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyPath(), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(JSON.parse(readFileSync(anchorPath(), 'utf8'))).toMatchObject({ seq: 0 });
    const decision = await decide(policy, refund);
    for (let i = 1; i <= 3; i++) {
      const record = await audit.append(decisionAuditEntry(decision));
      // On disk before the append resolves: the anchor names the record just written.
      expect(JSON.parse(readFileSync(anchorPath(), 'utf8'))).toMatchObject({ seq: i, hash: record!.hash });
      expect(record!.mac).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    }
    await audit.close();
    expect(await verify()).toMatchObject({ ok: true, records: 3, anchored: 3 });
  });

  it('concurrent appends keep the anchor at most one record behind the log, and all verify', async () => {
    const decision = await decide(policy, refund);
    const audit = await AuditLog.open(path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => audit.append(decisionAuditEntry(decision, { runId: `run-${i}` }))));
    await audit.close();
    expect(await verify()).toMatchObject({ ok: true, records: 20, anchored: 20 });
  });

  it('a crash between appending a record and anchoring it: the log verifies, and reopening anchors the record', async () => {
    await write(2);
    const anchorBefore = readFileSync(anchorPath(), 'utf8');
    await write(1);
    // What a crash after the log's fsync and before the anchor's rename leaves on disk.
    writeFileSync(anchorPath(), anchorBefore);
    expect(await verify()).toMatchObject({ ok: true, records: 3, anchored: 2 });
    const reopened = await AuditLog.open(path);
    expect(JSON.parse(readFileSync(anchorPath(), 'utf8'))).toMatchObject({ seq: 3 });
    await reopened.close();
    expect(await verify()).toMatchObject({ ok: true, records: 3, anchored: 3 });
  });

  it('refuses to append to a log cut off at the end or rewritten, and changes nothing', async () => {
    const written = await write(3);
    const whole = read();
    const anchor = readFileSync(anchorPath(), 'utf8');
    writeFileSync(path, whole.split('\n').slice(0, 2).join('\n') + '\n');
    await expect(AuditLog.open(path)).rejects.toMatchObject({ code: 'AUDIT_LOG_INVALID', problem: { code: 'MISSING_RECORDS', line: 3 } });
    expect(readFileSync(anchorPath(), 'utf8')).toBe(anchor);
    const rewritten: AuditRecord[] = [];
    for (const record of written) {
      const { seq: _seq, prev: _prev, hash: _hash, mac: _mac, ...entry } = record!;
      rewritten.push(chainAuditRecord({ ...entry, reason: 'small refund' } as Parameters<typeof chainAuditRecord>[0], rewritten.at(-1)));
    }
    writeFileSync(path, rewritten.map(auditLine).join(''));
    const error = await AuditLog.open(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuditLogError);
    expect((error as AuditLogError).message).toBe(`${path}:3: ANCHOR_MISMATCH: the log was rewritten: record 3 hashes to ${rewritten[2]!.hash}, and the anchor holds ${written[2]!.hash}; the log is not appended to until this is resolved`);
    expect(readFileSync(anchorPath(), 'utf8')).toBe(anchor);
    // The lock was released: the untouched log opens again.
    writeFileSync(path, whole);
    await (await AuditLog.open(path)).close();
  });

  it('refuses a log whose key is gone or whose anchor was deleted', async () => {
    await write(2);
    const key = readFileSync(keyPath(), 'utf8');
    rmSync(keyPath());
    await expect(AuditLog.open(path)).rejects.toMatchObject({ problem: { code: 'KEY_MISSING' }, message: expect.stringContaining(`looked for it in ${keyPath()}`) });
    expect(existsSync(keyPath())).toBe(false);
    writeFileSync(keyPath(), key);
    rmSync(anchorPath());
    await expect(AuditLog.open(path)).rejects.toMatchObject({ problem: { code: 'ANCHOR_MISSING' } });
  });

  it('adopts an old log: anchors it as it is and signs the records after it', async () => {
    const decision = await decide(policy, refund);
    const old: AuditRecord[] = [];
    for (let i = 0; i < 2; i++) old.push(chainAuditRecord(decisionAuditEntry(decision), old.at(-1)));
    writeFileSync(path, old.map(auditLine).join(''));
    expect(await verify()).toMatchObject({ ok: true, records: 2, anchored: null });
    await write(1);
    expect(await verify()).toMatchObject({ ok: true, records: 3, anchored: 3 });
    // From now on, cutting the old records off shows too.
    writeFileSync(path, auditLine(old[0]!));
    expect(await verify()).toMatchObject({ ok: false, problem: { code: 'MISSING_RECORDS' } });
  });

  it('keeps the key where it is told: the keyFile option, or HANDRAIL_AUDIT_KEY_FILE', async () => {
    const elsewhere = join(dir, 'secrets', 'audit.key');
    await write(1, { keyFile: elsewhere });
    expect(existsSync(keyPath())).toBe(false);
    expect(statSync(elsewhere).mode & 0o777).toBe(0o600);
    expect(await verifyAuditLogFile(path, { keyFile: elsewhere })).toMatchObject({ ok: true, records: 1, anchored: 1 });
    expect(await verify()).toMatchObject({ ok: false, problem: { code: 'KEY_MISSING' } });
    process.env.HANDRAIL_AUDIT_KEY_FILE = elsewhere;
    try {
      await write(1);
      expect(await verify()).toMatchObject({ ok: true, records: 2, anchored: 2 });
    } finally {
      delete process.env.HANDRAIL_AUDIT_KEY_FILE;
    }
    expect(existsSync(keyPath())).toBe(false);
  });
});
