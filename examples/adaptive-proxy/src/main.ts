// `corepack pnpm --filter @handrail/example-adaptive-proxy start`: offline by default (a scripted
// operator on the local OpenAI-compatible server, scripted answers); a real endpoint when
// OPENAI_API_KEY or OPENAI_BASE_URL is set; `--interactive` to answer yourself.
import { ConsoleIO, openAIModelFromEnv, type HumanIO } from '@handrail/core';
import { ScriptedIO, startScriptedModels } from '@handrail/core/testing';
import { runAdaptive } from './demo.js';
import { humanAnswers, operatorScript } from './script.js';

const live = openAIModelFromEnv();
const local = live ? undefined : await startScriptedModels({ operator: operatorScript });
const model = live ?? local!.models.operator;
const console_ = process.argv.includes('--interactive') ? new ConsoleIO() : undefined;
const io: HumanIO = console_ ?? new ScriptedIO(humanAnswers, { echo: (text) => process.stdout.write(text), whenDone: 'exit' });

process.stdout.write(`Adaptive proxy, policy adaptive.policy — ${local ? 'offline (scripted operator)' : `model ${model.name}`}, ${console_ ? 'your answers' : 'scripted answers'}\n\n`);
try {
  const result = await runAdaptive({ model, io });
  process.stdout.write(`\nThe chat ended: ${result.ended.cause} (${result.ended.reason}); human input: ${JSON.stringify(result.humanInputs)}\n`);
} finally {
  console_?.close();
  await local?.close();
}
