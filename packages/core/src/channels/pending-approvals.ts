// The questions a channel has out, and the answers it recorded: the part every HTTP channel
// shares. The first answer to a question is the answer; later ones change nothing.
import { sameAnswer, timeoutAnswer } from './answers.js';
import type { ApprovalAnswer, ApprovalRequest } from './approval.js';

/**
 * What happened to an answer: `answered` (it is the answer), `repeated` (the same answer was
 * recorded before), `conflict` (a different answer was recorded before, or the question timed
 * out), `unknown` (no such question).
 */
export type AnswerOutcome =
  | { status: 'answered'; answer: ApprovalAnswer; request: ApprovalRequest }
  | { status: 'repeated'; answer: ApprovalAnswer; request: ApprovalRequest }
  | { status: 'conflict'; answer: ApprovalAnswer; request: ApprovalRequest }
  | { status: 'unknown' };

interface Entry {
  request: ApprovalRequest;
  answer?: ApprovalAnswer;
  resolve?: (answer: ApprovalAnswer) => void;
}

/**
 * Open questions by id, each with the promise its asker waits on, and a bounded memory of the
 * answered ones (so a repeated answer is recognised).
 *
 * @example
 * const pending = new PendingApprovals();
 * const waiting = pending.wait(request, signal);
 * pending.answer(request.id, { kind: 'approve', at: new Date().toISOString() }); // { status: 'answered', … }
 * await waiting; // the approve answer
 */
export class PendingApprovals {
  readonly #open = new Map<string, Entry>();
  readonly #answered = new Map<string, Entry>();
  readonly #keepAnswered: number;
  readonly #listeners = new Set<() => void>();

  constructor(options: { keepAnswered?: number } = {}) {
    this.#keepAnswered = options.keepAnswered ?? 10_000;
  }

  /** The open questions, oldest first. */
  get pending(): ApprovalRequest[] {
    return [...this.#open.values()].map((entry) => entry.request);
  }

  /** The question with this id, open or answered, and its answer when it has one. */
  get(id: string): { request: ApprovalRequest; answer?: ApprovalAnswer } | undefined {
    const entry = this.#open.get(id) ?? this.#answered.get(id);
    return entry && { request: entry.request, ...(entry.answer ? { answer: entry.answer } : {}) };
  }

  /**
   * Opens the question, delivers it with `send` and waits for its answer. A delivery cut short by
   * the time running out (not refused by the other side) still waits, and the answer is `timeout`;
   * a refused delivery withdraws the question and throws.
   *
   * @example
   * const answer = await pending.sendAndWait(request, signal, () => post(request));
   */
  async sendAndWait(request: ApprovalRequest, signal: AbortSignal, send: () => Promise<void>): Promise<ApprovalAnswer> {
    const waiting = this.wait(request, signal);
    try {
      await send();
    } catch (error) {
      if (signal.aborted && (error as { status?: number }).status === undefined) return waiting;
      this.withdraw(request.id);
      throw error;
    }
    return waiting;
  }

  /** Calls `listener` whenever a question opens or closes; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Opens a question; resolves with its answer, or with `timeout` when `signal` aborts (which
   * is then recorded as its answer, so later answers are conflicts).
   */
  wait(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer> {
    if (this.#open.has(request.id)) return Promise.reject(new Error(`approval ${request.id} is already waiting for an answer`));
    this.#answered.delete(request.id);
    return new Promise<ApprovalAnswer>((resolve) => {
      if (signal.aborted) {
        this.#record({ request }, timeoutAnswer());
        return resolve(timeoutAnswer());
      }
      const onAbort = () => {
        const entry = this.#open.get(request.id);
        if (entry) this.#settle(entry, timeoutAnswer());
      };
      this.#open.set(request.id, {
        request,
        resolve: (answer) => {
          signal.removeEventListener('abort', onAbort);
          resolve(answer);
        },
      });
      signal.addEventListener('abort', onAbort, { once: true });
      this.#changed();
    });
  }

  /** Gives the answer to question `id`; see AnswerOutcome. */
  answer(id: string, answer: ApprovalAnswer): AnswerOutcome {
    const open = this.#open.get(id);
    if (open) {
      this.#settle(open, answer);
      return { status: 'answered', answer, request: open.request };
    }
    const done = this.#answered.get(id);
    if (!done?.answer) return { status: 'unknown' };
    return { status: sameAnswer(done.answer, answer) ? 'repeated' : 'conflict', answer: done.answer, request: done.request };
  }

  /**
   * Records `answer` as the answer to question `id` when it was decided elsewhere (a store of
   * durable runs, where the first answer stored wins): an open question is settled with it, and
   * a recorded answer (e.g. the `timeout` its asker got when the answer reached it another way)
   * is replaced. An id not known here is ignored.
   *
   * @example
   * const outcome = await answerApproval(store, id, answer);
   * if (outcome.status !== 'unknown') pending.adopt(id, outcome.answer);
   */
  adopt(id: string, answer: ApprovalAnswer): void {
    const open = this.#open.get(id);
    if (open) return this.#settle(open, answer);
    const done = this.#answered.get(id);
    if (done) done.answer = answer;
  }

  /** Takes back an open question that never reached anyone: forgotten, its asker gets `timeout`. */
  withdraw(id: string): void {
    const entry = this.#open.get(id);
    if (!entry) return;
    this.#open.delete(id);
    entry.resolve?.(timeoutAnswer());
    this.#changed();
  }

  /** Answers every open question with `timeout` (e.g. when a server closes). */
  expireAll(): void {
    for (const entry of [...this.#open.values()]) this.#settle(entry, timeoutAnswer());
  }

  #settle(entry: Entry, answer: ApprovalAnswer): void {
    this.#open.delete(entry.request.id);
    this.#record(entry, answer);
    entry.resolve?.(answer);
    this.#changed();
  }

  #record(entry: Entry, answer: ApprovalAnswer): void {
    this.#answered.set(entry.request.id, { request: entry.request, answer });
    while (this.#answered.size > this.#keepAnswered) this.#answered.delete(this.#answered.keys().next().value!);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
