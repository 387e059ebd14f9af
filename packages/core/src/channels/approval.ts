// What a person is asked when a policy escalates, and what they can answer. Plain JSON: a
// request is stored, signed, posted, rendered and resumed; an answer travels back the same way.
import type { OnNoInput } from '@handrail/policy';

/** One tool call as a person sees it: `args` parsed from JSON when it parses, else the raw text. */
export interface ApprovalTool {
  name: string;
  args: unknown;
  callId?: string;
}

/**
 * One question to a person: the turn that escalated, the rule and reason, and what no answer
 * means.
 *
 * @example
 * const request: ApprovalRequest = {
 *   id: randomUUID(), runId: 'run-42', createdAt: new Date().toISOString(),
 *   prompt: 'Approve the refund of 250 EUR?', tool: { name: 'refund', args: { amount: 250 } },
 *   decision: { rule: 'large', reason: 'large payment', onNoInput: 'stop', policy: { name: 'payments', hash: 'sha256:…' } },
 * };
 */
export interface ApprovalRequest {
  /** Unique and unguessable (a random UUID); answers refer to it. */
  id: string;
  /** The run waiting for the answer. */
  runId: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601; after it the escalation's `onNoInput` applies. */
  expiresAt?: string;
  /** The agent asking, and the sender whose message is being answered. */
  agent?: string;
  sender?: string;
  /** The question as shown to the person (placeholders already filled). */
  prompt: string;
  message?: { role: string; content: string | null; name?: string };
  /** The message's (first) tool call: the one an `edit` answer changes unless it names another. */
  tool?: ApprovalTool;
  /** Every tool call of the message, when it has more than one (`tool` is the first). */
  tools?: ApprovalTool[];
  decision: {
    rule: string | null;
    reason: string;
    onNoInput: OnNoInput;
    policy: { name: string; version?: string; hash: string };
    channel?: string;
    timeoutMs?: number;
    /** What a `reject` will do: refuse this step and tell the model, or end the run. */
    onReject?: 'refuse' | 'end';
  };
}

/**
 * What a person answered, or that nobody did in time. `by` names who answered, `channel` where
 * (a ladder sets it to the rung that got the answer).
 *
 * - `approve`: go on; a tool call runs as proposed.
 * - `reject`: refuse the step; `decision.onReject` says whether the run then ends (see docs/supervisor.md).
 * - `reply`: the text is the person's reply to the sender.
 * - `edit`: run the tool call (`callId`, else the request's `tool`) with these arguments.
 * - `timeout`: nobody answered; the escalation's `onNoInput` applies.
 */
export type ApprovalAnswer =
  | { kind: 'approve'; by?: string; at: string; channel?: string }
  | { kind: 'reject'; message?: string; by?: string; at: string; channel?: string }
  | { kind: 'reply'; text: string; by?: string; at: string; channel?: string }
  | { kind: 'edit'; args: unknown; callId?: string; by?: string; at: string; channel?: string }
  | { kind: 'timeout'; at: string; channel?: string };

/**
 * A way to reach a person: console, callback, webhook, chat message, web page.
 * `ask` resolves with the answer; when `signal` aborts (the time is up) it should stop waiting.
 *
 * @example
 * const channel: ApprovalChannel = {
 *   name: 'auto',
 *   ask: async (request) => ({ kind: 'approve', by: 'robot', at: new Date().toISOString() }),
 * };
 */
export interface ApprovalChannel {
  readonly name: string;
  ask(request: ApprovalRequest, options: { signal: AbortSignal }): Promise<ApprovalAnswer>;
  /**
   * Delivers the question without waiting for its answer, for a loop that suspends
   * (`wait: 'suspend'`): resolves once the question has reached the person's side, throws when it
   * could not. The answer comes back later to the channel's endpoint, in whatever process serves
   * it with the run's store, and waits in the store for `resume`. Channels that can only wait
   * (console, callback, scripted, a ladder) have no `send`.
   */
  send?(request: ApprovalRequest, options?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * What a reject will do, in one line a person reads before answering: the request's
 * `decision.onReject`, for a tool call or a message.
 *
 * @example
 * rejectEffect(request); // 'Reject refuses this call and tells the model; the run goes on.'
 */
export function rejectEffect(request: ApprovalRequest): string {
  const { onReject } = request.decision;
  if (onReject === 'end') return 'Reject ends the run.';
  if (onReject === 'refuse') return `Reject refuses this ${request.tool ? 'call' : 'message'} and tells the model; the run goes on.`;
  return 'Reject: the asking loop did not say what it does.';
}
