// The clerk: a LangChain.js agent with one `refund` tool and the Handrail middleware in front of
// it, checkpointed to a file so that a question outlives the process that asked it.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AIMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { ChatOpenAI } from '@langchain/openai';
import { createAgent, tool } from 'langchain';
import { AuditLog } from '@handrail/core';
import { compilePolicy } from '@handrail/policy';
import { handrailMiddleware } from '@handrail/adapters/langchain';
import { FileCheckpointer } from './file-checkpointer.js';

export const policyPath = fileURLToPath(new URL('../refunds.policy', import.meta.url));

/** A clerk that needs no key: it refunds 250 on order A-1001, then reports what the tool said. */
function offlineClerk() {
  return fakeModel().respond((messages: BaseMessage[]) => {
    const id = `clerk-${messages.length}`;
    const last = messages.at(-1);
    if (last && ToolMessage.isInstance(last)) return new AIMessage({ id, content: `Done: ${String(last.content)}` });
    return new AIMessage({ id, content: 'Refunding order A-1001.', tool_calls: [{ id: 'refund-A-1001', name: 'refund', args: { order: 'A-1001', amount: 250 } }] });
  }).respond((messages: BaseMessage[]) => {
    const last = messages.at(-1);
    return new AIMessage({ id: `clerk-${messages.length}`, content: `Done: ${String(last?.content ?? '')}` });
  });
}

export interface ClerkOptions {
  /** Where the checkpoints, the audit log and the refunds the tool made are kept. */
  dir: string;
  /** An OpenAI-compatible endpoint; the offline clerk without one. */
  modelUrl?: string;
}

/**
 * @example
 * const { agent } = await clerk({ dir: '.handrail-langchain' });
 */
export async function clerk(options: ClerkOptions) {
  mkdirSync(options.dir, { recursive: true });
  const refundsLog = join(options.dir, 'refunds.log');
  const refund = tool(
    ({ order, amount }: { order: string; amount: number }) => {
      appendFileSync(refundsLog, `${JSON.stringify({ order, amount })}\n`);
      return `refunded ${amount} on order ${order}`;
    },
    {
      name: 'refund',
      description: 'Refunds an amount on an order.',
      schema: { type: 'object', properties: { order: { type: 'string' }, amount: { type: 'number' } }, required: ['order', 'amount'] },
    },
  );
  const model = options.modelUrl
    ? new ChatOpenAI({ model: process.env.OPENAI_MODEL ?? 'gpt-4.1-mini', apiKey: process.env.OPENAI_API_KEY ?? 'offline', configuration: { baseURL: options.modelUrl } })
    : offlineClerk();
  const audit = await AuditLog.open(join(options.dir, 'audit.jsonl'));
  const agent = createAgent({
    model,
    tools: [refund],
    systemPrompt: 'You are a refunds clerk. Use the refund tool.',
    // First in the list: nothing outside it can change a call after the policy decided it.
    middleware: [handrailMiddleware({ policy: compilePolicy(readFileSync(policyPath, 'utf8')), name: 'clerk', audit })],
    checkpointer: new FileCheckpointer(join(options.dir, 'checkpoints.json')),
  });
  return { agent, refundsLog, audit };
}
