// `handrail audit verify` on audit logs written to a temporary directory, tampered with in each
// way: in this process through runCli, and once as a user runs it, the real executable.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { handrail, handrailBin, timeout } from './run-handrail.js';
import { auditLine, auditRecordHash, chainAuditRecord, type AuditEntry, type AuditRecord } from '../src/index.js';



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

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-audit-cli-'));
  for (const [name, content] of Object.entries(tampered)) writeFileSync(file(name), content);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.concurrent('handrail audit verify', { timeout }, () => {
  it('prints ok with the number of records and the last hash, and exits 0 (the real executable)', async ({ expect }) => {
    const result = await handrailBin('audit', 'verify', file('good.jsonl'));
    expect(result).toEqual({ code: 0, stdout: `ok ${file('good.jsonl')} (4 records, last hash ${records[3]!.hash})\n`, stderr: '' });
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
  });
});
