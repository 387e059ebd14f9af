// AutoGen's UserProxyAgent: a person's stand-in that asks them (ALWAYS by default), runs the
// code it receives, and has no model of its own unless given one.
import { ConversableAgent, type ConversableAgentOptions } from './conversable-agent.js';
import type { HumanInputMode } from './human-reply.js';

/** AutoGen's descriptions of a proxy, by mode; group chats show them to the speaker selector. */
export const userProxyDescriptions: Record<HumanInputMode, string> = {
  ALWAYS:
    'An attentive HUMAN user who can answer questions about the task, and can perform tasks such as running Python code or inputting command line commands at a Linux terminal and reporting back the execution results.',
  TERMINATE: 'A user that can run Python code or input command line commands at a Linux terminal and report back the execution results.',
  NEVER: 'A computer terminal that performs no other action than running Python scripts (provided to it quoted in ```python code blocks), or sh shell scripts (provided to it quoted in ```sh code blocks).',
};

/**
 * A person's proxy. Code execution is on by default (in `./coding`); pass
 * `codeExecutionConfig: false` to turn it off.
 *
 * @example
 * const user = new UserProxyAgent('user', { humanInputMode: 'TERMINATE', codeExecutionConfig: { workDir: 'out', timeout: 30 } });
 */
export class UserProxyAgent extends ConversableAgent {
  constructor(name: string, options: ConversableAgentOptions = {}) {
    const mode = options.humanInputMode ?? (options.policy?.mode?.toUpperCase() as HumanInputMode | undefined) ?? 'ALWAYS';
    super(name, options, { humanInputMode: 'ALWAYS', systemMessage: '', codeExecutionConfig: {}, description: userProxyDescriptions[mode] ?? userProxyDescriptions.ALWAYS });
  }
}
