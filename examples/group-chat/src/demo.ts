// The group chat: the approver (a person's proxy, approver.policy) sets the task; the researcher
// asks for notes, which the worker proxy (NEVER, autonomous) fetches; the writer drafts; the
// manager's model picks each next speaker.
import { fileURLToPath } from 'node:url';
import { AssistantAgent, GroupChat, GroupChatManager, showDecisions, UserProxyAgent, type ChatResult, type HumanIO, type Model } from '@handrail/core';
import { loadPolicyFile } from '@handrail/policy';
import { searchNotes, searchNotesTool } from './notes.js';
import { task } from './script.js';

export const policyFile = fileURLToPath(new URL('../approver.policy', import.meta.url));

/**
 * Runs the group chat with a model for each of researcher, writer and manager.
 *
 * @example
 * const result = await runGroupChat({ models, io: new ScriptedIO(humanAnswers) });
 */
export async function runGroupChat(options: { models: Record<'researcher' | 'writer' | 'manager', Model>; io: HumanIO }): Promise<ChatResult> {
  const { io, models } = options;
  const approver = new UserProxyAgent('approver', {
    policy: await loadPolicyFile(policyFile),
    codeExecutionConfig: false,
    defaultAutoReply: 'TERMINATE',
    description: 'The editor who approves drafts. Pick when a draft asks for approval.',
    io,
  });
  const worker = new UserProxyAgent('worker', {
    humanInputMode: 'NEVER',
    maxConsecutiveAutoReply: 5,
    codeExecutionConfig: false,
    functionMap: { search_notes: searchNotes },
    description: 'Runs tools for the others.',
    io,
  });
  const researcher = new AssistantAgent('researcher', {
    model: models.researcher,
    tools: [searchNotesTool],
    systemMessage: 'You research topics with the search_notes tool and report the findings in one short paragraph starting with "Findings:".',
    description: 'Finds facts in the research notes.',
    io,
  });
  const writer = new AssistantAgent('writer', {
    model: models.writer,
    systemMessage: 'You write newsletter briefs from the findings. Start with "DRAFT:" and end with a line "APPROVAL NEEDED".',
    description: 'Writes the brief from the findings and revises it.',
    io,
  });
  const groupChat = new GroupChat({ agents: [approver, worker, researcher, writer], speakerSelectionMethod: 'auto', maxRound: 12 });
  const manager = new GroupChatManager(groupChat, { model: models.manager, io });
  const stops = [showDecisions(approver), showDecisions(worker)];
  try {
    return await approver.initiateChat(manager, { message: task });
  } finally {
    for (const stop of stops) stop();
  }
}
