// The agent interface: what any loop implements to take part in a chat or a group chat.
import type { ChatEnd, EventListener } from '../events.js';
import type { Message, MessageInput } from '../messages.js';

/** Options of one delivery. */
export interface SendOptions {
  /** Whether the recipient must reply; by default it does unless it is the initiator of a `maxTurns` chat. */
  requestReply?: boolean;
  /** Deliver without printing the message. */
  silent?: boolean;
}

/**
 * A reply, or no reply and why: the chat ends there.
 *
 * @example
 * const result = await agent.generateReply({ sender: manager });
 * if (result.reply === null) console.log('ended:', result.end.cause);
 */
export type ReplyResult = { reply: MessageInput; end?: undefined } | { reply: null; end: ChatEnd };

/**
 * An agent in a conversation. `send` and `receive` resolve when the exchange they started is
 * over, with how it ended (undefined when no reply was asked for).
 *
 * @example
 * class Echo implements Agent {
 *   readonly name = 'echo';
 *   readonly description = 'repeats what it hears';
 *   #last = new Map<Agent, string>();
 *   async send(message: MessageInput, recipient: Agent, options?: SendOptions) { return recipient.receive(message, this, options); }
 *   async receive(message: MessageInput, sender: Agent, options?: SendOptions) {
 *     this.#last.set(sender, typeof message === 'string' ? message : message.content ?? '');
 *     if (options?.requestReply === false) return undefined;
 *     const result = await this.generateReply({ sender });
 *     return result.reply === null ? result.end : this.send(result.reply, sender);
 *   }
 *   async generateReply({ sender }: { sender: Agent }) { return { reply: this.#last.get(sender) ?? '' }; }
 * }
 */
export interface Agent {
  readonly name: string;
  readonly description: string;
  send(message: MessageInput, recipient: Agent, options?: SendOptions): Promise<ChatEnd | undefined>;
  receive(message: MessageInput, sender: Agent, options?: SendOptions): Promise<ChatEnd | undefined>;
  generateReply(options: { sender: Agent; messages?: readonly Message[] }): Promise<ReplyResult>;
  /** Observes this agent's events; optional for agents that emit none. */
  on?(listener: EventListener): () => void;
}
