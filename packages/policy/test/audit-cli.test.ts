// `handrail audit verify` on audit logs written to a temporary directory, tampered with in each
// way: old logs (a chain alone) and keyed logs (signed records, an anchor and a key file beside
// the log, as the writer leaves them); in this process through runCli, and as a user runs it, the
// real executable.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { handrail, handrailBin, timeout } from './run-handrail.js';
import { auditAnchor, auditAnchorLine, auditLine, auditRecordHash, chainAuditRecord, type AuditEntry, type AuditRecord } from '../src/index.js';

const policy = { name: 'payments', hash: `sha256:${'b'.repeat(64)}` };
const entry = (i: number): AuditEntry =>
  i % 2
    ? { type: 'answer', time: `2025-03-01T10:00:0${i}.000Z`, runId: 'run-7', policy, rule: 'large', reason: 'large payment', approvalId: `a-${i}`, channel: 'store', by: 'ana', answer: { kind: 'approve' } }
    : { type: 'decision', time: `2025-03-01T10:00:0${i}.000Z`, runId: 'run-7', policy, rule: 'large', reason: 'large payment', action: 'escalate' };

const records: AuditRecord[] = [];
for (let i = 0; i < 4; i++) records.push(chainAuditRecord(entry(i), records.at(-1)));
const lines = records.map(auditLine);

let dir: string;
const file = (name: string) => join(dir, name);

const tampered: Record<string, string> = {
  'good.jsonl': lines.join(''),
  'edited.jsonl': lines.map((line, i) => (i === 1 ? line.replace('"by":"ana"', '"by":"eve"') : line)).join(''),
  'deleted.jsonl': lines.filter((_, i) => i !== 1).join(''),
  'reordered.jsonl': [lines[0], lines[2], lines[1], lines[3]].join(''),
  'cut-in-the-middle.jsonl': lines.map((line, i) => (i === 1 ? `${line.slice(0, 50)}\n` : line)).join(''),
  'cut-at-the-end.jsonl': lines.join('').slice(0, -25),
  'rehashed.jsonl': lines
    .map((line, i) => {
      if (i !== 1) return line;
      const record = { ...(JSON.parse(line) as AuditRecord), by: 'eve' } as AuditRecord;
      return auditLine({ ...record, hash: auditRecordHash(record) } as AuditRecord);
    })
    .join(''),
  'shorter.jsonl': lines.slice(0, 2).join(''),
};

// The same entries written by a keyed writer: each log with its key and anchor beside it.
const key = randomBytes(32);
const keyText = `${key.toString('hex')}\n`;
const keyed: AuditRecord[] = [];
for (let i = 0; i < 4; i++) keyed.push(chainAuditRecord(entry(i), keyed.at(-1), key));
const keyedLines = keyed.map(auditLine);
const anchorAt = (seq: number) => auditAnchorLine(auditAnchor(key, seq, keyed[seq - 1]!.hash));
const rewritten: AuditRecord[] = [];
for (let i = 0; i < 4; i++) rewritten.push(chainAuditRecord({ ...entry(i), reason: 'small payment' }, rewritten.at(-1)));

