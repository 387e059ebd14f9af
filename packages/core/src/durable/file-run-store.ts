// The embedded store: plain files in one directory, readable with `cat` and `jq`.
//   runs/<runId>.jsonl        the run's journal, appended and fsync'ed line by line
//   runs/<runId>.lock/        the process running it (a directory: see file-lock.ts)
//   approvals/<id>.json       a question a run waits on (written whole: temp file, fsync, rename)
//   answers/<id>.json         its answer (written whole, then linked into place: the first wins)
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApprovalAnswer, ApprovalRequest } from '../channels/approval.js';
import { acquireFileLock } from './file-lock.js';
import type { JournalRecord } from './journal-record.js';
import { JsonLinesFile, parseJsonLines, syncDirectory, writeFully } from './json-lines-file.js';
import type { AnswerOutcome } from '../channels/pending-approvals.js';
import type { RunJournal, RunStore, StoredAnswer } from './run-store.js';
import { checkId, isStorableId, laterAnswerOutcome } from './stored-answers.js';

/**
 * @example
 * const store = new FileRunStore('.handrail/runs', { pollIntervalMs: 500 });
 */
export interface FileRunStoreOptions {
  /** How often a waiting run looks for its answer, in milliseconds (100 by default). */
  pollIntervalMs?: number;
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes a whole file under a temporary name and fsyncs it; returns the temporary path. */
async function writeTemporary(directory: string, content: string): Promise<string> {
  const path = join(directory, `.${randomUUID()}.tmp`);
  const handle = await open(path, 'wx');
  try {
    await writeFully(handle, Buffer.from(content, 'utf8'));
    await handle.sync();
  } catch (error) {
    // A file that is not whole never gets its real name.
    await handle.close();
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return path;
}

/**
 * Durable runs in a local directory: the embedded default. One machine; many processes may
 * share the directory (each run is held by one process at a time).
 *
 * @example
 * const store = new FileRunStore('.handrail/runs');
 * const run = await DurableRun.open(store, 'refund-1042');
 */
export class FileRunStore implements RunStore {
  readonly directory: string;
  readonly #pollIntervalMs: number;
  readonly #answered = new Map<string, Set<() => void>>();

  constructor(directory: string, options: FileRunStoreOptions = {}) {
    this.directory = directory;
    this.#pollIntervalMs = options.pollIntervalMs ?? 100;
  }

  #path(folder: 'runs' | 'approvals' | 'answers', name: string): string {
    return join(this.directory, folder, name);
  }

  async openJournal(runId: string): Promise<RunJournal> {
    checkId('a run id', runId);
    await mkdir(join(this.directory, 'runs'), { recursive: true });
    const release = await acquireFileLock(this.#path('runs', `${runId}.lock`), `run ${runId}`);
    try {
      const { file, values } = await JsonLinesFile.open<JournalRecord>(this.#path('runs', `${runId}.jsonl`));
      return {
        runId,
        records: values,
        append: (record) => file.append(record),
        close: async () => {
          await file.close();
          await release();
        },
      };
    } catch (error) {
      await release();
      throw error;
    }
  }

  async readJournal(runId: string): Promise<JournalRecord[] | undefined> {
    checkId('a run id', runId);
    const path = this.#path('runs', `${runId}.jsonl`);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    // A torn last line (a crash, or a write in progress) is not a record yet.
    return parseJsonLines<JournalRecord>(path, text);
  }

  async putApproval(request: ApprovalRequest): Promise<void> {
    checkId('an approval id', request.id);
    const folder = join(this.directory, 'approvals');
    await mkdir(folder, { recursive: true });
    const temporary = await writeTemporary(folder, `${JSON.stringify(request)}\n`);
    await rename(temporary, this.#path('approvals', `${request.id}.json`));
    await syncDirectory(folder);
  }

  async getApproval(approvalId: string): Promise<{ request: ApprovalRequest; answer?: StoredAnswer } | undefined> {
    // Ids come from outside (a URL, a form): one that cannot name a file was never given out.
    if (!isStorableId(approvalId)) return undefined;
    const request = await readJson<ApprovalRequest>(this.#path('approvals', `${approvalId}.json`));
    if (!request) return undefined;
    const answer = await readJson<StoredAnswer>(this.#path('answers', `${approvalId}.json`));
    return answer ? { request, answer } : { request };
  }

  async listPendingApprovals(): Promise<ApprovalRequest[]> {
    let names: string[];
    try {
      names = await readdir(join(this.directory, 'approvals'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const pending: ApprovalRequest[] = [];
    for (const name of names) {
      if (name.startsWith('.') || !name.endsWith('.json')) continue;
      const found = await this.getApproval(name.slice(0, -'.json'.length));
      if (found && !found.answer) pending.push(found.request);
    }
    return pending.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  async submitAnswer(approvalId: string, answer: ApprovalAnswer, channel: string): Promise<AnswerOutcome> {
    const found = await this.getApproval(approvalId);
    if (!found) return { status: 'unknown' };
    if (found.answer) return laterAnswerOutcome(found.answer, answer, found.request);
    const folder = join(this.directory, 'answers');
    await mkdir(folder, { recursive: true });
    const stored: StoredAnswer = { approvalId, answer, channel };
    const temporary = await writeTemporary(folder, `${JSON.stringify(stored)}\n`);
    try {
      // link() fails when the name exists: of two answers at once, exactly one is linked.
      await link(temporary, this.#path('answers', `${approvalId}.json`));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const first = await readJson<StoredAnswer>(this.#path('answers', `${approvalId}.json`));
      return laterAnswerOutcome(first!, answer, found.request);
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
    await syncDirectory(folder);
    for (const wake of this.#answered.get(approvalId) ?? []) wake();
    return { status: 'answered', answer, request: found.request };
  }

  waitForAnswer(approvalId: string, signal: AbortSignal): Promise<StoredAnswer> {
    checkId('an approval id', approvalId);
    const path = this.#path('answers', `${approvalId}.json`);
    return new Promise<StoredAnswer>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const wakers = this.#answered.get(approvalId) ?? new Set<() => void>();
      this.#answered.set(approvalId, wakers);
      const finish = () => {
        done = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        wakers.delete(look);
        if (wakers.size === 0) this.#answered.delete(approvalId);
      };
      const onAbort = () => {
        finish();
        reject(signal.reason ?? new Error('aborted'));
      };
      const look = () => {
        if (done) return;
        clearTimeout(timer);
        readJson<StoredAnswer>(path).then(
          (answer) => {
            if (done) return;
            if (answer) {
              finish();
              resolve(answer);
            } else timer = setTimeout(look, this.#pollIntervalMs);
          },
          (error: unknown) => {
            if (done) return;
            finish();
            reject(error);
          },
        );
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      // An answer given through this store object wakes the waiter at once; others are polled.
      wakers.add(look);
      look();
    });
  }
}
