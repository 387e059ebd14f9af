// Errors of durable runs: data with a code, as every Handrail error.
import { HandrailError } from '@handrail/policy';

/**
 * Why a durable run could not go on.
 *
 * @example
 * if (error instanceof DurableRunError && error.code === 'LOCKED') console.error('another process runs it');
 */
export type DurableRunErrorCode =
  /** Another live process holds the run (or the audit log). */
  | 'LOCKED'
  /** `restore` of a run the store does not hold. */
  | 'RUN_NOT_FOUND'
  /** The run finished: its journal replays, but nothing new can happen in it. */
  | 'RUN_FINISHED'
  /** The code asked for a different step than the journal holds at that point: it changed since the run was recorded, or is not deterministic. */
  | 'REPLAY_DIVERGED'
  /** Two steps of one run with the same key. */
  | 'DUPLICATE_STEP'
  /** A step began before a crash and its outcome is unknown; `onInterruptedStep` said not to go on. */
  | 'STEP_INTERRUPTED'
  /** The journal is not one this version reads, or its records are out of order. */
  | 'JOURNAL_INVALID'
  /** A paused state a framework holds was resumed already (or is being resumed by another process): it runs once. */
  | 'ALREADY_RESUMED';

/**
 * A durable run could not go on; `code` says why and `step` names the step when there is one.
 *
 * @example
 * try { await run.step('charge-card', charge); }
 * catch (error) { if (error instanceof DurableRunError && error.code === 'STEP_INTERRUPTED') alertOperator(error.step); }
 */
export class DurableRunError extends HandrailError {
  declare readonly code: DurableRunErrorCode;
  readonly step: string | undefined;

  constructor(code: DurableRunErrorCode, message: string, options: { step?: string; cause?: unknown } = {}) {
    super(code, message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.step = options.step;
  }
}
