// Tampering with a real audit log, written by the core AuditLog with its key and anchor beside it,
// by someone who can edit the log but not the key: cut off at every byte, a record deleted or two
// swapped anywhere, rewritten as a plain chain, single bytes changed at random. Every tampered
// log fails `verifyAuditLog` and the real `handrail audit verify` with no flag; every untouched
// log (including one whose writer stopped between appending a record and anchoring it) verifies,
// and so does one whose writer was killed at a random point of its appends.
// HANDRAIL_FUZZ_RUNS multiplies the number of random edits and of kills.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditAnchor,
  auditAnchorLine,
  auditLine,
  chainAuditRecord,
  compilePolicy,
  decide,
  parseAuditKey,
  verifyAuditLog,
  type AuditEntry,
  type AuditRecord,
} from '../../packages/policy/src/index.js';
import { answerAuditEntry, AuditLog, decisionAuditEntry, type ApprovalRequest } from '../../packages/core/src/index.js';
import { handrailBin as handrail, root, timeout } from '../../packages/policy/test/run-handrail.js';
import { fuzzRuns } from './fuzz-runs.js';
import { verifyAuditLogFile } from '../../packages/policy/src/index.js';

const policy = compilePolicy('policy refunds\nrule large: when tool.args.amount > 100 then escalate "large refund" via finance timeout 10m else stop\n');

let dir: string;
let logPath: string;
let text: string;
let anchor: string;
let key: Uint8Array;
let records: AuditRecord[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-audit-tampering-'));
  logPath = join(dir, 'audit.jsonl');
  const audit = await AuditLog.open(logPath);
  for (let i = 0; i < 3; i++) {
    const decision = await decide(policy, { content: '', role: 'assistant', toolCalls: [{ name: 'refund', args: `{"amount":${150 + i}}` }] });
    await audit.append(decisionAuditEntry(decision, { runId: `refund-${i}`, agent: 'user', sender: 'assistant' }));
    const request: ApprovalRequest = {
      id: `a-${i}`,
      runId: `refund-${i}`,
      createdAt: '2026-03-01T10:00:00.000Z',
      prompt: 'Refund?',
      decision: { rule: decision.rule, reason: decision.reason, onNoInput: 'stop', policy: decision.policy },
    };
    await audit.append(answerAuditEntry(request, { kind: 'approve', by: 'ana', at: '2026-03-01T10:01:00.000Z' }, { channel: 'finance' }));
  }
  await audit.close();
  text = readFileSync(logPath, 'utf8');
  anchor = readFileSync(`${logPath}.anchor`, 'utf8');
  key = parseAuditKey(readFileSync(`${logPath}.key`, 'utf8'));
  records = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditRecord);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = () => text.split('\n').slice(0, -1).map((line) => `${line}\n`);
const verify = (log: string, anchorText = anchor) => verifyAuditLog(log, { key, anchor: anchorText });

/** Writes each log beside a copy of the real key and the given anchor, as `NAME.jsonl`. */
function writeLogs(folder: string, logs: Map<string, { log: string; anchor?: string }>): string[] {
  const base = join(dir, folder);
  mkdirSync(base);
  return [...logs].map(([name, { log, anchor: anchorText = anchor }]) => {
    const path = join(base, `${name}.jsonl`);
    writeFileSync(path, log);
    writeFileSync(`${path}.anchor`, anchorText);
    copyFileSync(`${logPath}.key`, `${path}.key`);
    return path;
  });
}

