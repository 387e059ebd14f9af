// Every step of a run is a typed event, so hosts and tests observe a run without scraping text.
import type { Decision, Turn } from '@handrail/policy';
import type { ApprovalAnswer } from './channels/approval.js';
import type { Message } from './messages.js';
import type { PendingQuestion } from './supervisor/verdict.js';

/** Why a chat ended. */
export type EndCause =
  /** A person typed `exit`. */
  | 'exit'
  /** The policy decided stop (NEVER at its limit or on a termination message, or a rule). */
  | 'stop'
  /** A person was asked and gave no answer (or did not answer in time), and no input meant stop. */
  | 'no-input'
  /** A person rejected the escalated message through an approval channel. */
  | 'rejected'
  /** `maxTurns` exchanges took place. */
  | 'max-turns'
  /** The group chat reached `maxRound` messages. */
  | 'max-round'
  /** The group chat manager's termination test matched. */
  | 'termination'
  /** An agent produced no reply (a custom agent or reply function gave none). */
  | 'no-reply'
  /** A person was asked in a chat that does not wait (`wait: 'suspend'`): `pending` is the question; restore the run and start the chat again to go on. */
  | 'suspended';

/**
 * How a chat ended: the cause, the agent that ended it, and the deciding rule when a policy did.
 *
 * @example
 * const { ended } = await user.initiateChat(assistant, { message: 'task' });
 * if (ended.cause === 'exit') console.log('stopped by', ended.agent);
 */
export interface ChatEnd {
  cause: EndCause;
  agent: string;
  reason: string;
  rule?: string | null;
  /** With cause `suspended`: the question the chat waits on, as plain JSON (docs/supervisor.md). */
  pending?: PendingQuestion;
}

/** Where an auto-reply came from. */
export type AutoReplySource = 'policy' | 'tool' | 'code' | 'model' | 'default' | 'function';

/**
 * The events of a run, a discriminated union on `type` (`<noun>-<verb>`).
 *
 * @example
 * assistant.on((event) => {
 *   if (event.type === 'decision-made') console.log(event.agent, event.decision.action, event.decision.rule);
 * });
 */
export type HandrailEvent =
  | { type: 'message-sent'; sender: string; recipient: string; message: Message; silent: boolean }
  /** `author` is the message's own name when it differs from the sender's: a group chat member's, relayed by the manager. */
  | { type: 'decision-made'; agent: string; sender: string; author?: string; decision: Decision; turn: Turn }
  /** `approvalId` when asked through an approval channel. */
  | { type: 'human-input-requested'; agent: string; sender: string | null; prompt: string; timeoutMs?: number; channel?: string; approvalId?: string }
  /**
   * `answer` is the text: what was typed, or through an approval channel a reply's text, a
   * rejection's message, an edit's arguments as JSON ('' for approve and timeout); then `approval`
   * is the whole answer, `channel` where it came from and `by` who gave it.
   */
  | { type: 'human-input-received'; agent: string; sender: string | null; prompt: string; answer: string; timedOut: boolean; channel?: string; by?: string; approvalId?: string; approval?: ApprovalAnswer }
  | { type: 'auto-reply-generated'; agent: string; sender: string; source: AutoReplySource; autoReplies: number; message: Message }
  | { type: 'tool-executed'; agent: string; name: string; callId: string; arguments: string; result: string; ok: boolean }
  | { type: 'code-executed'; agent: string; language: string; code: string; exitCode: number; output: string }
  | { type: 'speaker-selected'; manager: string; speaker: string; method: string }
  | { type: 'chat-ended'; initiator: string; recipient: string; end: ChatEnd };

/** A function that observes events. */
export type EventListener = (event: HandrailEvent) => void;

/**
 * A small synchronous emitter; a listener that throws does not break the run.
 *
 * @example
 * const events = new EventEmitter();
 * const off = events.on((event) => log.push(event));
 */
export class EventEmitter {
  #listeners = new Set<EventListener>();

  /** Adds a listener; returns the function that removes it. */
  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: HandrailEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        // Observers must not change the run; report and go on.
        process.emitWarning(`an event listener threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
