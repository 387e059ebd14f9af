// AutoGen's GroupChatManager.run_chat: append, broadcast, check, select, ask, repeat.
import { ConfigurationError } from '@handrail/policy';
import type { Agent, ReplyResult } from '../agents/agent.js';
import { ConversableAgent, type ConversableAgentOptions } from '../agents/conversable-agent.js';
import type { ChatEnd, HandrailEvent } from '../events.js';
import { selectSpeaker, type SelectorHost } from './select-speaker.js';
import type { GroupChat } from './group-chat.js';

/**
 * @example
 * const options: GroupChatManagerOptions = { name: 'chat_manager', model };
 */
export interface GroupChatManagerOptions extends ConversableAgentOptions {
  /** `chat_manager` by default, as in AutoGen. */
  name?: string;
}

/**
 * Runs a group chat: each message goes to every agent but its speaker; the next speaker is
 * chosen and asked for its reply; the chat ends on the manager's termination test, at
 * `maxRound` messages, or when a speaker gives no reply (a person typed exit, a policy stopped).
 *
 * @example
 * const manager = new GroupChatManager(new GroupChat({ agents: [user, researcher, writer], speakerSelectionMethod: 'round_robin' }));
 * const result = await user.initiateChat(manager, { message: 'Write a brief on solar storage.' });
 */
export class GroupChatManager extends ConversableAgent {
  readonly groupChat: GroupChat;

  constructor(groupChat: GroupChat, options: GroupChatManagerOptions = {}) {
    const { name = 'chat_manager', ...rest } = options;
    super(name, rest, { humanInputMode: 'NEVER', systemMessage: 'Group chat manager.', codeExecutionConfig: false });
    this.groupChat = groupChat;
    if (groupChat.speakerSelectionMethod === 'auto' && !this.model)
      throw new ConfigurationError(`speaker selection "auto" needs a model: give GroupChatManager ${name} one (options.model), or choose round_robin, random or manual`);
  }

  /** The manager's reply to anyone is running the group chat; it ends with no reply. */
  override async generateReply(options: { sender: Agent }): Promise<ReplyResult> {
    return { reply: null, end: await this.runChat(options.sender) };
  }

  /** Runs the group chat from the last message `sender` sent; resolves with how it ended. */
  async runChat(sender: Agent): Promise<ChatEnd> {
    const group = this.groupChat;
    const conversation = this.chatMessagesWith(sender);
    // A new chat (its first message only): start the group afresh, as a new two-agent chat does.
    if (conversation.length <= 1) this.#resetGroup(sender);
    let message = conversation.at(-1);
    if (!message) throw new ConfigurationError(`${sender.name} asked ${this.name} to run the group chat without a message`);
    let speaker = sender;
    const forward = (event: HandrailEvent) => this.emit(event);
    const stop = group.agents.filter((agent) => agent !== this).map((agent) => agent.on?.(forward));
    const host: SelectorHost = {
      name: this.name,
      model: this.model,
      askHuman: async (prompt) => (await this.askHuman(prompt, { sender: null })).answer,
      print: (text) => this.print(text),
    };
    try {
      for (let round = 0; round < group.maxRound; round++) {
        const named = group.append(message, speaker);
        for (const agent of group.agents) if (agent !== speaker) await this.send(named, agent, { requestReply: false, silent: true });
        if (this.isTerminationMsg(named)) return { cause: 'termination', agent: this.name, reason: `Termination message condition on the GroupChatManager '${this.name}' met` };
        if (round === group.maxRound - 1) return { cause: 'max-round', agent: this.name, reason: `Maximum rounds (${group.maxRound}) reached` };
        const { speaker: next, method } = await selectSpeaker(group, speaker, host);
        if (!next) return { cause: 'stop', agent: this.name, reason: 'the speaker selector chose no one' };
        speaker = next;
        this.emit({ type: 'speaker-selected', manager: this.name, speaker: speaker.name, method });
        this.print(`Next speaker: ${speaker.name}`);
        const result = await speaker.generateReply({ sender: this });
        if (result.reply === null) return result.end;
        await speaker.send(result.reply, this, { requestReply: false });
        message = this.chatMessagesWith(speaker).at(-1)!;
      }
      return { cause: 'max-round', agent: this.name, reason: `Maximum rounds (${group.maxRound}) reached` };
    } finally {
      for (const off of stop) off?.();
    }
  }

  /** Forgets the group's messages and every member's exchange with this manager. */
  override reset(): void {
    super.reset();
    this.groupChat.reset();
  }

  #resetGroup(initiator: Agent): void {
    this.groupChat.reset();
    for (const agent of this.groupChat.agents) {
      if (agent === initiator || agent === this) continue;
      this.clearHistory(agent);
      this.resetConsecutiveAutoReplyCounter(agent);
      if (agent instanceof ConversableAgent) {
        agent.clearHistory(this);
        agent.resetConsecutiveAutoReplyCounter(this);
      }
    }
  }
}
