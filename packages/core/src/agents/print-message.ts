// How a received message is shown, line for line as AutoGen's _print_received_message.
import { contentText, type Message } from '../messages.js';

export const separator = '-'.repeat(80);

function toolResponseLines(id: string, content: string): string[] {
  const head = `***** Response from calling tool (${id}) *****`;
  return [head, content, '*'.repeat(head.length)];
}

/**
 * The text printed when `recipient` receives `message` from `sender`.
 *
 * @example
 * formatReceivedMessage({ role: 'user', content: 'task' }, 'user', 'assistant');
 * // 'user (to assistant):\n\ntask\n\n' + '-'.repeat(80)
 */
export function formatReceivedMessage(message: Message, sender: string, recipient: string): string {
  const lines: string[] = [`${sender} (to ${recipient}):\n`];
  for (const response of message.tool_responses ?? []) lines.push(...toolResponseLines(response.tool_call_id, response.content));
  if (message.role === 'tool') {
    if (!message.tool_responses?.length) lines.push(...toolResponseLines(message.tool_call_id ?? 'No id found', contentText(message)));
  } else {
    if (message.content !== null) lines.push(message.content);
    for (const call of message.tool_calls ?? []) {
      const head = `***** Suggested tool call (${call.id}): ${call.function.name} *****`;
      lines.push(head, `Arguments: \n${call.function.arguments}`, '*'.repeat(head.length));
    }
  }
  lines.push(`\n${separator}`);
  return lines.join('\n');
}

/** Whether printing `message` would show an empty block: no text, no tool calls, no tool results. */
export function isEmptyMessage(message: Message): boolean {
  return message.role !== 'tool' && !message.content && !message.tool_calls?.length && !message.tool_responses?.length;
}
