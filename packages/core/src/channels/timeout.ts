// Every channel gets a time limit the same way: the question is withdrawn (its signal aborts)
// and the answer is `timeout`, which the runtime maps to the escalation's `onNoInput`.
import { ConfigurationError, delayProblem, startDeadline } from '@handrail/policy';
import { timeoutAnswer } from './answers.js';
import type { ApprovalAnswer, ApprovalChannel, ApprovalRequest } from './approval.js';

/** Options of one question with a time limit. */
export interface AskOptions {
  /** Milliseconds to wait (any finite number ≥ 0); no limit when omitted. */
  timeoutMs?: number;
  /** Aborting it withdraws the question at once, with a `timeout` answer. */
  signal?: AbortSignal;
}

/**
 * Asks through `channel` and waits at most `timeoutMs` (any finite number ≥ 0: 30 days wait 30
 * days); then the channel's signal aborts and the answer is `{ kind: 'timeout' }`. An answer the
 * channel gives once the time is up is ignored. A channel that fails rejects the promise; so does
 * a `timeoutMs` that is no finite number ≥ 0, before anyone is asked.
 *
 * @example
 * const answer = await askWithTimeout(slack, request, { timeoutMs: 10 * 60_000 });
 * if (answer.kind === 'timeout') console.log('nobody answered; the policy says', request.decision.onNoInput);
 */
export function askWithTimeout(channel: ApprovalChannel, request: ApprovalRequest, options: AskOptions = {}): Promise<ApprovalAnswer> {
  const { timeoutMs, signal } = options;
  if (signal?.aborted) return Promise.resolve(timeoutAnswer());
  const controller = new AbortController();
  return new Promise<ApprovalAnswer>((resolve, reject) => {
    let settled = false;
    let cancel: () => void = () => undefined;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      cancel();
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    // Settled before the abort, so that an answer the abort provokes comes too late.
    const expire = () =>
      finish(() => {
        controller.abort();
        resolve(timeoutAnswer());
      });
    const onAbort = () => expire();
    // A time limit nobody can state throws here (the promise rejects), before the question is put.
    if (timeoutMs !== undefined) cancel = startDeadline(timeoutMs, expire);
    signal?.addEventListener('abort', onAbort, { once: true });
    let asked: Promise<ApprovalAnswer>;
    try {
      asked = Promise.resolve(channel.ask(request, { signal: controller.signal }));
    } catch (error) {
      asked = Promise.reject(error);
    }
    asked.then(
      (answer) => finish(() => resolve(answer)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/**
 * The channel with a time limit on every question (the policy's `timeout`, when it names one, is
 * applied by the runtime on top). A `timeoutMs` that is no finite number ≥ 0 is a
 * ConfigurationError here, at once.
 *
 * @example
 * const user = new UserProxyAgent('user', { approvalChannel: withTimeout(webhook, 5 * 60_000) });
 */
export function withTimeout(channel: ApprovalChannel, timeoutMs: number): ApprovalChannel {
  const problem = delayProblem(timeoutMs);
  if (problem !== undefined) throw new ConfigurationError(`withTimeout(${channel.name}): ${problem}`);
  return {
    name: channel.name,
    ask: (request, { signal }) => askWithTimeout(channel, request, { timeoutMs, signal }),
  };
}
