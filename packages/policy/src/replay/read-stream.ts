// Feeding a replay from a file or a stream: lines split from the text as it arrives, each decided
// at once, so the transcript is never held in memory.
import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import type { Policy } from '../policy.js';
import { lineSplitter } from './line-splitter.js';
import { replayFileInParallel } from './parallel.js';
import { createReplay, followsRuns, type ReplayReport } from './replay.js';
import { reportProgress, type ReplayStreamOptions } from './stream-options.js';

export type { ReplayProgress, ReplayStreamOptions } from './stream-options.js';

/** Files smaller than this are replayed in this thread unless `workers` says otherwise: starting workers costs more. */
const parallelFromBytes = 8 << 20;

/**
 * Replays a stream of JSON lines (stdin, a decompressing stream, a socket).
 *
 * @example
 * const report = await replayStream(policy, process.stdin);
 */
export async function replayStream(policy: Policy, input: Readable, options: ReplayStreamOptions & { totalBytes?: number } = {}): Promise<ReplayReport> {
  const replay = createReplay(policy, options);
  const stopProgress = reportProgress(options, () => ({ ...replay.report(), bytesRead: (input as Partial<ReadStream>).bytesRead }));
  try {
    await new Promise<void>((resolve, reject) => {
      const lines = lineSplitter((text) => replay.line(text));
      const fail = (error: unknown) => {
        input.off('data', onData);
        reject(error);
      };
      const onData = (chunk: string) => {
        try {
          lines.write(chunk);
        } catch (error) {
          fail(error);
        }
      };
      input.setEncoding('utf8');
      input.once('error', fail);
      input.on('data', onData);
      input.once('end', () => {
        try {
          lines.end();
          resolve();
        } catch (error) {
          fail(error);
        }
      });
    });
  } finally {
    stopProgress();
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

  const workers = options.workers ?? (info.size >= parallelFromBytes ? Math.min(availableParallelism(), 4) : 1);
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a whole number of 1 or more, not ${String(workers)}`);
  // More workers than cores would only take turns.
  const threads = Math.min(workers, availableParallelism());
  if (threads > 1 && !followsRuns(policy, options.against)) {
    const report = await replayFileInParallel(policy, path, threads, { ...options, totalBytes: info.size });
    if (report) return report;
  }
  // Larger reads than the default: the next one starts only once a chunk's lines are decided,
  // and with 64 KiB chunks a fifth of the time went waiting for them.
  return replayStream(policy, createReadStream(path, { highWaterMark: 256 << 10 }), { ...options, totalBytes: info.size });
}
