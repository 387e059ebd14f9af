// Refunds over 100 wait for a person. `start` runs the clerk until the graph pauses on the
// question, prints it, and exits; `answer` — in another process, any time later — resumes the
// graph from its checkpoint with the answer.
//
//   pnpm start start
//   pnpm start answer approve            (or: reject "not eligible", reply "store credit", edit '{"order":"A-1001","amount":90}')
import { Command } from '@langchain/langgraph';
import type { BaseMessage } from '@langchain/core/messages';
import type { ApprovalAnswerInput } from '@handrail/core';
import { pendingQuestions, type HandrailState } from '@handrail/adapters/langchain';
import { clerk } from './agent.js';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function answerOf(kind: string | undefined, value: string | undefined, by: string): ApprovalAnswerInput {
  switch (kind) {
    case 'approve':
      return { kind, by };
    case 'reject':
      return { kind, by, ...(value ? { message: value } : {}) };
    case 'reply':
      return { kind, by, text: value ?? '' };
    case 'edit':
      return { kind, by, args: JSON.parse(value ?? '{}') as unknown };
    default:
      throw new Error(`answer with approve, reject [message], reply <text> or edit <json>, not ${JSON.stringify(kind)}`);
  }
}

const [command, kind, value] = process.argv.slice(2).filter((arg, index, all) => !arg.startsWith('--') && !all[index - 1]?.startsWith('--'));
const dir = option('dir') ?? '.handrail-langchain';
const modelUrl = option('model-url') ?? process.env.OPENAI_BASE_URL;
const config = { configurable: { thread_id: option('thread') ?? 'refund-A-1001' } };
const { agent, audit } = await clerk({ dir, ...(modelUrl ? { modelUrl } : {}) });

function report(result: { messages: BaseMessage[]; handrail?: HandrailState }): void {
  const questions = pendingQuestions(result);
  for (const { question } of questions) console.log(`Waiting on a person: ${question.request.prompt} ${question.request.tool?.name} ${JSON.stringify(question.request.tool?.args)}`);
  if (questions.length) console.log('Answer from any process: pnpm start answer approve | reject [message] | reply <text> | edit <json>');
  else if (result.handrail?.stop) console.log(`Stopped: ${result.handrail.stop.reason}`);
  else console.log(`Clerk: ${String(result.messages.at(-1)?.content ?? '')}`);
}

if (command === 'start') {
  report(await agent.invoke({ messages: [{ role: 'user', content: 'Please refund 250 on order A-1001; the parcel never arrived.' }] }, config));
} else if (command === 'answer') {
  const snapshot = await agent.graph.getState(config);
  const waiting = pendingQuestions({ __interrupt__: snapshot.tasks.flatMap((task) => task.interrupts) });
  if (!waiting.length) {
    console.log('Nothing waits for an answer.');
    process.exitCode = 1;
  } else {
    const answer = answerOf(kind, value, process.env.USER ?? 'reviewer');
    report(await agent.invoke(new Command({ resume: Object.fromEntries(waiting.map(({ interruptId }) => [interruptId, answer])) }), config));
  }
} else {
  console.log('usage: pnpm start start | pnpm start answer <approve|reject|reply|edit> [value]   [--dir DIR] [--model-url URL]');
  process.exitCode = 2;
}
await audit.close();
