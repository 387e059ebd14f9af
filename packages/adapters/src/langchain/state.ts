// What the middleware keeps in the agent's state, so that it is checkpointed with the thread:
// the verdict of each tool call of the last model message (decided once, in afterModel), the
// question a final message waits on, and the stop that ends the run. Nothing is decided again
// on resume: the question comes back from the checkpoint, in whatever process resumes it.
import { ReducedValue, StateSchema } from '@langchain/langgraph';
import { z } from 'zod/v4';
import type { PendingQuestion } from '@handrail/core';

/** A tool call the policy let through, or one that waits on a person's answer. */
export type CallRecord = { kind: 'proceed'; name: string; args: unknown } | { kind: 'suspended'; name: string; args: unknown; pending: PendingQuestion };

/**
 * How a run was stopped: the reason, and the rule that stopped it.
 *
 * @example
 * if (result.handrail?.stop) console.error(`stopped: ${result.handrail.stop.reason}`);
 */
export interface StopRecord {
  reason: string;
  rule: string | null;
}

/**
 * The middleware's part of the agent state (`result.handrail`).
 *
 * @example
 * const result = await agent.invoke({ messages }, config);
 * const stop = result.handrail?.stop; // { reason: 'accounts are never deleted', rule: 'forbidden' }
 */
export interface HandrailState {
  /** Verdicts of the tool calls of the last model message, by tool call id. */
  calls: Record<string, CallRecord>;
  /** The question the last model message (without tool calls) waits on. */
  message: { messageId: string; pending: PendingQuestion } | null;
  /** Set when the policy, or a person's answer, stopped the run. */
  stop: StopRecord | null;
}

/**
 * An update of the middleware's state: `reset` starts from nothing (a new model message, a new
 * invocation); else it merges, and the first stop stays.
 *
 * @example
 * const update: HandrailUpdate = { reset: true, calls: {} };
 */
export type HandrailUpdate = Partial<HandrailState> & { reset?: boolean };

export const emptyHandrailState: HandrailState = { calls: {}, message: null, stop: null };

/** Parallel tool calls write in the same step: their updates merge, and the first stop stays. */
export function mergeHandrailState(current: HandrailState | undefined, update: HandrailUpdate | HandrailState | undefined): HandrailState {
  const base = current ?? emptyHandrailState;
  if (!update) return base;
  if ('reset' in update && update.reset) return { calls: update.calls ?? {}, message: update.message ?? null, stop: update.stop ?? null };
  return {
    calls: { ...base.calls, ...update.calls },
    message: update.message !== undefined ? update.message : base.message,
    stop: base.stop ?? update.stop ?? null,
  };
}

const handrailValue = z.custom<HandrailState>((value) => value === undefined || (typeof value === 'object' && value !== null));

export const handrailStateSchema = new StateSchema({
  handrail: new ReducedValue(handrailValue.optional(), { inputSchema: z.custom<HandrailUpdate>().optional(), reducer: (current, update) => mergeHandrailState(current, update) }),
});
