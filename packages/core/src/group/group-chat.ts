// AutoGen's GroupChat: the agents, the shared messages, and how the next speaker is chosen.
import { ConfigurationError } from '@handrail/policy';
import type { Agent } from '../agents/agent.js';
import type { Message } from '../messages.js';

/** A function that picks the next speaker: an agent, its name, a built-in method's name, or null to end the chat. */
export type SpeakerSelector = (lastSpeaker: Agent, groupChat: GroupChat) => Agent | string | null | undefined | Promise<Agent | string | null | undefined>;

export type SpeakerSelectionMethod = 'auto' | 'manual' | 'random' | 'round_robin' | SpeakerSelector;

/**
 * @example
 * const options: GroupChatOptions = { agents: [user, coder, critic], maxRound: 6, speakerSelectionMethod: 'round_robin' };
 */
export interface GroupChatOptions {
  agents: Agent[];
  messages?: Message[];
  /** The most messages a chat has, the first one included (10 by default). */
  maxRound?: number;
  /** `auto` (the manager's model picks by name; the default), `manual`, `random`, `round_robin`, or a function. */
  speakerSelectionMethod?: SpeakerSelectionMethod;
  /** Whether a speaker may speak twice in a row (true by default); not in round robin. */
  allowRepeatSpeaker?: boolean;
  /** When the last message calls tools, only an agent that executes them may speak next (true by default). */
  funcCallFilter?: boolean;
  /** Numbers in [0, 1) for random selection; `Math.random` by default. */
  random?: () => number;
  /** The system message of auto selection; `{roles}` and `{agentlist}` are filled in. */
  selectSpeakerMessageTemplate?: string;
  /** The last instruction of auto selection; `{agentlist}` is filled in. */
  selectSpeakerPromptTemplate?: string;
}

export const selectSpeakerMessageTemplate = `You are in a role play game. The following roles are available:
{roles}.
Read the following conversation.
Then select the next role from {agentlist} to play. Only return the role.`;

export const selectSpeakerPromptTemplate = 'Read the above conversation. Then select the next role from {agentlist} to play. Only return the role.';

/** Names as Python prints a list of strings, as AutoGen's prompts show them. */
function agentList(agents: readonly Agent[]): string {
  return `[${agents.map((agent) => `'${agent.name}'`).join(', ')}]`;
}

/**
 * The agents of a group chat and its messages.
 *
 * @example
 * const groupChat = new GroupChat({ agents: [user, coder, critic], maxRound: 12 });
 * const manager = new GroupChatManager(groupChat, { model });
 */
export class GroupChat {
  readonly agents: Agent[];
  messages: Message[];
  maxRound: number;
  speakerSelectionMethod: SpeakerSelectionMethod;
  allowRepeatSpeaker: boolean;
  funcCallFilter: boolean;
  readonly random: () => number;
  readonly selectSpeakerMessageTemplate: string;
  readonly selectSpeakerPromptTemplate: string;

  constructor(options: GroupChatOptions) {
    if (!Array.isArray(options.agents) || options.agents.length < 2) throw new ConfigurationError('a group chat needs at least two agents');
    const names = new Set<string>();
    for (const agent of options.agents) {
      if (names.has(agent.name)) throw new ConfigurationError(`two agents of the group chat are named ${agent.name}; names must be unique`);
      names.add(agent.name);
    }
    this.agents = [...options.agents];
    this.messages = [...(options.messages ?? [])];
    this.maxRound = options.maxRound ?? 10;
    if (!Number.isInteger(this.maxRound) || this.maxRound < 1) throw new ConfigurationError(`maxRound must be a whole number ≥ 1, not ${options.maxRound}`);
    this.speakerSelectionMethod = options.speakerSelectionMethod ?? 'auto';
    if (typeof this.speakerSelectionMethod === 'string' && !['auto', 'manual', 'random', 'round_robin'].includes(this.speakerSelectionMethod))
      throw new ConfigurationError(`speakerSelectionMethod must be auto, manual, random, round_robin or a function, not ${JSON.stringify(this.speakerSelectionMethod)}`);
    this.allowRepeatSpeaker = options.allowRepeatSpeaker ?? true;
    this.funcCallFilter = options.funcCallFilter ?? true;
    this.random = options.random ?? Math.random;
    this.selectSpeakerMessageTemplate = options.selectSpeakerMessageTemplate ?? selectSpeakerMessageTemplate;
    this.selectSpeakerPromptTemplate = options.selectSpeakerPromptTemplate ?? selectSpeakerPromptTemplate;
  }

  get agentNames(): string[] {
    return this.agents.map((agent) => agent.name);
  }

  agentByName(name: string): Agent | undefined {
    return this.agents.find((agent) => agent.name === name);
  }

  /** The agent after `agent` in the list, among `agents` (all by default), wrapping round. */
  nextAgent(agent: Agent, agents: readonly Agent[] = this.agents): Agent {
    const index = this.agents.indexOf(agent);
    for (let i = 1; i <= this.agents.length; i++) {
      const candidate = this.agents[(index + i) % this.agents.length]!;
      if (agents.includes(candidate)) return candidate;
    }
    return agents[0] ?? this.agents[0]!;
  }

  /** Adds a message spoken by `speaker`, named after it. */
  append(message: Message, speaker: Agent): Message {
    const named: Message = { ...message, name: speaker.name };
    this.messages.push(named);
    return named;
  }

  /** Forgets the messages. */
  reset(): void {
    this.messages = [];
  }

  /** The system message of auto selection among `agents`. */
  selectSpeakerMessage(agents: readonly Agent[] = this.agents): string {
    const roles = agents.map((agent) => `${agent.name}: ${agent.description}`.trim()).join('\n');
    return this.selectSpeakerMessageTemplate.replaceAll('{roles}', roles).replaceAll('{agentlist}', agentList(agents));
  }

  /** The last instruction of auto selection among `agents`. */
  selectSpeakerPrompt(agents: readonly Agent[] = this.agents): string {
    return this.selectSpeakerPromptTemplate.replaceAll('{agentlist}', agentList(agents));
  }

  /** How many times each agent is named in `text`, word boundaries respected (AutoGen's _mentioned_agents). */
  mentionedAgents(text: string, agents: readonly Agent[] = this.agents): Map<string, number> {
    const mentions = new Map<string, number>();
    const escape = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const agent of agents) {
      const forms = [agent.name, agent.name.replaceAll('_', ' '), agent.name.replaceAll('_', '\\_')].map(escape);
      const pattern = new RegExp(`(?<=\\W)(${forms.join('|')})(?=\\W)`, 'g');
      const count = [...` ${text} `.matchAll(pattern)].length;
      if (count > 0) mentions.set(agent.name, count);
    }
    return mentions;
  }
}
