// An escalation ladder: ask here for a while, then there, then give up and let the policy's
// `onNoInput` decide. The ladder is itself a channel, so agents and other ladders take it as is.
import { ConfigurationError, delayProblem } from '@handrail/policy';
import { timeoutAnswer } from './answers.js';
import type { ApprovalAnswer, ApprovalChannel, ApprovalRequest } from './approval.js';
import { askWithTimeout } from './timeout.js';

/** One rung: a channel, and how long (ms) to wait there before the next rung. */
export interface LadderStep {
  channel: ApprovalChannel;
  /** Milliseconds; the last rung may leave it out to wait until the question's own limit. */
  for?: number;
}

/** What happened on a rung, for logs and tests. */
export type LadderEvent =
  | { type: 'rung-asked'; step: number; channel: string; request: ApprovalRequest }
  | { type: 'rung-expired'; step: number; channel: string; request: ApprovalRequest }
  | { type: 'rung-failed'; step: number; channel: string; request: ApprovalRequest; error: unknown };

export interface LadderOptions {
  /** The ladder's channel name (events and answers name the rung too); `ladder` by default. */
  name?: string;
  /** Observes each rung. */
  onStep?: (event: LadderEvent) => void;
}

/**
 * A channel that asks each rung in turn: the first answer wins (marked with the rung's channel);
 * when a rung's time is up or it fails, the next rung is asked; after the last, the answer is
 * `timeout`. Every rung sees the same request id, with `expiresAt` set to the end of its time.
 * When every rung failed, the ladder fails with the last error.
 *
 * @example
 * const approvals = ladder([
 *   { channel: slack, for: 10 * 60_000 },
 *   { channel: pager, for: 30 * 60_000 },
 * ]);
 * const user = new UserProxyAgent('user', { approvalChannel: approvals });
 */
export function ladder(steps: readonly LadderStep[], options: LadderOptions = {}): ApprovalChannel {
  if (!steps.length) throw new ConfigurationError('a ladder needs at least one rung');
  steps.forEach((step, index) => {
    if (!step?.channel || typeof step.channel.ask !== 'function') throw new ConfigurationError(`rung ${index + 1} of the ladder has no channel`);
    if (step.for === undefined && index < steps.length - 1) throw new ConfigurationError(`rung ${index + 1} (${step.channel.name}) waits forever, so the rungs after it are never asked: give it a "for"`);
    const problem = step.for === undefined ? undefined : delayProblem(step.for);
    if (problem !== undefined) throw new ConfigurationError(`rung ${index + 1} (${step.channel.name}): "for": ${problem}`);
  });
  const rungs = [...steps];
  return {
    name: options.name ?? 'ladder',
    async ask(request, { signal }): Promise<ApprovalAnswer> {
      let lastError: unknown;
      let failures = 0;
      for (const [index, step] of rungs.entries()) {
        if (signal.aborted) return timeoutAnswer();
        const channel = step.channel.name;
        const until = step.for === undefined ? undefined : new Date(Date.now() + step.for);
        const asked = until && (!request.expiresAt || until < new Date(request.expiresAt)) ? { ...request, expiresAt: until.toISOString() } : request;
        options.onStep?.({ type: 'rung-asked', step: index, channel, request: asked });
        let answer: ApprovalAnswer;
        try {
          answer = await askWithTimeout(step.channel, asked, { ...(step.for !== undefined ? { timeoutMs: step.for } : {}), signal });
        } catch (error) {
          failures++;
          lastError = error;
          options.onStep?.({ type: 'rung-failed', step: index, channel, request: asked, error });
          continue;
        }
        if (answer.kind !== 'timeout') return { ...answer, channel: answer.channel ?? channel };
        if (!signal.aborted) options.onStep?.({ type: 'rung-expired', step: index, channel, request: asked });
      }
      if (failures === rungs.length) throw lastError;
      return timeoutAnswer();
    },
  };
}
