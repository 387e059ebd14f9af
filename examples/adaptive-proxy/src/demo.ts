// An operator (a model) and the admin's proxy, whose every human-input decision comes from
// adaptive.policy.
import { fileURLToPath } from 'node:url';
import { AssistantAgent, showDecisions, UserProxyAgent, type ChatResult, type HumanIO, type Model } from '@handrail/core';
import { loadPolicyFile } from '@handrail/policy';
import { task } from './script.js';

export const policyFile = fileURLToPath(new URL('../adaptive.policy', import.meta.url));

export const operatorInstructions = 'You are a careful site-reliability operator. Work step by step and report each step in one or two sentences. Say plainly when a step deletes data.';

/**
 * Runs the maintenance chat.
 *
 * @example
 * const result = await runAdaptive({ model, io: new ScriptedIO(humanAnswers) });
 */
export async function runAdaptive(options: { model: Model; io: HumanIO }): Promise<ChatResult> {
  const operator = new AssistantAgent('operator', { model: options.model, systemMessage: operatorInstructions, io: options.io });
  const admin = new UserProxyAgent('admin', {
    policy: await loadPolicyFile(policyFile),
    codeExecutionConfig: false,
    isTerminationMsg: (message) => (message.content ?? '').trimEnd().endsWith('TERMINATE'),
    io: options.io,
  });
  const stop = showDecisions(admin);
  try {
    return await admin.initiateChat(operator, { message: task });
  } finally {
    stop();
  }
}
