// The audit chain: a log written with chainAuditRecord verifies; each kind of tampering is
// detected on the line where it happened, with what is wrong.
import { describe, expect, it } from 'vitest';
import { auditGenesisHash, auditLine, auditRecordHash, chainAuditRecord, verifyAuditLog, type AuditEntry, type AuditRecord } from '../src/index.js';

const policy = { name: 'payments', hash: `sha256:${'a'.repeat(64)}` };

function entries(): AuditEntry[] {
  const time = (minute: number) => `2025-03-01T10:0${minute}:00.000Z`;
  return [
    { type: 'decision', time: time(0), runId: 'run-1', policy, rule: null, reason: 'no rule matched', action: 'continue', agent: 'user', sender: 'assistant' },
    { type: 'decision', time: time(1), runId: 'run-1', policy, rule: 'large', reason: 'large payment', action: 'escalate', agent: 'user', sender: 'assistant' },
    { type: 'answer', time: time(2), runId: 'run-1', policy, rule: 'large', reason: 'large payment', approvalId: 'a-1', channel: 'web', by: 'ana', answer: { kind: 'approve' } },
    { type: 'decision', time: time(3), runId: 'run-1', policy, rule: null, reason: 'no rule matched', action: 'continue', agent: 'user', sender: 'assistant' },
    { type: 'decision', time: time(4), runId: 'run-1', policy, rule: 'done', reason: 'finished', action: 'stop', agent: 'user', sender: 'assistant' },
  ];
}

function chain(list: AuditEntry[]): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const entry of list) records.push(chainAuditRecord(entry, records.at(-1)));
  return records;
}

const text = (records: AuditRecord[]) => records.map(auditLine).join('');
const lines = (records: AuditRecord[]) => text(records).split('\n').slice(0, -1);

describe('the audit chain', () => {
  it('numbers the records, links each to the one before and hashes it', () => {
    const records = chain(entries());
    expect(records[0]).toMatchObject({ seq: 1, prev: auditGenesisHash });
    expect(records[1]!.prev).toBe(records[0]!.hash);
    for (const record of records) {
      expect(record.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(auditRecordHash(record)).toBe(record.hash);
    }
  });

  it('hashes canonical JSON: the order of members does not matter', () => {
    const [record] = chain(entries());
    const reordered = Object.fromEntries(Object.entries(record!).reverse()) as unknown as AuditRecord;
    expect(auditRecordHash(reordered)).toBe(record!.hash);
  });

  it('verifies a whole log, and an empty one', () => {
    const records = chain(entries());
    expect(verifyAuditLog(text(records))).toEqual({ ok: true, records: 5, lastHash: records[4]!.hash });
    expect(verifyAuditLog('')).toEqual({ ok: true, records: 0, lastHash: auditGenesisHash });
  });
});

describe('tampering', () => {
  const records = chain(entries());
  const problem = (tampered: string, options = {}) => {
    const verdict = verifyAuditLog(tampered, options);
    expect(verdict.ok).toBe(false);
    return verdict.ok ? undefined : { ...verdict.problem, records: verdict.records };
  };

  it('an edited record: its hash no longer matches', () => {
    const edited = lines(records);
    edited[2] = edited[2]!.replace('"by":"ana"', '"by":"bob"');
    expect(problem(`${edited.join('\n')}\n`)).toMatchObject({ line: 3, code: 'HASH_MISMATCH', records: 2, message: expect.stringMatching(/^record 3 was changed/) });
  });

  it('an edited record with its own hash recomputed: the next record no longer follows it', () => {
    const forged = { ...records[2]!, by: 'bob' } as AuditRecord;
    forged.hash = auditRecordHash(forged);
    const tampered = [...records];
    tampered[2] = forged;
    expect(problem(text(tampered))).toMatchObject({ line: 4, code: 'CHAIN_BROKEN', message: expect.stringContaining('does not follow the record before it') });
  });

  it('a deleted record', () => {
    const tampered = records.filter((_, i) => i !== 2);
    expect(problem(text(tampered))).toMatchObject({ line: 3, code: 'OUT_OF_SEQUENCE', message: 'expected record 3 but found record 4: records were deleted, inserted or reordered' });
  });

  it('the first record deleted', () => {
    expect(problem(text(records.slice(1)))).toMatchObject({ line: 1, code: 'OUT_OF_SEQUENCE' });
  });

  it('a deleted record with the rest renumbered (and rehashed one by one): the chain breaks', () => {
    const tampered = records.filter((_, i) => i !== 2).map((record, i) => {
      const moved = { ...record, seq: i + 1 } as AuditRecord;
      moved.hash = auditRecordHash(moved);
      return moved;
    });
    expect(problem(text(tampered))).toMatchObject({ line: 3, code: 'CHAIN_BROKEN' });
  });

  it('two records swapped', () => {
    const tampered = [records[0]!, records[2]!, records[1]!, records[3]!, records[4]!];
    expect(problem(text(tampered))).toMatchObject({ line: 2, code: 'OUT_OF_SEQUENCE', message: expect.stringContaining('expected record 2 but found record 3') });
  });

  it('a record inserted', () => {
    const inserted = chainAuditRecord(entries()[0]!, records[1]);
    const tampered = [records[0]!, records[1]!, inserted, ...records.slice(2)];
    expect(problem(text(tampered))).toMatchObject({ line: 4, code: 'OUT_OF_SEQUENCE' });
  });

  it('a line cut in the middle of the file', () => {
    const cut = lines(records);
    cut[1] = cut[1]!.slice(0, 40);
    expect(problem(`${cut.join('\n')}\n`)).toMatchObject({ line: 2, code: 'INVALID_JSON', records: 1 });
  });

  it('the file cut in the middle of its last record', () => {
    const whole = text(records);
    expect(problem(whole.slice(0, whole.length - 30))).toMatchObject({ line: 5, code: 'INCOMPLETE_LINE', records: 4, message: expect.stringContaining('torn write') });
  });

  it('the newline after the last record removed', () => {
    expect(problem(text(records).slice(0, -1))).toMatchObject({ line: 5, code: 'INCOMPLETE_LINE' });
  });

  it('records cut off at the end: found with the hash kept from an earlier verification', () => {
    const kept = records[4]!.hash;
    expect(verifyAuditLog(text(records), { expectHash: kept }).ok).toBe(true);
    expect(verifyAuditLog(text(records.slice(0, 3))).ok).toBe(true);
    expect(problem(text(records.slice(0, 3)), { expectHash: kept })).toMatchObject({ line: 4, code: 'MISSING_RECORDS', records: 3 });
  });

  it('records appended after the kept hash are fine', () => {
    expect(verifyAuditLog(text(records), { expectHash: records[2]!.hash }).ok).toBe(true);
  });

  it('an empty line, a line that is not a record, a member of the wrong type', () => {
    const withBlank = lines(records);
    withBlank.splice(2, 0, '');
    expect(problem(`${withBlank.join('\n')}\n`)).toMatchObject({ line: 3, code: 'EMPTY_LINE' });
    expect(problem('[1,2]\n')).toMatchObject({ line: 1, code: 'INVALID_RECORD', message: 'not an audit record: it is not a JSON object' });
    const wrong = lines(records);
    wrong[0] = wrong[0]!.replace('"action":"continue"', '"action":"maybe"');
    expect(problem(`${wrong.join('\n')}\n`)).toMatchObject({ line: 1, code: 'INVALID_RECORD', message: 'not an audit record: "action" must be continue, escalate or stop' });
  });
});