/** Every tampered log: cut off at each byte, each record deleted, each neighbour pair swapped, the whole log rewritten. */
function tamperedLogs(): Map<string, { log: string; anchor?: string }> {
  const logs = new Map<string, { log: string; anchor?: string }>();
  for (let at = 0; at < text.length; at++) logs.set(`cut-at-${at}`, { log: text.slice(0, at) });
  const whole = lines();
  whole.forEach((_, i) => logs.set(`deleted-${i + 1}`, { log: whole.filter((__, j) => j !== i).join('') }));
  for (let i = 0; i + 1 < whole.length; i++) {
    const swapped = [...whole];
    [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
    logs.set(`swapped-${i + 1}-${i + 2}`, { log: swapped.join('') });
  }
  // A plain SHA-256 chain from the genesis hash, as anyone without the key can write one.
  const rewritten: AuditRecord[] = [];
  for (const record of records) {
    const { seq: _seq, prev: _prev, hash: _hash, mac: _mac, ...entry } = record;
    rewritten.push(chainAuditRecord({ ...entry, reason: 'small refund' } as AuditEntry, rewritten.at(-1)));
  }
  logs.set('rewritten', { log: rewritten.map(auditLine).join('') });
  logs.set('rewritten-shorter', { log: rewritten.slice(0, 3).map(auditLine).join('') });
  return logs;
}

describe('an audit log written by AuditLog, tampered with', { timeout }, () => {
  it('verifies untouched, and with its anchor one record behind (a crash between the two writes)', async () => {
    expect(verify(text)).toEqual({ ok: true, records: 6, lastHash: records[5]!.hash, anchored: 6 });
    const lagging = auditAnchorLine(auditAnchor(key, 5, records[4]!.hash));
    expect(verify(text, lagging)).toMatchObject({ ok: true, records: 6, anchored: 5 });
    const paths = writeLogs('untouched', new Map([['whole', { log: text }], ['lagging', { log: text, anchor: lagging }]]));
    const result = await handrail('audit', 'verify', ...paths);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('is caught when cut off at every byte, a record deleted or two swapped anywhere, or rewritten: by verifyAuditLog and by the CLI with no flag', async () => {
    const logs = tamperedLogs();
    for (const [name, { log, anchor: anchorText }] of logs) {
      const verdict = verify(log, anchorText);
      expect(verdict.ok, `${name} verified`).toBe(false);
      if (verdict.ok) continue;
      const expected = name.startsWith('cut-at-')
        ? ['MISSING_RECORDS', 'INCOMPLETE_LINE']
        : name.startsWith('deleted-') || name.startsWith('swapped-')
          ? ['OUT_OF_SEQUENCE', 'MISSING_RECORDS']
          : ['ANCHOR_MISMATCH', 'MISSING_RECORDS'];
      expect(expected, `${name}: ${verdict.problem.code}`).toContain(verdict.problem.code);
    }
    // The last N lines removed: the problem is named on the line after the last one left.
    for (let kept = 0; kept < records.length; kept++)
      expect(verify(lines().slice(0, kept).join(''))).toMatchObject({ ok: false, problem: { line: kept + 1, code: 'MISSING_RECORDS' } });

    // The CLI, in one process, on every kind except the cuts, of which it takes those at and
    // next to each line's end and every 37th byte (verifyAuditLog saw every one above).
    const lineEnds = new Set(lines().map((_, i) => lines().slice(0, i + 1).join('').length));
    const forCli = new Map([...logs].filter(([name]) => {
      const at = /^cut-at-(\d+)$/.exec(name)?.[1];
      return at === undefined || lineEnds.has(Number(at)) || lineEnds.has(Number(at) + 1) || Number(at) % 37 === 0;
    }));
    const paths = writeLogs('tampered', forCli);
    const result = await handrail('audit', 'verify', ...paths);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const reported = result.stderr.split('\n').filter(Boolean);
    expect(reported.at(-1)).toBe(`handrail: ${paths.length} of ${paths.length} audit logs failed verification`);
    for (const path of paths) expect(reported.some((line) => line.startsWith(`${path}:`) && / error [A-Z_]+: /.test(line)), path).toBe(true);
  });

  it('is caught when any single byte of the log or of its anchor is changed (fuzz)', async () => {
    const logBytes = Buffer.from(text);
    const anchorBytes = Buffer.from(anchor);
    const changed = (bytes: Buffer, at: number, delta: number) => {
      const copy = Buffer.from(bytes);
      copy[at] = (copy[at]! + delta) % 256;
      return copy.toString('utf8');
    };
    const cliLogs = new Map<string, { log: string; anchor?: string }>();
    fc.assert(
      fc.property(fc.nat(logBytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, delta) => {
        const log = changed(logBytes, at, delta);
        if (cliLogs.size < 40) cliLogs.set(`log-byte-${at}-${delta}`, { log });
        return !verify(log).ok;
      }),
      { numRuns: fuzzRuns(500) },
    );
    fc.assert(
      fc.property(fc.nat(anchorBytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, delta) => {
        const anchorText = changed(anchorBytes, at, delta);
        if (cliLogs.size < 60) cliLogs.set(`anchor-byte-${at}-${delta}`, { log: text, anchor: anchorText });
        return !verify(text, anchorText).ok;
      }),
      { numRuns: fuzzRuns(200) },
    );
    const paths = writeLogs('fuzzed', cliLogs);
    const result = await handrail('audit', 'verify', ...paths);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`handrail: ${paths.length} of ${paths.length} audit logs failed verification`);
  });
});

describe('an audit log whose writer is killed at a random point of its appends', { timeout }, () => {
  const writer = new URL('./fixtures/audit-writer.ts', import.meta.url).pathname;

  /** Starts the writer on `path`, kills it (SIGKILL) once it has printed `count` records, resolves when it is gone. */
  function killAfter(path: string, count: number): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@handrail/source', writer, path], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = 0;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString().split('\n').length - 1;
      if (seen >= count) child.kill('SIGKILL');
    });
    return new Promise((resolve, reject) =>
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the writer exited with ${code}: ${stderr}`)))),
    );
  }

  it('always verifies, with the anchor at the last record or one behind it, and reopens', async () => {
    const path = join(dir, 'killed', 'audit.jsonl');
    for (let round = 0; round < fuzzRuns(4); round++) {
      await killAfter(path, 1 + Math.floor(Math.random() * 30));
      const verdict = await verifyAuditLogFile(path);
      expect(verdict, `round ${round}`).toMatchObject({ ok: true });
      if (verdict.ok) expect([verdict.records, verdict.records - 1]).toContain(verdict.anchored);
    }
    // The next writer anchors what the last one left.
    await (await AuditLog.open(path)).close();
    const final = await verifyAuditLogFile(path);
    expect(final.ok && final.anchored === final.records, JSON.stringify(final)).toBe(true);
  });
});
