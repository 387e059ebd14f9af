// `corepack pnpm start` runs this: offline by default (a scripted clerk served over HTTP by the
// local OpenAI-compatible server, reached with the real openai client, and scripted answers);
// a real endpoint when OPENAI_API_KEY or OPENAI_BASE_URL is set; `--interactive` to answer yourself.
import { ConsoleIO, OpenAIModel, openAIModelFromEnv, type HumanIO } from '@handrail/core';
import { ScriptedIO, startOpenAIServer, type OpenAIServer } from '@handrail/core/testing';
import { runInvoices, policyFile } from './demo.js';
import { clerkScript, humanAnswers } from './script.js';

const interactive = process.argv.includes('--interactive');
let server: OpenAIServer | undefined;
let model = openAIModelFromEnv();
if (!model) {
  server = await startOpenAIServer(clerkScript);
  model = new OpenAIModel({ model: 'scripted-clerk', baseURL: server.baseURL, apiKey: 'offline', maxRetries: 0 });
}
const console_ = interactive ? new ConsoleIO() : undefined;
// A live model may not follow the script: once the scripted answers are used up, stop the run.
const io: HumanIO = console_ ?? new ScriptedIO(humanAnswers, { echo: (text) => process.stdout.write(text), whenDone: 'exit' });

process.stdout.write(
  `Invoice processing with policy ${policyFile.split('/').slice(-2).join('/')} — ${server ? `offline (scripted clerk at ${server.baseURL})` : `model ${model.name}`}, ${console_ ? 'your answers' : 'scripted answers'}\n\n`,
);
try {
  const result = await runInvoices({ model, io });
  process.stdout.write(`\nThe chat ended: ${result.ended.cause} (${result.ended.reason}) after ${result.chatHistory.length} messages; human input: ${JSON.stringify(result.humanInputs)}\n`);
} finally {
  console_?.close();
  await server?.close();
}
