// What a replay of a stream or file is told, and what it reports as it goes.
import type { ReplayOptions } from './replay.js';

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
  /**
   * Threads that decide, for `replayFile`: by default one per core (up to 4) for a file over
   * 8 MiB on a machine of two cores or more, else none (this thread decides); `1` keeps it in
   * this thread; no more workers than cores are started. A policy that reads `history` is
   * always replayed in this thread (its runs are followed line by line). The report is the same
   * either way.
   */
  workers?: number;
}

/**
 * Calls `options.onProgress` every `progressIntervalMs` with what `read` reports; returns what
 * stops it. Does nothing without `onProgress`.
 */
export function reportProgress(options: ReplayStreamOptions & { totalBytes?: number }, read: () => { lines: number; turns: number; bytesRead?: number | undefined }): () => void {
  const { onProgress } = options;
  if (!onProgress) return () => undefined;
  const started = performance.now();
  const timer = setInterval(() => {
    const { lines, turns, bytesRead } = read();
    onProgress({
      lines,
      turns,
      ...(bytesRead !== undefined ? { bytesRead } : {}),
      ...(options.totalBytes !== undefined ? { totalBytes: options.totalBytes } : {}),
      elapsedMs: performance.now() - started,
    });
  }, options.progressIntervalMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}
