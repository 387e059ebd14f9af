// `corepack pnpm --filter @handrail/example-ai-sdk-approval start`. Offline by default: the
// clerk is a scripted model on the local OpenAI-compatible server, talked to through the AI SDK's
// own `@ai-sdk/openai-compatible` provider. With OPENAI_BASE_URL (and OPENAI_API_KEY,
// OPENAI_MODEL) set, a real model.
//
// The loop runs behind refunds.policy. A refund over 100 waits for a person: the AI SDK ends the
// call with its own `tool-approval-request`, the question sits in a run store on disk, a person
// answers it there (here a scripted finance desk, as the approval page or Slack would), and the
// loop resumes from the message history; the refund runs once.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, jsonSchema, stepCountIs, tool, type ModelMessage } from 'ai';
import { answerApproval, DurableRun, FileRunStore } from '@handrail/core';
import { startOpenAIServer } from '@handrail/core/testing';
import { compilePolicy } from '@handrail/policy';
import { createAiSdkGuard } from '@handrail/adapters/ai-sdk';

const print = (line: string) => process.stdout.write(`${line}\n`);
const policy = compilePolicy(readFileSync(new URL('../refunds.policy', import.meta.url), 'utf8'), { file: 'refunds.policy' });

const live = process.env.OPENAI_BASE_URL !== undefined;
const server = live
  ? undefined
  : await startOpenAIServer([
      { content: 'Refunding order A-1001.', toolCalls: [{ name: 'refund', arguments: { order: 'A-1001', amount: 250 } }] },
      { toolCalls: [{ name: 'refund', arguments: { order: 'A-1002', amount: 40 } }] },
      'Both refunds are done: 250 EUR for A-1001 and 40 EUR for A-1002.',
    ]);
const model = createOpenAICompatible({ name: 'clerk', baseURL: server?.baseURL ?? process.env.OPENAI_BASE_URL!, apiKey: process.env.OPENAI_API_KEY ?? 'offline' }).chatModel(process.env.OPENAI_MODEL ?? 'scripted');

const refunded: string[] = [];
const tools = {
  refund: tool({
    description: 'Refund an order.',
    inputSchema: jsonSchema<{ order: string; amount: number }>({ type: 'object', properties: { order: { type: 'string' }, amount: { type: 'number' } }, required: ['order', 'amount'] }),
    execute: async ({ order, amount }) => {
      refunded.push(`${order} ${amount} EUR`);
      print(`[refund] ${order}: ${amount} EUR`);
      return `refunded ${amount} EUR for ${order}`;
    },
  }),
};

const directory = mkdtempSync(join(tmpdir(), 'handrail-ai-sdk-approval-'));
const store = new FileRunStore(join(directory, 'runs'));
try {
  const run = await DurableRun.open(store, 'refunds-1');
  const guard = createAiSdkGuard({ policy, run, wait: 'suspend', sender: 'clerk' });
  const settings = { model, tools: guard.tools(tools), stopWhen: [guard.stopWhen, stepCountIs(10)], prepareStep: guard.prepareStep, system: 'You are a refunds clerk. Use the refund tool.' };
  const messages: ModelMessage[] = [{ role: 'user', content: 'Refund 250 EUR for order A-1001 and 40 EUR for order A-1002.' }];

  let result = await generateText({ ...settings, messages });
  messages.push(...result.response.messages);
  const paused = guard.paused(messages);
  for (const step of paused) print(`[waiting] ${step.question.request.prompt} ${JSON.stringify(step.question.request.tool?.args)}${step.kind === 'tool' ? ` (the AI SDK's tool-approval-request for ${step.toolCallId})` : ''}`);

  // The finance desk answers in the store, as the approval page, Slack or a webhook would; the
  // paused questions are plain JSON and could be answered from another process days later.
  for (const step of paused) {
    await answerApproval(store, step.question.request.id, { kind: 'approve', by: 'finance-desk' }, { channel: 'desk' });
    print(`[finance desk] approved ${JSON.stringify(step.question.request.tool?.args)}`);
  }

  if (paused.length) {
    messages.push(...(await guard.answer(paused)));
    result = await generateText({ ...settings, messages });
    messages.push(...result.response.messages);
  }
  await run.close();
  print(guard.stopped ? `Stopped: ${guard.stopped.reason}` : `Clerk: ${result.text}`);
  print(`Refunded: ${refunded.join(', ') || 'nothing'}`);
} finally {
  await server?.close();
  rmSync(directory, { recursive: true, force: true });
}
