// The invoice run: a clerk (a model with one tool) and a supervisor proxy whose human input is
// decided by examples/policies/invoices.policy.
import { fileURLToPath } from 'node:url';
import { AssistantAgent, showDecisions, UserProxyAgent, type ChatResult, type HumanIO, type Model } from '@handrail/core';
import { loadPolicyFile } from '@handrail/policy';
import { clerkInstructions, readInvoice, readInvoiceTool, task } from './invoices.js';

// The one invoices policy, tested beside the other examples' policies and shown in the README.
export const policyFile = fileURLToPath(new URL('../../policies/invoices.policy', import.meta.url));

/**
 * Runs the invoice chat with the given model and human io.
 *
 * @example
 * const result = await runInvoices({ model, io: new ScriptedIO(humanAnswers) });
 */
export async function runInvoices(options: { model: Model; io: HumanIO; showDecisions?: boolean }): Promise<ChatResult> {
  const policy = await loadPolicyFile(policyFile);
  // The supervisor's auto-replies are often empty; AutoGen prints them as empty blocks, the demo leaves them out.
  const clerk = new AssistantAgent('clerk', { model: options.model, systemMessage: clerkInstructions, tools: [readInvoiceTool], io: options.io, hideEmptyMessages: true });
  const supervisor = new UserProxyAgent('supervisor', {
    policy,
    codeExecutionConfig: false,
    functionMap: { read_invoice: readInvoice },
    // As in the seed: the clerk ends its summary with TERMINATE on the last line.
    isTerminationMsg: (message) => (message.content ?? '').trimEnd().endsWith('TERMINATE'),
    io: options.io,
    // The policy asks accounts payable; in the demo that is the person at the console (or the script).
    channels: { accounts_payable: options.io },
  });
  const stop = options.showDecisions === false ? () => undefined : showDecisions(supervisor);
  try {
    return await supervisor.initiateChat(clerk, { message: task });
  } finally {
    stop();
  }
}
