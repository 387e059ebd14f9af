// A run's journal: every step of a run that has an effect, one record a line, in the order it
// happened. Restoring a run replays these records instead of doing the steps again.
import type { ApprovalAnswer, ApprovalRequest } from '../channels/approval.js';

/**
 * The format named by a journal's first record; a reader refuses others.
 *
 * @example
 * run.serialize().format === journalFormat; // 'handrail.journal/1'
 */
export const journalFormat = 'handrail.journal/1';

/**
 * A step's error as recorded: enough to throw the same error again on replay.
 *
 * @example
 * const recorded: RecordedError = { name: 'TypeError', message: 'card declined', code: 'DECLINED' };
 */
export interface RecordedError {
  name: string;
  message: string;
  code?: string;
}

/**
 * What kind of step: the caller's own, or one the bundled agents record.
 *
 * @example
 * await run.step('fetch-rate', fetchRate, { kind: 'step', idempotent: true });
 */
export type StepKind = 'step' | 'model' | 'tool' | 'code' | 'decision';

/**
 * One line of a journal. `seq` numbers the records from 1, `at` is when it was written.
 *
 * - `run-started`: the first record.
 * - `step-started`: written (and fsync'ed) before the step's function is called.
 * - `step-finished` / `step-failed`: its result (JSON), or the error it threw; written before
 *   the result is used. A `step-started` with neither after it was interrupted by a crash.
 * - `step-resolved`: what was decided about an interrupted step: run it again, or take a result.
 * - `approval-requested` / `approval-answered`: a question to a person, and the answer taken.
 * - `run-finished`: the run is over; `result` is what the host passed to `finish`.
 *
 * @example
 * const answered = run.serialize().records.filter((record) => record.type === 'approval-answered');
 */
export type JournalRecord = { seq: number; at: string } & (
  | { type: 'run-started'; runId: string; format: string }
  /** `input`: the sha256 of what the step was given, when the caller named it; a replay must give the same. */
  | { type: 'step-started'; key: string; kind: StepKind; input?: string }
  | { type: 'step-finished'; key: string; result?: unknown }
  | { type: 'step-failed'; key: string; error: RecordedError }
  | { type: 'step-resolved'; key: string; resolution: 'retry' | { result: unknown } }
  | { type: 'approval-requested'; key: string; request: ApprovalRequest }
  | { type: 'approval-answered'; key: string; approvalId: string; answer: ApprovalAnswer; channel: string }
  | { type: 'run-finished'; result?: unknown }
);

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A record before the run numbers and dates it.
 *
 * @example
 * const entry: JournalEntry = { type: 'step-started', key: 'charge-card', kind: 'step' };
 */
export type JournalEntry = DistributiveOmit<JournalRecord, 'seq' | 'at'>;

/**
 * A run as plain JSON: its id and its journal. What `run.serialize()` gives and
 * `DurableRun.restore` takes.
 *
 * @example
 * writeFileSync('run-42.json', JSON.stringify(run.serialize()));
 */
export interface SerializedRun {
  format: typeof journalFormat;
  runId: string;
  records: JournalRecord[];
}
