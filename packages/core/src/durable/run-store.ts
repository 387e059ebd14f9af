// Where durable runs live: their journals, the questions they wait on, and the answers. An
// interface, so a shared store for many workers can replace the embedded file store.
import type { ApprovalAnswer, ApprovalRequest } from '../channels/approval.js';
import type { AnswerOutcome } from '../channels/pending-approvals.js';
import type { JournalRecord } from './journal-record.js';

/**
 * A run's journal, held by one process from `openJournal` until `close`.
 *
 * @example
 * const journal = await store.openJournal('run-42');
 * await journal.append(record); // durable when this resolves
 */
export interface RunJournal {
  readonly runId: string;
  /** The records already in the journal when it was opened. */
  readonly records: readonly JournalRecord[];
  /** Appends a record; resolves once it is durable. */
  append(record: JournalRecord): Promise<void>;
  /** Lets another process open the run. */
  close(): Promise<void>;
}

/**
 * An answer as stored: the first one given to a question, and the channel it came through.
 *
 * @example
 * const stored = (await store.getApproval(id))?.answer; // { approvalId, answer: { kind: 'approve', … }, channel: 'web' }
 */
export interface StoredAnswer {
  approvalId: string;
  answer: ApprovalAnswer;
  channel: string;
}

/**
 * Storage of durable runs. Journals are written by one process at a time; questions and answers
 * may be read and answered from any process that reaches the store.
 *
 * @example
 * const store: RunStore = new FileRunStore('.handrail/runs');
 */
export interface RunStore {
  /** Opens a run's journal for writing (creating an empty one); throws `LOCKED` while another live process holds it. */
  openJournal(runId: string): Promise<RunJournal>;
  /** A run's journal, read without taking it; undefined when there is no such run. */
  readJournal(runId: string): Promise<JournalRecord[] | undefined>;
  /** Records a question a run waits on, so that any process can find and answer it. Idempotent. */
  putApproval(request: ApprovalRequest): Promise<void>;
  /** A question, and its answer when it has one. */
  getApproval(approvalId: string): Promise<{ request: ApprovalRequest; answer?: StoredAnswer } | undefined>;
  /**
   * The questions no one has answered yet, of every run in the store (whichever process runs it,
   * or none), oldest first: what an approval server given the store lists.
   */
  listPendingApprovals(): Promise<ApprovalRequest[]>;
  /**
   * Gives a question its answer. The first answer stored wins, across processes: a later one is
   * `repeated` (the same) or a `conflict`; `unknown` when no run asked the question.
   */
  submitAnswer(approvalId: string, answer: ApprovalAnswer, channel: string): Promise<AnswerOutcome>;
  /** Resolves with the question's answer once there is one; rejects when `signal` aborts. */
  waitForAnswer(approvalId: string, signal: AbortSignal): Promise<StoredAnswer>;
}
