// The email draft: a writer (a model) and the person's proxy in AutoGen's ALWAYS mode, which is
// the `always` preset policy: the person is asked before every reply.
import { AssistantAgent, showDecisions, UserProxyAgent, type ChatResult, type HumanIO, type Model } from '@handrail/core';
import { task } from './script.js';

export const writerInstructions = 'You draft short, friendly business emails. Reply with the email only, subject line first. Revise it as the user asks.';

/**
 * Runs the drafting chat.
 *
 * @example
 * const result = await runEmailDraft({ model, io: new ScriptedIO(humanAnswers) });
 */
export async function runEmailDraft(options: { model: Model; io: HumanIO }): Promise<ChatResult> {
  const writer = new AssistantAgent('writer', { model: options.model, systemMessage: writerInstructions, io: options.io });
  const user = new UserProxyAgent('user', { humanInputMode: 'ALWAYS', codeExecutionConfig: false, io: options.io });
  const stop = showDecisions(user);
  try {
    return await user.initiateChat(writer, { message: task });
  } finally {
    stop();
  }
}
