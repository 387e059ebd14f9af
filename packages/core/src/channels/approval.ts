// What a person is asked when a policy escalates, and what they can answer. Plain JSON: a
// request is stored, signed, posted, rendered and resumed; an answer travels back the same way.
import type { OnNoInput } from '@handrail/policy';

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
  tool?: { name: string; args: unknown; callId?: string };
  decision: {
    rule: string | null;
    reason: string;
    onNoInput: OnNoInput;
    policy: { name: string; version?: string; hash: string };
    channel?: string;
    timeoutMs?: number;
  };
}

/** What a person answered, or that nobody did in time. */
export type ApprovalAnswer =
  | { kind: 'approve'; by?: string; at: string }
  | { kind: 'reject'; message?: string; by?: string; at: string }
  | { kind: 'reply'; text: string; by?: string; at: string }
  | { kind: 'edit'; args: unknown; by?: string; at: string }
  | { kind: 'timeout'; at: string };

/**
 * A way to reach a person: console, callback, webhook, chat message, web page.
 * `ask` resolves with the answer; when `signal` aborts (the time is up) it should stop waiting.
 */
export interface ApprovalChannel {
  readonly name: string;
  ask(request: ApprovalRequest, options: { signal: AbortSignal }): Promise<ApprovalAnswer>;
}
