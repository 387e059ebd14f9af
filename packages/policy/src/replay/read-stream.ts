// Feeding a replay from a file or a stream: lines split from the text as it arrives, each decided
// at once, so the transcript is never held in memory.
import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
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
 * Splits text into lines as readline does with `crlfDelay: Infinity` (\n, \r\n or a lone \r
 * ends a line; a last line without a break counts), without an event per line: a replay spends
 * as long deciding a turn as reading it, and readline's events cost as much again.
 *
 * @example
 * const splitter = lineSplitter((line) => console.log(line));
 * splitter.write('a\r\nb'); splitter.end(); // a, b
 */
export function lineSplitter(onLine: (line: string) => void): { write(text: string): void; end(): void } {
  // The unfinished line, in the pieces it arrived in (joined once it ends), and whether the last
  // piece ended with \r, whose line is out already: a \n first in the next text belongs to it.
  let partial: string[] = [];
  let afterReturn = false;
  const lineBreak = /\r\n|\r|\n/g;
  const emit = (text: string, start: number, end: number) => {
    const tail = text.slice(start, end);
    if (partial.length === 0) onLine(tail);
    else {
      partial.push(tail);
      const line = partial.join('');
      partial = [];
      onLine(line);
    }
  };
  return {
    write(text) {
      if (text === '') return;
      let start = afterReturn && text.charCodeAt(0) === 10 ? 1 : 0;
      afterReturn = false;
      if (text.indexOf('\r', start) < 0) {
        for (let end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
          emit(text, start, end);
          start = end + 1;
        }
      } else {
        lineBreak.lastIndex = start;
        for (let found = lineBreak.exec(text); found; found = lineBreak.exec(text)) {
          emit(text, start, found.index);
          start = lineBreak.lastIndex;
          if (found[0] === '\r' && start === text.length) afterReturn = true;
        }
      }
      if (start < text.length) partial.push(text.slice(start));
    },
    end() {
      if (partial.length) emit('', 0, 0);
    },
  };
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
    clearInterval(timer);
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
  // Large reads: the next one starts only once a chunk's lines are decided, and with 64 KiB
  // chunks a fifth of the time went waiting for them.
  return replayStream(policy, createReadStream(path, { highWaterMark: 1 << 20 }), { ...options, totalBytes: info.size });
}
