// One process at a time per run (and per audit log): a lock file naming its holder. A holder
// that died (a crash, a kill) leaves a stale lock, which the next process on the same host
// takes over; a live holder is refused.
import { hostname } from 'node:os';
import { open, readFile, unlink } from 'node:fs/promises';
import { DurableRunError } from './durable-run-error.js';

interface Holder {
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Holder;
  } catch {
    // Missing, or half-written by a process that died while taking it.
    return undefined;
  }
}

/**
 * Takes the lock at `path`, or throws DurableRunError `LOCKED` when a live process holds it.
 * Resolves with the function that releases it.
 *
 * @example
 * const release = await acquireFileLock('runs/run-42.lock', 'run run-42');
 * try { … } finally { await release(); }
 */
export async function acquireFileLock(path: string, what: string): Promise<() => Promise<void>> {
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.write(JSON.stringify(me));
        await handle.sync();
      } finally {
        await handle.close();
      }
      return async () => {
        const holder = await readHolder(path);
        if (holder?.pid === me.pid && holder.since === me.since) await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(path);
    const stale = holder === undefined || (holder.host === me.host && !alive(holder.pid));
    if (!stale || attempt >= 3) {
      const who = holder ? `process ${holder.pid} on ${holder.host} (since ${holder.since})` : 'another process';
      throw new DurableRunError('LOCKED', `${what} is held by ${who}; if that process is gone, delete ${path}`);
    }
    await unlink(path).catch(() => undefined);
  }
}
