// `corepack pnpm --filter @handrail/example-group-chat start`: offline by default (scripted
// researcher, writer and manager on local OpenAI-compatible servers, scripted answers); a real
// endpoint for all three when OPENAI_API_KEY or OPENAI_BASE_URL is set; `--interactive` to answer yourself.
import { ConsoleIO, openAIModelFromEnv, type HumanIO, type Model } from '@handrail/core';
import { ScriptedIO, startScriptedModels } from '@handrail/core/testing';
import { runGroupChat } from './demo.js';
import { humanAnswers, scripts } from './script.js';

const live = openAIModelFromEnv();
const local = live ? undefined : await startScriptedModels(scripts);
const models: Record<'researcher' | 'writer' | 'manager', Model> = local?.models ?? { researcher: live!, writer: live!, manager: live! };
const console_ = process.argv.includes('--interactive') ? new ConsoleIO() : undefined;
const io: HumanIO = console_ ?? new ScriptedIO(humanAnswers, { echo: (text) => process.stdout.write(text), whenDone: 'exit' });

process.stdout.write(`Group chat (approver, worker, researcher, writer) — ${local ? 'offline (scripted models)' : `model ${live!.name}`}, ${console_ ? 'your answers' : 'scripted answers'}\n\n`);
try {
  const result = await runGroupChat({ models, io });
  process.stdout.write(`\nThe chat ended: ${result.ended.cause} (${result.ended.reason}) after ${result.chatHistory.length} messages\n`);
} finally {
  console_?.close();
  await local?.close();
}
