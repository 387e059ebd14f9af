// The lock of a run (and of an audit log): taken whole or not at all, taken over only from a
// holder that is gone, and only by one taker.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireFileLock } from '../../src/durable/file-lock.js';

let dir: string;
const lock = () => join(dir, 'run-1.lock');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-lock-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function holder(pid: number, host = hostname()): string {
  return JSON.stringify({ pid, host, since: '2026-01-01T00:00:00.000Z' });
}

/** Settles every promise; counts the fulfilled ones and collects the errors. */
async function race(takers: Array<Promise<() => Promise<void>>>): Promise<{ won: Array<() => Promise<void>>; errors: unknown[] }> {
  const settled = await Promise.allSettled(takers);
  return {
    won: settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])),
    errors: settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : [])),
  };
}

describe('acquireFileLock', () => {
  it('of many takers at once, one wins; the others are told which pid holds it', async () => {
    const { won, errors } = await race(Array.from({ length: 16 }, () => acquireFileLock(lock(), 'run run-1')));
    expect(won).toHaveLength(1);
    for (const error of errors) expect(error).toMatchObject({ code: 'LOCKED', message: expect.stringMatching(new RegExp(`^run run-1 is held by pid ${process.pid} on `)) });
    await won[0]!();
    const again = await acquireFileLock(lock(), 'run run-1');
    await again();
    // Nothing is left behind: no lock, no staging directory.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a lock left by a dead process is taken over by exactly one of many takers', async () => {
    mkdirSync(lock());
    writeFileSync(join(lock(), 'holder-dead.json'), holder(deadPid()));
    const { won, errors } = await race(Array.from({ length: 16 }, () => acquireFileLock(lock(), 'run run-1')));
    expect(won).toHaveLength(1);
    expect(errors).toHaveLength(15);
    for (const error of errors) expect(error).toMatchObject({ code: 'LOCKED' });
    expect(readdirSync(lock())).toHaveLength(1);
    await won[0]!();
  });

  it('a lock whose holder file is empty or half-written is not stale: it is refused, never taken', async () => {
    mkdirSync(lock());
    writeFileSync(join(lock(), 'holder-writing.json'), '{"pid":12');
    await expect(acquireFileLock(lock(), 'run run-1')).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining('names no process') });
    writeFileSync(join(lock(), 'holder-writing.json'), '');
    await expect(acquireFileLock(lock(), 'run run-1')).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining(`delete ${lock()}`) });
    expect(readdirSync(lock())).toEqual(['holder-writing.json']);
  });

  it('an empty lock file (as an older version could leave) is refused, never taken', async () => {
    writeFileSync(lock(), '');
    await expect(acquireFileLock(lock(), 'run run-1')).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining('it is a file') });
  });

  it('a holder on another host is never taken over, even when a process of that pid is not here', async () => {
    mkdirSync(lock());
    writeFileSync(join(lock(), 'holder-elsewhere.json'), holder(deadPid(), 'another-host'));
    await expect(acquireFileLock(lock(), 'run run-1')).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringMatching(/held by pid \d+ on another-host .*locks of another host are never taken over/) });
  });

  it('releasing a lock that was taken over does not release the new holder', async () => {
    const first = await acquireFileLock(lock(), 'run run-1');
    // As if this process had died: its holder file names a dead pid now.
    const [name] = readdirSync(lock());
    writeFileSync(join(lock(), name!), holder(deadPid()));
    const second = await acquireFileLock(lock(), 'run run-1');
    await first();
    await expect(acquireFileLock(lock(), 'run run-1')).rejects.toMatchObject({ code: 'LOCKED' });
    await second();
  });
});
