// A store in memory: for tests, and for chats that only keep an audit log. Nothing survives
// the process.
import type { ApprovalAnswer, ApprovalRequest } from '../channels/approval.js';
import { DurableRunError } from './durable-run-error.js';
import type { JournalRecord } from './journal-record.js';
import type { AnswerOutcome } from '../channels/pending-approvals.js';
import type { RunJournal, RunStore, StoredAnswer } from './run-store.js';
import { checkId, laterAnswerOutcome } from './stored-answers.js';

/**
 * Durable runs in memory, with the semantics of the file store (one holder per run, the first
 * answer wins) but not its durability.
 *
 * @example
 * const store = new MemoryRunStore();
 * const run = await DurableRun.open(store, 'test-run');
 */
export class MemoryRunStore implements RunStore {
  readonly #journals = new Map<string, JournalRecord[]>();
  readonly #held = new Set<string>();
  readonly #approvals = new Map<string, ApprovalRequest>();
  readonly #answers = new Map<string, StoredAnswer>();
  readonly #waiting = new Map<string, Set<(answer: StoredAnswer) => void>>();

  async openJournal(runId: string): Promise<RunJournal> {
    checkId('a run id', runId);
    if (this.#held.has(runId)) throw new DurableRunError('LOCKED', `run ${runId} is already open`);
    this.#held.add(runId);
    const records = this.#journals.get(runId) ?? [];
    this.#journals.set(runId, records);
    let open = true;
    return {
      runId,
      records: structuredClone(records),
      append: async (record) => {
        if (!open) throw new DurableRunError('LOCKED', `the journal of run ${runId} is closed`);
        records.push(structuredClone(record));
      },
      close: async () => {
        if (open) this.#held.delete(runId);
        open = false;
      },
    };
  }

  async readJournal(runId: string): Promise<JournalRecord[] | undefined> {
    const records = this.#journals.get(checkId('a run id', runId));
    return records && structuredClone(records);
  }

  async putApproval(request: ApprovalRequest): Promise<void> {
    this.#approvals.set(checkId('an approval id', request.id), structuredClone(request));
  }

  async getApproval(approvalId: string): Promise<{ request: ApprovalRequest; answer?: StoredAnswer } | undefined> {
    const request = this.#approvals.get(approvalId);
    if (!request) return undefined;
    const answer = this.#answers.get(approvalId);
    return structuredClone(answer ? { request, answer } : { request });
  }

  async listPendingApprovals(): Promise<ApprovalRequest[]> {
    return structuredClone([...this.#approvals.values()].filter((request) => !this.#answers.has(request.id))).sort((a, b) =>
      a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0,
    );
  }

  async submitAnswer(approvalId: string, answer: ApprovalAnswer, channel: string): Promise<AnswerOutcome> {
    const request = this.#approvals.get(approvalId);
    if (!request) return { status: 'unknown' };
    const first = this.#answers.get(approvalId);
    if (first) return laterAnswerOutcome(first, answer, structuredClone(request));
    const stored: StoredAnswer = structuredClone({ approvalId, answer, channel });
    this.#answers.set(approvalId, stored);
    for (const wake of this.#waiting.get(approvalId) ?? []) wake(structuredClone(stored));
    this.#waiting.delete(approvalId);
    return { status: 'answered', answer: structuredClone(answer), request: structuredClone(request) };
  }

  waitForAnswer(approvalId: string, signal: AbortSignal): Promise<StoredAnswer> {
    const stored = this.#answers.get(approvalId);
    if (stored) return Promise.resolve(structuredClone(stored));
    return new Promise<StoredAnswer>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason ?? new Error('aborted'));
      const waiters = this.#waiting.get(approvalId) ?? new Set();
      this.#waiting.set(approvalId, waiters);
      const wake = (answer: StoredAnswer) => {
        signal.removeEventListener('abort', onAbort);
        resolve(answer);
      };
      const onAbort = () => {
        waiters.delete(wake);
        reject(signal.reason ?? new Error('aborted'));
      };
      waiters.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
