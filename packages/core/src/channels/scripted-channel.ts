// Scripted approvers for tests and offline demos: answers given in advance, every request kept.
import { startDeadline } from '@handrail/policy';
import { completeAnswer, timeoutAnswer, type ApprovalAnswerInput } from './answers.js';
import type { ApprovalAnswer, ApprovalChannel, ApprovalRequest } from './approval.js';

/**
 * One scripted answer: an answer; an answer after a delay; silence (only a timeout ends the
 * question); or a function of the request.
 */
export type ScriptedApproval =
  | ApprovalAnswerInput
  | { answer: ApprovalAnswerInput; delayMs: number }
  | { silence: true }
  | ((request: ApprovalRequest) => ApprovalAnswerInput);

export interface ScriptedChannelOptions {
  /** The channel's name; `scripted` by default. */
  name?: string;
  /** The answer once the script is used up; by default a question then fails. */
  whenDone?: ScriptedApproval;
}

/**
 * A channel that answers from a list, in order, and records every request it was asked.
 *
 * @example
 * const approvals = new ScriptedChannel([{ kind: 'approve', by: 'ana' }, { kind: 'reject', message: 'too much' }]);
 * const user = new UserProxyAgent('user', { approvalChannel: approvals });
 * // … approvals.requests[0].tool → { name: 'refund', args: { amount: 250 } }
 */
export class ScriptedChannel implements ApprovalChannel {
  readonly name: string;
  /** Every request asked, in order. */
  readonly requests: ApprovalRequest[] = [];
  /** Every answer given, in order (timeouts included). */
  readonly answers: ApprovalAnswer[] = [];
  readonly #script: ScriptedApproval[];
  readonly #whenDone: ScriptedApproval | undefined;

  constructor(script: readonly ScriptedApproval[] = [], options: ScriptedChannelOptions = {}) {
    this.name = options.name ?? 'scripted';
    this.#script = [...script];
    this.#whenDone = options.whenDone;
  }

  /** Scripted answers not used yet. */
  get remaining(): number {
    return this.#script.length;
  }

  async ask(request: ApprovalRequest, { signal }: { signal: AbortSignal }): Promise<ApprovalAnswer> {
    this.requests.push(structuredClone(request));
    const next = this.#script.shift() ?? this.#whenDone;
    if (next === undefined) throw new Error(`ScriptedChannel ${this.name} has no answer left for the request ${JSON.stringify(request.prompt)}`);
    const answer = await this.#answer(next, request, signal);
    this.answers.push(answer);
    return answer;
  }

  async #answer(next: ScriptedApproval, request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer> {
    if (typeof next === 'function') return completeAnswer(next(request));
    if ('kind' in next) return completeAnswer(next);
    const delay = 'silence' in next ? undefined : next.delayMs;
    return new Promise<ApprovalAnswer>((resolve) => {
      if (signal.aborted) return resolve(timeoutAnswer());
      const cancel =
        delay === undefined
          ? () => undefined
          : startDeadline(delay, () => {
              signal.removeEventListener('abort', onAbort);
              resolve(completeAnswer((next as { answer: ApprovalAnswerInput }).answer));
            });
      const onAbort = () => {
        cancel();
        resolve(timeoutAnswer());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
