// `corepack pnpm --filter @handrail/example-data-analysis start [-- --out dir]`: offline by default
// (a scripted analyst on the local OpenAI-compatible server); a real endpoint when OPENAI_API_KEY
// or OPENAI_BASE_URL is set. Nobody is asked: the mode is NEVER.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsoleIO, openAIModelFromEnv } from '@handrail/core';
import { startScriptedModels } from '@handrail/core/testing';
import { runAnalysis } from './demo.js';
import { analystScript } from './script.js';

const outFlag = process.argv.indexOf('--out');
const workDir = outFlag > 0 && process.argv[outFlag + 1] ? resolve(process.argv[outFlag + 1]!) : fileURLToPath(new URL('../output/', import.meta.url));
const live = openAIModelFromEnv();
const local = live ? undefined : await startScriptedModels({ analyst: analystScript });
const model = live ?? local!.models.analyst;

process.stdout.write(`Data analysis, policy analysis.policy (mode never) — ${local ? 'offline (scripted analyst)' : `model ${model.name}`}; output in ${workDir}\n\n`);
try {
  const result = await runAnalysis({ model, io: new ConsoleIO(), workDir });
  process.stdout.write(`\nThe chat ended: ${result.ended.cause} (${result.ended.reason}). See ${join(workDir, 'report.md')} and ${join(workDir, 'chart.svg')}.\n`);
} finally {
  await local?.close();
}