const keyedLogs: Record<string, { log: string; anchor?: string; key?: string }> = {
  'keyed.jsonl': { log: keyedLines.join('') },
  'keyed-edited.jsonl': { log: keyedLines.map((line, i) => (i === 1 ? line.replace('"by":"ana"', '"by":"eve"') : line)).join('') },
  'keyed-deleted.jsonl': { log: keyedLines.filter((_, i) => i !== 1).join('') },
  'keyed-reordered.jsonl': { log: [keyedLines[0], keyedLines[2], keyedLines[1], keyedLines[3]].join('') },
  'keyed-truncated.jsonl': { log: keyedLines.slice(0, 2).join('') },
  'keyed-emptied.jsonl': { log: '' },
  'keyed-rewritten.jsonl': { log: rewritten.map(auditLine).join('') },
  'keyed-lagging.jsonl': { log: keyedLines.join(''), anchor: anchorAt(3) },
  'keyed-no-anchor.jsonl': { log: keyedLines.join(''), anchor: '' },
  'keyed-no-key.jsonl': { log: keyedLines.join(''), key: '' },
  'keyed-forged-anchor.jsonl': { log: keyedLines.slice(0, 2).join(''), anchor: auditAnchorLine(auditAnchor(randomBytes(32), 2, keyed[1]!.hash)) },
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-audit-cli-'));
  for (const [name, content] of Object.entries(tampered)) writeFileSync(file(name), content);
  for (const [name, { log, anchor = anchorAt(4), key = keyText }] of Object.entries(keyedLogs)) {
    writeFileSync(file(name), log);
    if (anchor) writeFileSync(file(`${name}.anchor`), anchor);
    if (key) writeFileSync(file(`${name}.key`), key, { mode: 0o600 });
  }
  mkdirSync(file('secrets'));
  writeFileSync(file('secrets/audit.key'), keyText, { mode: 0o600 });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.concurrent('handrail audit verify', { timeout }, () => {
  it('prints ok with the number of records and the last hash, and exits 0; for an old log, says what it cannot check (the real executable)', async ({ expect }) => {
    const result = await handrailBin('audit', 'verify', file('good.jsonl'));
    expect(result).toEqual({
      code: 0,
      stdout: `ok ${file('good.jsonl')} (4 records, last hash ${records[3]!.hash}); not anchored: a log written without a key, so only its chain was checked (records cut off at the end, or the whole log rewritten, would not show; opening it with AuditLog anchors it)\n`,
      stderr: '',
    });
  });

  it('verifies a keyed log with its key and anchor, with no flag', async ({ expect }) => {
    const result = await handrail('audit', 'verify', file('keyed.jsonl'));
    expect(result).toEqual({ code: 0, stdout: `ok ${file('keyed.jsonl')} (4 records, last hash ${keyed[3]!.hash}, anchored)\n`, stderr: '' });
  });

  it('accepts an anchor one record behind (the writer stopped between appending and anchoring)', async ({ expect }) => {
    const result = await handrail('audit', 'verify', file('keyed-lagging.jsonl'));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `ok ${file('keyed-lagging.jsonl')} (4 records, last hash ${keyed[3]!.hash}, anchored up to record 3; record 4 is signed and was written just before the writer stopped, and reopening the log anchors it)\n`,
    );
  });

  const keyedCases: [string, string][] = [
    ['keyed-edited.jsonl', ':2: error HASH_MISMATCH: record 2 was changed'],
    ['keyed-deleted.jsonl', ':2: error OUT_OF_SEQUENCE: expected record 2 but found record 3'],
    ['keyed-reordered.jsonl', ':2: error OUT_OF_SEQUENCE: expected record 2 but found record 3'],
    ['keyed-truncated.jsonl', ':3: error MISSING_RECORDS: the anchor vouches for 4 records'],
    ['keyed-emptied.jsonl', ':1: error MISSING_RECORDS: the anchor vouches for 4 records'],
    ['keyed-rewritten.jsonl', ':4: error ANCHOR_MISMATCH: the log was rewritten'],
    ['keyed-no-anchor.jsonl', ':5: error ANCHOR_MISSING: the log has no anchor'],
    ['keyed-no-key.jsonl', ':1: error KEY_MISSING: record 1 is signed'],
    ['keyed-forged-anchor.jsonl', ':3: error ANCHOR_INVALID: the anchor was not written with this key'],
  ];
  for (const [name, expected] of keyedCases) {
    it(`finds ${name} tampered with, with no flag, and exits 1`, async ({ expect }) => {
      const result = await handrail('audit', 'verify', file(name));
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')).toHaveLength(2);
      expect(result.stderr.startsWith(`${file(name)}${expected}`), result.stderr).toBe(true);
    });
  }

  it('the real executable finds every tampering of a keyed log with no flag, and verifies the untouched ones', async ({ expect }) => {
    const result = await handrailBin('audit', 'verify', file('keyed.jsonl'), file('keyed-lagging.jsonl'), ...keyedCases.map(([name]) => file(name)));
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').filter(Boolean).map((line) => line.split(' (')[0])).toEqual([`ok ${file('keyed.jsonl')}`, `ok ${file('keyed-lagging.jsonl')}`]);
    const reported = result.stderr.split('\n');
    for (const [name, expected] of keyedCases) expect(reported.some((line) => line.startsWith(`${file(name)}${expected}`)), name).toBe(true);
    expect(result.stderr).toContain(`handrail: ${keyedCases.length} of ${keyedCases.length + 2} audit logs failed verification`);
  });

  it('takes the key from elsewhere with --key', async ({ expect }) => {
    const result = await handrail('audit', 'verify', file('keyed-no-key.jsonl'), '--key', file('secrets/audit.key'));
    expect(result.code, result.stderr).toBe(0);
    const wrong = await handrail('audit', 'verify', file('keyed.jsonl'), '--key', file('good.jsonl'));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`handrail: cannot read ${file('good.jsonl')}: an audit key is 64 hexadecimal digits`);
  });

  const cases: [string, string][] = [
    ['edited.jsonl', ':2: error HASH_MISMATCH: record 2 was changed'],
    ['deleted.jsonl', ':2: error OUT_OF_SEQUENCE: expected record 2 but found record 3'],
    ['reordered.jsonl', ':2: error OUT_OF_SEQUENCE: expected record 2 but found record 3'],
    ['cut-in-the-middle.jsonl', ':2: error INVALID_JSON: not valid JSON'],
    ['cut-at-the-end.jsonl', ':4: error INCOMPLETE_LINE: the file ends in the middle of a record'],
    ['rehashed.jsonl', ':3: error CHAIN_BROKEN: record 3 does not follow the record before it'],
  ];
  for (const [name, expected] of cases) {
    it(`names the first bad record of ${name} and exits 1`, async ({ expect }) => {
      const result = await handrail('audit', 'verify', file(name));
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.startsWith(`${file(name)}${expected}`)).toBe(true);
      expect(result.stderr.split('\n')).toHaveLength(2);
    });
  }

  it('finds records cut off at the end with --expect', async ({ expect }) => {
    const shorter = await handrail('audit', 'verify', file('shorter.jsonl'));
    expect(shorter.code).toBe(0);
    const result = await handrail('audit', 'verify', file('shorter.jsonl'), '--expect', records[3]!.hash);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`shorter.jsonl:3: error MISSING_RECORDS: no record has the expected hash ${records[3]!.hash}`);
  });

  it('checks every file, and says which failed', async ({ expect }) => {
    const result = await handrail('audit', 'verify', file('good.jsonl'), file('edited.jsonl'), file('missing.jsonl'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`ok ${file('good.jsonl')}`);
    expect(result.stderr).toContain(`${file('edited.jsonl')}:2: error HASH_MISMATCH`);
    expect(result.stderr).toContain(`handrail: cannot read ${file('missing.jsonl')}: no such file or directory`);
    expect(result.stderr).toContain('2 of 3 audit logs failed verification');
  });

  it('explains its usage when the action or the file is missing', async ({ expect }) => {
    const noAction = await handrail('audit');
    expect(noAction.code).toBe(2);
    expect(noAction.stderr).toContain('handrail audit: audit needs an action: verify');
    const noFile = await handrail('audit', 'verify');
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('usage: handrail audit verify FILE…');
    const help = await handrail('help', 'audit');
    expect(help.stdout).toContain('--expect HASH');
    expect(help.stdout).toContain('--key KEYFILE');
  });
});
