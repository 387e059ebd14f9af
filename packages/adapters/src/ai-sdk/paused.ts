// A paused AI SDK loop is its message history plus the questions it waits on: the SDK's
// `tool-approval-request` parts name the calls, Handrail's pending questions say what was asked.
import type { ModelMessage } from 'ai';
import type { PendingQuestion } from '@handrail/core';

/** The format a paused step names; `answer()` refuses others. */
export const pausedFormat = 'handrail.ai-sdk.paused/1';

/**
 * A question an AI SDK loop waits on, as plain JSON: a tool call (the SDK's `approvalId` and
 * `toolCallId`) or the text of a step; `question` is the supervisor's pending question.
 *
 * @example
 * writeFileSync('paused.json', JSON.stringify({ messages, paused: guard.paused(messages) }));
 */
export type PausedStep =
  | { format: typeof pausedFormat; kind: 'tool'; approvalId: string; toolCallId: string; question: PendingQuestion }
  | { format: typeof pausedFormat; kind: 'text'; question: PendingQuestion };

/** The SDK's approval requests in a history: approval id by tool call id. */
export function approvalRequestsOf(messages: readonly ModelMessage[]): Map<string, string> {
  const requests = new Map<string, string>();
  for (const message of messages) {
    if (message.role !== 'assistant' || typeof message.content === 'string') continue;
    for (const part of message.content) if (part.type === 'tool-approval-request') requests.set(part.toolCallId, part.approvalId);
  }
  return requests;
}

/**
 * The approval responses the SDK is about to act on (those in the last message, a `tool` one),
 * by the tool call they answer.
 */
export function approvalResponsesOf(messages: readonly ModelMessage[]): Map<string, { approved: boolean; reason?: string }> {
  const responses = new Map<string, { approved: boolean; reason?: string }>();
  const last = messages.at(-1);
  if (last?.role !== 'tool') return responses;
  const callOf = new Map([...approvalRequestsOf(messages)].map(([toolCallId, approvalId]) => [approvalId, toolCallId]));
  for (const part of last.content) {
    if (part.type !== 'tool-approval-response') continue;
    const toolCallId = callOf.get(part.approvalId);
    if (toolCallId !== undefined) responses.set(toolCallId, { approved: part.approved, ...(part.reason !== undefined ? { reason: part.reason } : {}) });
  }
  return responses;
}
