// Feeding a replay from a file or a stream: readline over the bytes, one line decided as it
// arrives, so the transcript is never held in memory.
import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Policy } from '../policy.js';
import { createReplay, type ReplayOptions, type ReplayReport } from './replay.js';

/**
 * How far a replay has got; reported about once a second while it runs.
 *
 * @example
 * await replayFile(policy, 'runs.jsonl', { onProgress: (p: ReplayProgress) => console.error(p.lines, p.bytesRead, p.totalBytes) });
 */
export interface ReplayProgress {
  lines: number;
  turns: number;
  /** Bytes read so far, and the file's size: known for files, not for other streams. */
  bytesRead?: number;
  totalBytes?: number;
  elapsedMs: number;
}

/**
 * A replay's options, and how it reports progress.
 *
 * @example
 * await replayStream(policy, process.stdin, { against: oldPolicy, onProgress: (p) => console.error(p.lines), progressIntervalMs: 5000 });
 */
export interface ReplayStreamOptions extends ReplayOptions {
  onProgress?: (progress: ReplayProgress) => void;
  /** How often `onProgress` is called; 1000 ms by default. */
  progressIntervalMs?: number;
}

/**
 * Replays a stream of JSON lines (stdin, a decompressing stream, a socket).
 *
 * @example
 * const report = await replayStream(policy, process.stdin);
 */
export async function replayStream(policy: Policy, input: Readable, options: ReplayStreamOptions & { totalBytes?: number } = {}): Promise<ReplayReport> {
  const replay = createReplay(policy, options);
  const started = performance.now();
  const lines = createInterface({ input, crlfDelay: Infinity });
  const { onProgress } = options;
  const timer = onProgress
    ? setInterval(() => {
        const { lines: read, turns } = replay.report();
        const bytesRead = (input as Partial<ReadStream>).bytesRead;
        onProgress({
          lines: read,
          turns,
          ...(bytesRead !== undefined ? { bytesRead } : {}),
          ...(options.totalBytes !== undefined ? { totalBytes: options.totalBytes } : {}),
          elapsedMs: performance.now() - started,
        });
      }, options.progressIntervalMs ?? 1000)
    : undefined;
  timer?.unref();
  try {
    await new Promise<void>((resolve, reject) => {
      input.once('error', reject);
      lines.once('close', resolve);
      lines.on('line', (text) => {
        try {
          replay.line(text);
        } catch (error) {
          reject(error);
          lines.close();
        }
      });
    });
  } finally {
    clearInterval(timer);
    lines.close();
    input.destroy();
  }
  return replay.report();
}

/**
 * Replays a transcript file of JSON lines, streaming it: memory stays bounded on files of
 * millions of lines.
 *
 * @example
 * const report = await replayFile(await loadPolicyFile('new.policy'), 'runs.jsonl', { against: await loadPolicyFile('old.policy') });
 * console.log(formatReplayReport(report));
 */
export async function replayFile(policy: Policy, path: string, options: ReplayStreamOptions = {}): Promise<ReplayReport> {
  const info = await stat(path);
  if (info.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
  return replayStream(policy, createReadStream(path), { ...options, totalBytes: info.size });
}
