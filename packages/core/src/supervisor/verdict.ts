// What a loop may do with the step it asked about: plain data, the same for every loop.
import type { Decision, Turn } from '@handrail/policy';
import type { ApprovalAnswer, ApprovalRequest } from '../channels/approval.js';

/**
 * What a person's `reject` does: `refuse` refuses this step and tells the model (the loop goes
 * on), `end` ends the run.
 *
 * @example
 * const mode: RejectMode = 'end';
 */
export type RejectMode = 'refuse' | 'end';

/** The format a pending question names; a reader refuses others. */
export const pendingQuestionFormat = 'handrail.pending/1';

/**
 * A question a suspended step waits on, as plain JSON: store it anywhere, send it anywhere, and
 * give it to `resume` (or restore the run and run the loop again) once the answer is there.
 *
 * @example
 * const text = JSON.stringify(verdict.pending); // { format: 'handrail.pending/1', runId, key, request, turn }
 */
export interface PendingQuestion {
  format: typeof pendingQuestionFormat;
  runId: string;
  /** The question's key in the run's journal. */
  key: string;
  request: ApprovalRequest;
  /** The escalation that asked. */
  decision: Extract<Decision, { action: 'escalate' }>;
  /** The turn that was decided (with its counters), as JSON. */
  turn: Turn;
}

/**
 * What the loop may do.
 *
 * - `proceed`: run the tool call (with `args` when a person's edit passed the policy; `callId`
 *   names the edited call when the edit did) or send the message. `enforced: false` in shadow mode.
 * - `reply`: do not act; give `text` to the model (the call's result, or the person's word).
 * - `reject`: a person refused the step: do not act; give `toModel` to the model and go on.
 * - `stop`: end the run with `reason`.
 * - `suspended`: a person was asked and the loop waits (`wait: 'suspend'`): `pending` says on what.
 *
 * @example
 * const verdict = await supervisor.check(turn);
 * if (verdict.kind === 'proceed') await refund(verdict.args ?? args);
 */
export type Verdict =
  | { kind: 'proceed'; decision: Decision; enforced: boolean; answer?: ApprovalAnswer; args?: unknown; callId?: string }
  | { kind: 'reply'; decision: Decision; text: string; answer: ApprovalAnswer }
  | { kind: 'reject'; decision: Decision; message: string; toModel: string; answer: ApprovalAnswer }
  | { kind: 'stop'; decision: Decision; reason: string; answer?: ApprovalAnswer }
  | { kind: 'suspended'; decision: Decision; pending: PendingQuestion };

/**
 * A verdict of a supervisor that waits in process: never `suspended`.
 *
 * @example
 * const verdict: SettledVerdict = await createSupervisor({ policy, channel }).check(turn);
 */
export type SettledVerdict = Exclude<Verdict, { kind: 'suspended' }>;
