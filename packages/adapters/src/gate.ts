// A gate for hand-written agent loops: before the loop acts on a step (runs a tool call, sends an
// auto-reply), the gate asks the supervisor — the policy, a person when the policy escalates, the
// answer table, the journal and the audit record (docs/supervisor.md) — and says what the loop
// may do.
import { createSupervisor, type CheckOptions, type PendingQuestion, type ApprovalAnswer, type SettledVerdict, type SupervisorOptions, type Verdict } from '@handrail/core';
import type { Turn } from '@handrail/policy';

/**
 * What the loop may do with the step it asked about (the supervisor's verdict).
 *
 * @example
 * if (verdict.kind === 'reject') messages.push({ role: 'tool', tool_call_id: id, content: verdict.toModel });
 */
export type GateVerdict = SettledVerdict;

/**
 * The supervisor's options; `onReject` is `refuse` by default (the model is told, the loop goes on).
 *
 * @example
 * const options: GateOptions = { policy, channel: approvals, audit, onReject: { rules: { large: 'end' } } };
 */
export type GateOptions = Omit<SupervisorOptions, 'wait'> & { wait?: 'in-process' };

/**
 * A gate on a durable run that does not wait: an escalated step's verdict is `suspended`, with
 * the question as plain JSON (docs/supervisor.md).
 *
 * @example
 * const gate = createGate({ policy, run, wait: 'suspend' } satisfies SuspendingGateOptions);
 */
export type SuspendingGateOptions = Omit<SupervisorOptions, 'wait'> & { wait: 'suspend' };

/**
 * A policy gate for a loop of your own.
 *
 * @example
 * const gate = createGate({ policy, channel: approvals });
 * const verdict = await gate.check({ content: message.content, role: 'assistant', sender: 'planner', tool: { name, args } });
 * if (verdict.kind === 'proceed') await runTool(name, verdict.args ?? args);
 */
export interface Gate<V extends Verdict = GateVerdict> {
  /** The run its questions name. */
  readonly runId: string;
  /** Decides on one step; counts it as an auto-reply to its sender when it proceeds unasked. */
  check(turn: Turn, options?: CheckOptions): Promise<V>;
  /** The verdict for a suspended step from an answer you hold (see docs/supervisor.md). */
  resume(pending: PendingQuestion, answer: ApprovalAnswer): Promise<V>;
  /** Consecutive auto-replies so far to `sender`. */
  autoReplies(sender?: string): number;
  /** Starts the counters again, as a new chat does. */
  reset(): void;
}

/**
 * Creates a gate: a supervisor for a loop written by hand.
 *
 * @example
 * const gate = createGate({ policy, channel: slack, audit: await AuditLog.open('audit.jsonl') });
 */
export function createGate(options: SuspendingGateOptions): Gate<Verdict>;
export function createGate(options: GateOptions): Gate;
export function createGate(options: GateOptions | SuspendingGateOptions): Gate<Verdict> {
  return createSupervisor(options);
}
