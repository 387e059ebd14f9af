// Replaying a large transcript file on several threads: this thread reads the file and cuts it
// into parts of consecutive lines; workers (replay-worker.ts) decide each part with their own
// copy of the policies; the parts' reports are merged in file order, so the report is the one a
// single replay would make (mergeReplayPart). Deciding a turn costs about what reading it does,
// so one thread alone spends most of its time deciding.
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Policy } from '../policy.js';
import { reportProgress, type ReplayStreamOptions } from './stream-options.js';
import { lineSplitter } from './line-splitter.js';
import { createReplay, mergeReplayPart, type ReplayReport } from './replay.js';
import type { PartRequest, WorkerSetup } from './replay-worker.js';

/**
 * A part ends at this many lines or characters, whichever comes first: large enough that posting
 * a part costs little beside deciding it, small enough that long lines keep memory bounded.
 */
const linesPerPart = 2_000;
const charactersPerPart = 4 << 20;
/** Parts sent and not yet merged, per worker, before reading pauses (memory stays bounded). */
const partsInFlight = 3;

// The installed package's worker is JavaScript. From the TypeScript sources (a checkout), the
// worker is TypeScript too: it first registers the loader that runs them (tsx, a development
// dependency), which a worker does not inherit.
const here = import.meta.url;
const fromSources = here.endsWith('.ts');

function newWorker(setup: WorkerSetup): Worker {
  if (!fromSources) return new Worker(new URL('./replay-worker.js', here), { workerData: setup });
  // The API's ES module, beside the CommonJS file `require` resolves (whose own import of it is broken).
  const loader = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./replay-worker.ts', here).href;
  const bootstrap = `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: setup });
}

interface PartResult {
  id: number;
  report: ReplayReport;
  skippedOrder: string[];
}

/** Starts `count` workers; undefined when they cannot start here (the caller replays in this thread). */
async function startWorkers(count: number, setup: WorkerSetup): Promise<Worker[] | undefined> {
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < count; i++) workers.push(newWorker(setup));
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const stopped = () => reject(new Error('the worker stopped before it was ready'));
            // Only these listeners go: a worker listens to its own events to deliver messages.
            const done = (error?: unknown) => {
              worker.off('message', ready).off('error', done).off('exit', stopped);
              if (error === undefined) resolve();
              else reject(error);
            };
            const ready = () => done();
            worker.on('message', ready).on('error', done).on('exit', stopped);
          }),
      ),
    );
    return workers;
  } catch {
    await Promise.all(workers.map((worker) => worker.terminate()));
    return undefined;
  }
}

/**
 * `replayFile` on `workers` threads; undefined when workers cannot start (a custom fact's value
 * that cannot be copied to them, a runtime without them), and nothing was read.
 */
export async function replayFileInParallel(policy: Policy, path: string, workerCount: number, options: ReplayStreamOptions & { totalBytes?: number }): Promise<ReplayReport | undefined> {
  const { against, onProgress: _onProgress, progressIntervalMs: _interval, ...rest } = options;
  const { totalBytes: _totalBytes, ...replayOptions } = rest;
  const setup: WorkerSetup = {
    policy: { document: policy.document, ...(policy.file !== undefined ? { file: policy.file } : {}) },
    ...(against ? { against: { document: against.document, ...(against.file !== undefined ? { file: against.file } : {}) } } : {}),
    options: replayOptions,
  };
  // The merged report starts empty; creating it checks the options before any worker starts.
  const report = createReplay(policy, options).report();
  const workers = await startWorkers(workerCount, setup);
  if (!workers) return undefined;

  const input = createReadStream(path, { highWaterMark: 1 << 20, encoding: 'utf8' });
  const stopProgress = reportProgress(options, () => ({ lines: report.lines, turns: report.turns, bytesRead: input.bytesRead }));
  try {
    await new Promise<void>((resolve, reject) => {
      const inFlight = new Map<Worker, number>(workers.map((worker) => [worker, 0]));
      const finished = new Map<number, PartResult>();
      let sent = 0;
      let merged = 0;
      let nextLine = 1;
      let lines: string[] = [];
      let characters = 0;
      let ended = false;
      let failed = false;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        input.destroy();
        reject(error);
      };
      const send = () => {
        if (lines.length === 0) return;
        // The worker with the fewest parts in flight.
        let worker = workers[0]!;
        for (const each of workers) if (inFlight.get(each)! < inFlight.get(worker)!) worker = each;
        const request: PartRequest = { id: sent++, firstLine: nextLine, lines };
        nextLine += lines.length;
        lines = [];
        characters = 0;
        inFlight.set(worker, inFlight.get(worker)! + 1);
        worker.postMessage(request);
        if (sent - merged >= workers.length * partsInFlight) input.pause();
      };
      const splitter = lineSplitter((line) => {
        lines.push(line);
        characters += line.length;
        if (lines.length === linesPerPart || characters >= charactersPerPart) send();
      });
      for (const worker of workers) {
        worker.on('message', (result: PartResult) => {
          inFlight.set(worker, inFlight.get(worker)! - 1);
          finished.set(result.id, result);
          try {
            // Parts are merged in file order, whatever order they finish in.
            for (let part = finished.get(merged); part; part = finished.get(merged)) {
              finished.delete(merged++);
              mergeReplayPart(report, part.report, part.skippedOrder, options);
            }
          } catch (error) {
            fail(error);
            return;
          }
          if (ended && merged === sent) resolve();
          else if (!ended && input.isPaused() && sent - merged < workers.length * partsInFlight) input.resume();
        });
        worker.once('error', fail);
        worker.once('exit', (code) => fail(new Error(`a replay worker stopped (exit code ${code})`)));
      }
      input.on('data', (chunk) => {
        try {
          splitter.write(chunk as string);
        } catch (error) {
          fail(error);
        }
      });
      input.once('error', fail);
      input.once('end', () => {
        splitter.end();
        send();
        ended = true;
        if (merged === sent) resolve();
      });
    });
  } finally {
    stopProgress();
    input.destroy();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return report;
}
