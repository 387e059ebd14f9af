// Every channel gets a time limit the same way: the question is withdrawn (its signal aborts)
// and the answer is `timeout`, which the runtime maps to the escalation's `onNoInput`.
import { timeoutAnswer } from './answers.js';
import type { ApprovalAnswer, ApprovalChannel, ApprovalRequest } from './approval.js';

/** Options of one question with a time limit. */
export interface AskOptions {
  /** Milliseconds to wait; no limit when omitted. */
  timeoutMs?: number;
  /** Aborting it withdraws the question at once, with a `timeout` answer. */
  signal?: AbortSignal;
}

/**
 * Asks through `channel` and waits at most `timeoutMs`; then the channel's signal aborts and the
 * answer is `{ kind: 'timeout' }`. A channel that fails rejects the promise.
 *
 * @example
 * const answer = await askWithTimeout(slack, request, { timeoutMs: 10 * 60_000 });
 * if (answer.kind === 'timeout') console.log('nobody answered; the policy says', request.decision.onNoInput);
 */
export function askWithTimeout(channel: ApprovalChannel, request: ApprovalRequest, options: AskOptions = {}): Promise<ApprovalAnswer> {
  const { timeoutMs, signal } = options;
  if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs < 0)) throw new RangeError(`timeoutMs must be a number ≥ 0, not ${timeoutMs}`);
  const controller = new AbortController();
  if (signal?.aborted) return Promise.resolve(timeoutAnswer());
  return new Promise<ApprovalAnswer>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const expire = () =>
      finish(() => {
        controller.abort();
        resolve(timeoutAnswer());
      });
    const onAbort = () => expire();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) timer = setTimeout(expire, timeoutMs);
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
 * applied by the runtime on top).
 *
 * @example
 * const user = new UserProxyAgent('user', { approvalChannel: withTimeout(webhook, 5 * 60_000) });
 */
export function withTimeout(channel: ApprovalChannel, timeoutMs: number): ApprovalChannel {
  return {
    name: channel.name,
    ask: (request, { signal }) => askWithTimeout(channel, request, { timeoutMs, signal }),
  };
}
