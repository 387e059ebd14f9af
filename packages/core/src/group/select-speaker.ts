// Choosing the next speaker of a group chat: AutoGen's select_speaker, one method a branch.
import { ConfigurationError } from '@handrail/policy';
import type { Agent } from '../agents/agent.js';
import { toModelMessages, type Message } from '../messages.js';
import type { Model } from '../models/model.js';
import type { GroupChat } from './group-chat.js';

/** What selection needs from the manager. */
export interface SelectorHost {
  readonly name: string;
  readonly model: Model | undefined;
  askHuman(prompt: string): Promise<string>;
  print(text: string): void;
}

export const manualSelectionPrompt = 'Enter the number of the next speaker (enter nothing or `q` to use auto selection): ';

const methods = new Set(['auto', 'manual', 'random', 'round_robin']);

interface Executor {
  canExecuteFunction(names: readonly string[]): boolean;
  functionMap: ReadonlyMap<string, unknown>;
}

function isExecutor(agent: Agent): agent is Agent & Executor {
  return typeof (agent as Partial<Executor>).canExecuteFunction === 'function';
}

/** The agents that may speak next, or the one that must (it alone runs the tools just called). */
function eligible(group: GroupChat, lastSpeaker: Agent): { agents: Agent[]; forced?: Agent } {
  let agents = group.allowRepeatSpeaker ? [...group.agents] : group.agents.filter((agent) => agent !== lastSpeaker);
  const calls = group.messages.at(-1)?.tool_calls ?? [];
  if (group.funcCallFilter && calls.length) {
    const names = calls.map((call) => call.function.name);
    const able = agents.filter((agent) => isExecutor(agent) && agent.canExecuteFunction(names));
    if (able.length === 1) return { agents: able, forced: able[0]! };
    if (!able.length) {
      const withFunctions = agents.filter((agent) => isExecutor(agent) && agent.functionMap.size > 0);
      if (withFunctions.length === 1) return { agents: withFunctions, forced: withFunctions[0]! };
      if (!withFunctions.length) throw new ConfigurationError(`no agent of the group chat can execute the function ${names.join(', ')}; check the agents' function maps`);
      agents = withFunctions;
    } else agents = able;
  }
  return { agents };
}

/** AutoGen's manual selection: a numbered list, two tries, then the next agent in order. */
async function manual(group: GroupChat, lastSpeaker: Agent, agents: Agent[], host: SelectorHost): Promise<Agent> {
  host.print(['Please select the next speaker from the following list:', ...agents.map((agent, i) => `${i + 1}: ${agent.name}`)].join('\n'));
  for (let tries = 1; ; tries++) {
    if (tries >= 3) {
      host.print(`You have tried ${tries} times. The next speaker will be selected automatically.`);
      break;
    }
    const answer = await host.askHuman(manualSelectionPrompt);
    if (answer === '' || answer === 'q') break;
    const index = /^\s*[+-]?\d+\s*$/.test(answer) ? Number(answer) : Number.NaN;
    if (index > 0 && index <= agents.length) return agents[index - 1]!;
    host.print(`Invalid input. Please enter a number between 1 and ${agents.length}.`);
  }
  // AutoGen's "automatic" choice in manual mode is the next agent in order.
  return group.nextAgent(lastSpeaker, agents);
}

/** Auto selection: the manager's model names the next role; anything but one clear name falls back to the next agent. */
async function auto(group: GroupChat, lastSpeaker: Agent, agents: Agent[], host: SelectorHost): Promise<Agent> {
  if (!host.model) throw new ConfigurationError(`speaker selection "auto" needs a model: give GroupChatManager ${host.name} one`);
  const history: Message[] = group.messages.map((message, i) =>
    i === group.messages.length - 1 && message.tool_calls?.length ? { role: message.role, content: message.content ?? '', ...(message.name ? { name: message.name } : {}) } : message,
  );
  const response = await host.model.complete({
    messages: toModelMessages([{ role: 'system', content: group.selectSpeakerMessage(agents) }, ...history, { role: 'system', content: group.selectSpeakerPrompt(agents) }]),
  });
  const text = response.content ?? '';
  if (!text) return group.nextAgent(lastSpeaker, agents);
  const mentions = group.mentionedAgents(text, agents);
  const name = mentions.size === 1 ? [...mentions.keys()][0]! : text.trim();
  return agents.find((agent) => agent.name === name) ?? group.nextAgent(lastSpeaker, agents);
}

/**
 * The next speaker and the method that chose it; null when a custom selector ends the chat.
 *
 * @example
 * const { speaker } = await selectSpeaker(groupChat, lastSpeaker, manager);
 */
export async function selectSpeaker(group: GroupChat, lastSpeaker: Agent, host: SelectorHost): Promise<{ speaker: Agent | null; method: string }> {
  let method = group.speakerSelectionMethod;
  if (typeof method === 'function') {
    const choice = await method(lastSpeaker, group);
    if (choice === null || choice === undefined) return { speaker: null, method: 'custom' };
    if (typeof choice !== 'string') return { speaker: choice, method: 'custom' };
    if (!methods.has(choice)) {
      const agent = group.agentByName(choice);
      if (!agent) throw new ConfigurationError(`the speaker selector chose "${choice}", which is neither an agent of the group chat nor a selection method`);
      return { speaker: agent, method: 'custom' };
    }
    method = choice as 'auto' | 'manual' | 'random' | 'round_robin';
  }
  const { agents, forced } = eligible(group, lastSpeaker);
  if (forced) return { speaker: forced, method: 'tool-call' };
  switch (method) {
    case 'round_robin':
      return { speaker: group.nextAgent(lastSpeaker, agents), method };
    case 'random':
      return { speaker: agents[Math.floor(group.random() * agents.length)] ?? agents[0]!, method };
    case 'manual':
      return { speaker: await manual(group, lastSpeaker, agents, host), method };
    default:
      return { speaker: await auto(group, lastSpeaker, agents, host), method: 'auto' };
  }
}
