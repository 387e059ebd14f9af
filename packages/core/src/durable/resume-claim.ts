// A framework that keeps its own paused state (the Agents SDK's RunState, the AI SDK's message
// history) runs whatever state it is given, as often as it is given it. The store decides which
// resume of a question is the one: the first to finish a small run named after the question.
import { createHash } from 'node:crypto';
import { DurableRun } from './durable-run.js';
import { DurableRunError } from './durable-run-error.js';
import type { RunStore } from './run-store.js';

/** The run that records a question's resume (a hash: question ids may use the whole run-id length). */
function claimRunId(approvalId: string): string {
  return `resume-${createHash('sha256').update(approvalId).digest('hex').slice(0, 40)}`;
}

/**
 * Takes the one resume a question gets, across every process on the store: true for the first
 * caller; false when a resume took it before, or while another process is taking it. Take it
 * before the framework runs anything: a process that dies after taking it leaves the question
 * resumed and its calls not run (at most once, never twice).
 *
 * @example
 * if (!(await claimResume(store, pending.request.id))) throw new Error('this paused state was resumed already');
 */
export async function claimResume(store: RunStore, approvalId: string): Promise<boolean> {
  let claim: DurableRun;
  try {
    claim = await DurableRun.open(store, claimRunId(approvalId));
  } catch (error) {
    if (error instanceof DurableRunError && error.code === 'LOCKED') return false;
    throw error;
  }
  if (claim.status === 'finished') {
    await claim.close();
    return false;
  }
  await claim.finish({ resumed: approvalId });
  return true;
}
