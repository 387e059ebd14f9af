// One process at a time per run (and per audit log). The lock is a directory holding one file
// that names its holder, `holder-<uuid>.json`:
// - Taking it is one rename(2) of a directory assembled beforehand (holder file written and
//   fsync'ed) onto the lock's name. rename fails when the name is a directory with something in
//   it, so of many takers exactly one wins, and no one ever sees a lock without its holder.
// - A lock whose holder died on this host (its pid is gone, or the machine rebooted since) is
//   stale. Taking it over is one rename of *that* holder file out of the directory: the file's
//   name is unique to the lock it belongs to, so of two takers only one rename succeeds, and a
//   taker that read an older lock cannot remove a newer one. The emptied directory is free:
//   the next rename onto it takes it.
// - Anything else (a live holder, a holder on another host, a holder file that cannot be read)
//   is held: the taker is refused, never let in.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DurableRunError } from './durable-run-error.js';
import { writeFully } from './json-lines-file.js';

interface Holder {
  pid: number;
  host: string;
  /** The kernel's boot id where there is one: a holder from before a reboot is gone. */
  boot?: string;
  since: string;
}

type Found = { state: 'free' } | { state: 'held'; holder: Holder; file: string } | { state: 'unreadable'; detail: string };

const holderPrefix = 'holder-';
/** Takers that keep losing to others give up (LOCKED) rather than spin. */
const attempts = 16;

let bootId: Promise<string | undefined> | undefined;
function currentBoot(): Promise<string | undefined> {
  bootId ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (text) => text.trim() || undefined,
    () => undefined,
  );
  return bootId;
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

function isHolder(value: unknown): value is Holder {
  const holder = value as Holder;
  return typeof value === 'object' && value !== null && Number.isSafeInteger(holder.pid) && holder.pid > 0 && typeof holder.host === 'string' && typeof holder.since === 'string';
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

async function inspect(path: string): Promise<Found | 'changed'> {
  let names: string[];
  try {
    names = await readdir(path);
  } catch (error) {
    if (code(error) === 'ENOENT') return 'changed';
    if (code(error) === 'ENOTDIR') return { state: 'unreadable', detail: 'it is a file, not a lock directory' };
    throw error;
  }
  if (names.length === 0) return { state: 'free' };
  const [file] = names;
  if (names.length > 1 || !file!.startsWith(holderPrefix)) return { state: 'unreadable', detail: `it holds ${names.join(', ')}, not one holder file` };
  let text: string;
  try {
    text = await readFile(join(path, file!), 'utf8');
  } catch (error) {
    if (code(error) === 'ENOENT') return 'changed';
    throw error;
  }
  let holder: unknown;
  try {
    holder = JSON.parse(text);
  } catch {
    holder = undefined;
  }
  return isHolder(holder) ? { state: 'held', holder, file: file! } : { state: 'unreadable', detail: `its holder file ${file} does not name a process` };
}

function stale(holder: Holder, me: Holder): boolean {
  if (holder.host !== me.host) return false;
  if (holder.boot !== undefined && me.boot !== undefined && holder.boot !== me.boot) return true;
  return !alive(holder.pid);
}

function lockedError(what: string, path: string, found: Found | undefined, me: Holder): DurableRunError {
  if (found?.state === 'held') {
    const { pid, host, since } = found.holder;
    const after = host === me.host ? 'it is free again once that process ends' : `locks of another host are never taken over: if that process is gone, delete ${path}`;
    return new DurableRunError('LOCKED', `${what} is held by pid ${pid} on ${host} since ${since}; ${after}`);
  }
  if (found?.state === 'unreadable') return new DurableRunError('LOCKED', `${what} is locked, but its lock ${path} names no process (${found.detail}); if no process uses it, delete ${path}`);
  return new DurableRunError('LOCKED', `${what} is wanted by other processes at this moment (its lock ${path} changed ${attempts} times while this one tried to take it)`);
}

/**
 * Takes the lock at `path` (a directory), or throws DurableRunError `LOCKED` naming the process
 * that holds it. A lock left by a process that died on this host is taken over. Resolves with
 * the function that releases it.
 *
 * @example
 * const release = await acquireFileLock('runs/run-42.lock', 'run run-42');
 * try { … } finally { await release(); }
 */
export async function acquireFileLock(path: string, what: string): Promise<() => Promise<void>> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const boot = await currentBoot();
  const me: Holder = { pid: process.pid, host: hostname(), ...(boot !== undefined ? { boot } : {}), since: new Date().toISOString() };
  const mine = `${holderPrefix}${randomUUID()}.json`;
  // The whole lock, assembled under a private name, so that it appears at `path` whole or not at all.
  const staging = join(folder, `.${basename(path)}.${randomUUID()}`);
  await mkdir(staging);
  try {
    const handle = await open(join(staging, mine), 'wx');
    try {
      await writeFully(handle, Buffer.from(JSON.stringify(me), 'utf8'));
      await handle.sync();
    } finally {
      await handle.close();
    }
    let found: Found | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        await rename(staging, path);
        return () => release(path, mine);
      } catch (error) {
        // ENOTEMPTY / EEXIST: a lock is there; ENOTDIR: a file is there.
        if (!['ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(code(error) ?? '')) throw error;
      }
      const seen = await inspect(path);
      if (seen === 'changed') continue;
      found = seen;
      if (found.state === 'free') continue;
      if (found.state === 'unreadable' || !stale(found.holder, me)) throw lockedError(what, path, found, me);
      // Only the taker whose rename moves this very holder file out removes the stale lock.
      const removed = join(folder, `.${basename(path)}.${randomUUID()}.stale`);
      try {
        await rename(join(path, found.file), removed);
      } catch (error) {
        if (code(error) !== 'ENOENT') throw error;
        continue;
      }
      await unlink(removed).catch(() => undefined);
    }
    throw lockedError(what, path, found, me);
  } finally {
    // Still here unless it became the lock.
    await rm(staging, { recursive: true, force: true });
  }
}

async function release(path: string, mine: string): Promise<void> {
  // The holder file's name is this lock's own: removing it can only release this lock.
  await unlink(join(path, mine)).catch(() => undefined);
  // The empty directory is free already; removing it is tidiness, and fails harmlessly when
  // another process has just taken the lock.
  await rmdir(path).catch(() => undefined);
}
