// The disk fills up in the middle of a run. An append that did not fully reach the disk must
// not count as written: it rejects, the file is cut back to its last whole record (so that the
// journal still restores and the audit log still verifies), nothing is appended after it, and
// the run stops with the error instead of running a tool on a decision it could not record.
//
// The files live on a real, small filesystem: a tmpfs mounted for the test, filled to the last
// page. Mounting needs root (or CAP_SYS_ADMIN) on Linux; elsewhere the tests are skipped, saying why.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { compilePolicy, verifyAuditLogFile, type Turn } from '@handrail/policy';
import { AssistantAgent, AuditLog, DurableRun, FileRunStore, UserProxyAgent, type JournalRecord } from '../../packages/core/src/index.js';
import { ScriptedIO, ScriptedModel } from '../../packages/core/src/testing/index.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'handrail-full-disk-'));
const unavailable = mountSmallDisk();
if (unavailable) console.warn(`full-disk tests skipped: ${unavailable}`);

/** Mounts a 1 MiB tmpfs at mountPoint; says why not when it cannot. */
function mountSmallDisk(): string | undefined {
  if (process.platform !== 'linux') return `they mount a tmpfs, which needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'they mount a tmpfs, which needs root (run the suite as root, or in a container that allows mount)';
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { encoding: 'utf8' });
  if (mount.status !== 0) return `mount -t tmpfs failed here (${(mount.stderr || mount.error?.message || `exit ${mount.status}`).trim()})`;
  return undefined;
}

// Each test fills the disk; the next one starts on an empty one.
afterEach(() => {
  if (!unavailable) for (const name of readdirSync(mountPoint)) rmSync(join(mountPoint, name), { recursive: true, force: true });
});

afterAll(() => {
  if (!unavailable) spawnSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

/** Writes a file until the disk is full; returns its path, to free the space again. */
function fillDisk(directory: string): string {
  const path = join(directory, 'filler');
  const fd = openSync(path, 'w');
  const page = Buffer.alloc(4096, 0x2e);
  try {
    for (;;) writeSync(fd, page);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return path;
}

const refund = (i: number): Turn => ({ content: '', role: 'assistant', toolCalls: [{ name: 'refund', args: JSON.stringify({ amount: 10, order: i, note: 'n'.repeat(200) }) }] });
const policy = compilePolicy(`policy refunds
rule small: when tool.name == "refund" and tool.args.amount <= 100 then continue
`);
const lines = (path: string) => readFileSync(path, 'utf8');

describe.skipIf(unavailable !== undefined)('a full disk', () => {
  it('an append to the journal that does not fit rejects; the run stops; the journal keeps its whole records and restores', async () => {
    const directory = join(mountPoint, 'journal');
    mkdirSync(directory);
    const store = new FileRunStore(join(directory, 'store'));
    const run = await DurableRun.open(store, 'refund-9');
    const filler = fillDisk(directory);

    const ran: number[] = [];
    let failure: unknown;
    for (let i = 1; i < 1000 && failure === undefined; i++)
      await run.step(`refund#${i}`, () => (ran.push(i), { receipt: `r-${i}`, text: 'x'.repeat(300) })).catch((error: unknown) => (failure = error));
    expect(failure).toMatchObject({ code: 'WRITE_FAILED', cause: { code: 'ENOSPC' } });
    expect((failure as Error).message).toContain(join(directory, 'store', 'runs', 'refund-9.jsonl'));

    // The run has stopped: with the disk full or not, it records nothing more and runs nothing more.
    const journalPath = join(directory, 'store', 'runs', 'refund-9.jsonl');
    const cut = lines(journalPath);
    expect(cut.endsWith('\n')).toBe(true);
    unlinkSync(filler);
    const after = ran.length;
    await expect(run.step('refund#after', () => ran.push(-1))).rejects.toBe(failure);
    await expect(run.finish()).rejects.toBe(failure);
    expect(ran).toHaveLength(after);
    expect(lines(journalPath)).toBe(cut);
    await run.close();

    // Every line is a whole record; every step that ran began on disk before it ran.
    const journal = (await store.readJournal('refund-9'))!;
    expect(journal.map((record) => record.seq)).toEqual(journal.map((_, i) => i + 1));
    const began = journal.flatMap((record) => (record.type === 'step-started' ? [record.key] : []));
    expect(ran.map((i) => `refund#${i}`)).toEqual(began);

    // Restored (space is free again), it replays what was recorded and goes on.
    const restored = await DurableRun.restore(store, 'refund-9', { onInterruptedStep: () => ({ result: 'checked by hand' }) });
    const finished = journal.filter((record): record is Extract<JournalRecord, { type: 'step-finished' }> => record.type === 'step-finished');
    for (const record of finished) expect(await restored.step(record.key, () => ran.push(-2))).toEqual(record.result);
    if (began.length > finished.length) expect(await restored.step(began.at(-1)!, () => ran.push(-3))).toBe('checked by hand');
    expect(ran).toHaveLength(after);
    await restored.step('after-the-disk-was-freed', () => 'ok');
    await restored.finish();
  });

  it('an append to the audit log that does not fit rejects; the run stops before any tool runs on the unaudited decision; the log verifies', async () => {
    const directory = join(mountPoint, 'audit');
    mkdirSync(directory);
    const store = new FileRunStore(mkdtempSync(join(tmpdir(), 'handrail-full-disk-store-')));
    const auditPath = join(directory, 'audit.jsonl');
    const audit = await AuditLog.open(auditPath);
    const run = await DurableRun.open(store, 'refund-10', { audit });

    const ran: number[] = [];
    let failure: unknown;
    let filler = '';
    for (let i = 1; i < 1000 && failure === undefined; i++) {
      // Filled once the log has records: the last page's free bytes take a few more, then one is cut short.
      if (i === 3) filler = fillDisk(directory);
      try {
        const decision = await run.decide(policy, refund(i), { agent: 'user' });
        if (decision.action === 'continue') await run.step(`refund#${i}`, () => ran.push(i));
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toMatchObject({ code: 'WRITE_FAILED', cause: { code: 'ENOSPC' } });
    expect((failure as Error).message).toContain(auditPath);
    const decided = ran.length + 1;

    // Whole records only: the log verifies as it is. The failed write was the record's (cut back)
    // or its anchor's (the record is whole on disk, the old anchor one behind it).
    const cut = lines(auditPath);
    const verdict = await verifyAuditLogFile(auditPath);
    expect(verdict).toMatchObject({ ok: true, anchored: ran.length });
    expect([ran.length, ran.length + 1]).toContain(verdict.records);
    unlinkSync(filler);
    await expect(run.step(`refund#${decided}`, () => ran.push(decided))).rejects.toBe(failure);
    await expect(audit.append({ type: 'decision' } as never)).rejects.toBe(failure);
    expect(ran).toHaveLength(decided - 1);
    expect(lines(auditPath)).toBe(cut);
    await run.close();
    await audit.close();

    // Restored with the log reopened, the decision that missed the log is audited, then acted on.
    const reopened = await AuditLog.open(auditPath);
    const restored = await DurableRun.restore(store, 'refund-10', { audit: reopened });
    for (let i = 1; i <= decided; i++) {
      const decision = await restored.decide(policy, refund(i), { agent: 'user' });
      if (decision.action === 'continue') await restored.step(`refund#${i}`, () => ran.push(i));
    }
    await restored.finish();
    await reopened.close();
    expect(ran).toEqual(Array.from({ length: decided }, (_, i) => i + 1));
    const text = lines(auditPath);
    expect(await verifyAuditLogFile(auditPath)).toMatchObject({ ok: true, records: decided, anchored: decided });
    expect(text.startsWith(cut)).toBe(true);
  });

  it('a durable chat whose disk fills up ends with the error, and runs no tool the log does not show', async () => {
    const directory = join(mountPoint, 'chat');
    mkdirSync(directory);
    const store = new FileRunStore(join(directory, 'store'));
    const auditPath = join(directory, 'audit.jsonl');
    const audit = await AuditLog.open(auditPath);
    const run = await DurableRun.open(store, 'chat-1', { audit });
    const calls: number[] = [];
    const io = new ScriptedIO([]);
    const model = new ScriptedModel(Array.from({ length: 400 }, (_, i) => ({ toolCalls: [{ name: 'refund', arguments: { amount: 10, order: i, note: 'n'.repeat(200) } }] })));
    const user = new UserProxyAgent('user', {
      policy,
      io,
      codeExecutionConfig: false,
      functionMap: {
        refund: ({ order }) => {
          calls.push(Number(order));
          if (calls.length === 3) fillDisk(directory);
          return { refunded: 10 };
        },
      },
    });
    const assistant = new AssistantAgent('assistant', { model, io });

    const error = await user.initiateChat(assistant, { message: 'Refund every order.', durable: run }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'WRITE_FAILED', cause: { code: 'ENOSPC' } });
    expect(run.status).toBe('stopped');
    await run.close();
    await audit.close();

    // Each refund that ran was decided and audited first; both files hold whole records only.
    const text = lines(auditPath);
    expect(await verifyAuditLogFile(auditPath)).toMatchObject({ ok: true });
    const approved = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { agent: string; action: string; rule: string | null });
    expect(approved.filter((record) => record.agent === 'user' && record.action === 'continue' && record.rule === 'small').length).toBeGreaterThanOrEqual(calls.length);
    const journal = (await store.readJournal('chat-1'))!;
    expect(journal.filter((record) => record.type === 'step-started' && record.kind === 'tool')).toHaveLength(calls.length);
  });
});
