// The writer's side of a log's key and anchor files. The key is made once, readable by its owner
// only; the anchor is replaced whole (a new file renamed over the old, both fsync'ed), so a crash
// leaves either the old anchor or the new one, never a torn one.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { auditAnchor, auditAnchorLine, readAuditKeyFile } from '@handrail/policy';
import { syncDirectory } from '../durable/json-lines-file.js';

/**
 * Writes a new random key to `path` (mode 0600); when another process made it first, reads
 * theirs. The key is written whole to a file of its own, then linked into place, so a crash
 * never leaves a half-written key at `path`.
 */
export async function createAuditKey(path: string): Promise<Uint8Array> {
  await mkdir(dirname(path), { recursive: true });
  const key = randomBytes(32);
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.write(`${key.toString('hex')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const theirs = await readAuditKeyFile(path);
    if (theirs) return theirs;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  await syncDirectory(dirname(path));
  return key;
}

/** Replaces the anchor at `path` with one for record `seq` of hash `hash`; on disk when it resolves. */
export async function writeAuditAnchor(path: string, key: Uint8Array, seq: number, hash: string): Promise<void> {
  // One writer per log (it holds the log's lock), so the temporary name is its own.
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.write(auditAnchorLine(auditAnchor(key, seq, hash)));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncDirectory(dirname(path));
}
