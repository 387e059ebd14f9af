// The audit chain: a log written with chainAuditRecord verifies; each kind of tampering is
// detected on the line where it happened, with what is wrong.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  auditAnchor,
  auditAnchorLine,
  auditGenesisHash,
  auditLine,
  auditRecordHash,
  auditRecordMac,
  chainAuditRecord,
  verifyAuditLog,
  type AuditEntry,
  type AuditRecord,
  type VerifyAuditOptions,
} from '../src/index.js';

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

function chain(list: AuditEntry[], key?: Uint8Array): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const entry of list) records.push(chainAuditRecord(entry, records.at(-1), key));
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
    expect(verifyAuditLog(text(records))).toEqual({ ok: true, records: 5, lastHash: records[4]!.hash, anchored: null });
    expect(verifyAuditLog('')).toEqual({ ok: true, records: 0, lastHash: auditGenesisHash, anchored: null });
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

describe('a keyed log: records signed with the key, the end anchored', () => {
  const key = randomBytes(32);
  const records = chain(entries(), key);
  const anchorAt = (list: AuditRecord[]) => auditAnchorLine(auditAnchor(key, list.length, list.at(-1)?.hash ?? auditGenesisHash));
  const anchor = anchorAt(records);
  const verify = (log: string, options: VerifyAuditOptions = {}) => verifyAuditLog(log, { key, anchor, ...options });
  const problem = (log: string, options = {}) => {
    const verdict = verify(log, options);
    expect(verdict.ok).toBe(false);
    return verdict.ok ? undefined : verdict.problem;
  };

  it('signs each record with an HMAC of its hash, and verifies with the key and the anchor', () => {
    for (const record of records) expect(record.mac).toBe(auditRecordMac(key, record.hash));
    expect(auditRecordHash(records[0]!)).toBe(records[0]!.hash);
    expect(verify(text(records))).toEqual({ ok: true, records: 5, lastHash: records[4]!.hash, anchored: 5 });
    expect(verify('', { anchor: anchorAt([]) })).toEqual({ ok: true, records: 0, lastHash: auditGenesisHash, anchored: 0 });
  });

  it('(a) an edited record', () => {
    const edited = lines(records);
    edited[2] = edited[2]!.replace('"by":"ana"', '"by":"bob"');
    expect(problem(`${edited.join('\n')}\n`)).toMatchObject({ line: 3, code: 'HASH_MISMATCH' });
  });

  it('(a) an edited record rehashed: its mac no longer matches', () => {
    const forged = { ...records[2]!, by: 'bob' } as AuditRecord;
    forged.hash = auditRecordHash(forged);
    expect(problem(text([...records.slice(0, 2), forged, ...records.slice(3)]))).toMatchObject({ line: 3, code: 'MAC_MISMATCH' });
  });

  it('(b) a deleted record', () => {
    expect(problem(text(records.filter((_, i) => i !== 2)))).toMatchObject({ line: 3, code: 'OUT_OF_SEQUENCE' });
  });

  it('(c) the last N records removed, for every N', () => {
    for (let kept = 0; kept < records.length; kept++)
      expect(problem(text(records.slice(0, kept)))).toMatchObject({ line: kept + 1, code: 'MISSING_RECORDS', message: expect.stringContaining(`the anchor vouches for 5 records`) });
  });

  it('(d) the whole log rewritten as a plain SHA-256 chain from the genesis hash', () => {
    const rewritten = chain(entries().map((entry) => ({ ...entry, reason: 'nothing to see' })));
    expect(verifyAuditLog(text(rewritten)).ok).toBe(true);
    expect(problem(text(rewritten))).toMatchObject({ line: 5, code: 'ANCHOR_MISMATCH', message: expect.stringContaining('the log was rewritten') });
    // Longer and shorter rewrites too.
    const longer = chain([...entries(), ...entries()].map((entry) => ({ ...entry, reason: 'nothing to see' })));
    expect(problem(text(longer))).toMatchObject({ line: 5, code: 'ANCHOR_MISMATCH' });
    expect(problem(text(rewritten.slice(0, 2)))).toMatchObject({ line: 3, code: 'MISSING_RECORDS' });
  });

  it('(d) the whole log rewritten and signed with another key', () => {
    expect(problem(text(chain(entries(), randomBytes(32))))).toMatchObject({ line: 1, code: 'MAC_MISMATCH' });
  });

  it('(e) two records swapped', () => {
    const swapped = [records[0]!, records[2]!, records[1]!, records[3]!, records[4]!];
    expect(problem(text(swapped))).toMatchObject({ line: 2, code: 'OUT_OF_SEQUENCE' });
  });

  it('records appended without the key', () => {
    const appended = chainAuditRecord(entries()[0]!, records[4]);
    expect(problem(text([...records, appended]))).toMatchObject({ line: 6, code: 'MAC_MISMATCH', message: expect.stringContaining('has no mac') });
    // To an old log's anchored records: the records after the anchor are neither anchored nor signed.
    const old = chain(entries());
    const more = [...old, chainAuditRecord(entries()[0]!, old[4]), chainAuditRecord(entries()[1]!, chainAuditRecord(entries()[0]!, old[4]))];
    expect(problem(text(more), { anchor: anchorAt(old) })).toMatchObject({ line: 6, code: 'ANCHOR_MISMATCH', message: expect.stringContaining('neither anchored nor signed') });
  });

  it('a crash between appending a record and anchoring it: the anchor one record behind verifies, two do not', () => {
    expect(verify(text(records), { anchor: anchorAt(records.slice(0, 4)) })).toEqual({ ok: true, records: 5, lastHash: records[4]!.hash, anchored: 4 });
    expect(problem(text(records), { anchor: anchorAt(records.slice(0, 3)) })).toMatchObject({ line: 5, code: 'ANCHOR_MISMATCH', message: expect.stringContaining('records 5 to 5 are not anchored') });
  });

  it('a forged, edited or missing anchor, and a missing key', () => {
    const forged = auditAnchorLine(auditAnchor(randomBytes(32), 3, records[2]!.hash));
    expect(problem(text(records.slice(0, 3)), { anchor: forged })).toMatchObject({ line: 4, code: 'ANCHOR_INVALID', message: expect.stringContaining('not written with this key') });
    expect(problem(text(records), { anchor: anchor.replace('\n', ' \n') })).toMatchObject({ code: 'ANCHOR_INVALID', message: expect.stringContaining('edited') });
    expect(problem(text(records), { anchor: '{"seq":5' })).toMatchObject({ code: 'ANCHOR_INVALID' });
    expect(problem(text(records), { anchor: null })).toMatchObject({ line: 6, code: 'ANCHOR_MISSING' });
    expect(problem(text(chain(entries())), { anchor: null })).toMatchObject({ line: 6, code: 'ANCHOR_MISSING' });
    expect(verifyAuditLog(text(records))).toMatchObject({ ok: false, problem: { line: 1, code: 'KEY_MISSING' } });
    expect(verifyAuditLog(text(chain(entries())), { anchor })).toMatchObject({ ok: false, problem: { line: 6, code: 'KEY_MISSING' } });
  });

  it('an old log adopted by a keyed writer: the old records are anchored, the new ones signed', () => {
    const old = chain(entries().slice(0, 3));
    const adopted = [...old];
    for (const entry of entries().slice(3)) adopted.push(chainAuditRecord(entry, adopted.at(-1), key));
    expect(verify(text(adopted), { anchor: anchorAt(adopted) })).toMatchObject({ ok: true, records: 5, anchored: 5 });
    expect(verify(text(old), { anchor: anchorAt(old) })).toMatchObject({ ok: true, records: 3, anchored: 3 });
    expect(problem(text(old.slice(0, 2)), { anchor: anchorAt(old) })).toMatchObject({ code: 'MISSING_RECORDS' });
  });

  it('verifies the end of a log after a record checked before', () => {
    const tail = text(records.slice(3));
    expect(verify(tail, { after: { seq: 3, hash: records[2]!.hash } })).toEqual({ ok: true, records: 5, lastHash: records[4]!.hash, anchored: 5 });
    expect(verify(tail, { anchor: anchorAt(records.slice(0, 4)), after: { seq: 3, hash: records[2]!.hash } })).toMatchObject({ ok: true, anchored: 4 });
    expect(problem(tail, { after: { seq: 3, hash: records[1]!.hash } })).toMatchObject({ line: 4, code: 'CHAIN_BROKEN' });
    expect(problem(text(records.slice(3, 4)), { after: { seq: 3, hash: records[2]!.hash } })).toMatchObject({ line: 5, code: 'MISSING_RECORDS' });
  });

  it('--expect still works alongside the anchor', () => {
    expect(verify(text(records), { expectHash: records[3]!.hash }).ok).toBe(true);
    expect(problem(text(records), { expectHash: `sha256:${'e'.repeat(64)}` })).toMatchObject({ code: 'MISSING_RECORDS' });
  });
});
