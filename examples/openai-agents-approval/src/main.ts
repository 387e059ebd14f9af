// `corepack pnpm --filter @handrail/example-openai-agents-approval start`. Offline by default: a
// scripted clerk on the local OpenAI-compatible server, and a person who approves. With
// OPENAI_API_KEY set, a real model (HANDRAIL_MODEL, gpt-4.1-mini by default; OPENAI_BASE_URL for
// another endpoint).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTracingDisabled } from '@openai/agents';
import { FileRunStore } from '@handrail/core';
import { startOpenAIServer } from '@handrail/core/testing';
import { chatModel, runDesk } from './desk.js';
import { clerkScript } from './script.js';

const live = process.env.OPENAI_API_KEY !== undefined;
if (!live) setTracingDisabled(true);
const server = live ? undefined : await startOpenAIServer(clerkScript);
const model = chatModel(server?.baseURL ?? process.env.OPENAI_BASE_URL, live ? (process.env.HANDRAIL_MODEL ?? 'gpt-4.1-mini') : 'scripted');
const dir = mkdtempSync(join(tmpdir(), 'handrail-agents-desk-'));
const log = (line: string) => process.stdout.write(`${line}\n`);

try {
  const outcome = await runDesk({ store: new FileRunStore(join(dir, 'runs')), model, log, person: async () => ({ kind: 'approve', by: 'finance' }) });
  log(`refunded: ${outcome.refunds.map((refund) => `${refund.order} ${refund.amount} EUR`).join(', ') || 'nothing'}`);
  log('stopped' in outcome ? `stopped: ${outcome.stopped}` : `clerk: ${String(outcome.final)}`);
} finally {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
}
