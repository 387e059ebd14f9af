// The refund desk: the large refund pauses the run; approved, it runs once after the resume;
// rejected, it never runs and the clerk is told why; `start` runs offline.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTracingDisabled } from '@openai/agents';
import { MemoryRunStore } from '@handrail/core';
import { startOpenAIServer } from '@handrail/core/testing';
import { expect, test } from 'vitest';
import { chatModel, runDesk } from '../src/desk.js';
import { clerkScript } from '../src/script.js';

setTracingDisabled(true);

async function desk(answer: { kind: 'approve'; by: string } | { kind: 'reject'; by: string; message: string }) {
  const server = await startOpenAIServer(clerkScript);
  const lines: string[] = [];
  try {
    const outcome = await runDesk({ store: new MemoryRunStore(), model: chatModel(server.baseURL, 'scripted'), person: async () => answer, log: (line) => lines.push(line) });
    return { outcome, lines, requests: server.requests };
  } finally {
    await server.close();
  }
}

test('the refund of 250 waits for finance, then runs once; the one of 40 runs at once', async () => {
  const { outcome, lines } = await desk({ kind: 'approve', by: 'finance' });
  expect(outcome).toEqual({
    final: 'Both refunds are done: 40 EUR on A-1001 and 250 EUR on A-1002.',
    refunds: [
      { order: 'A-1001', amount: 40 },
      { order: 'A-1002', amount: 250 },
    ],
  });
  expect(lines).toEqual([expect.stringMatching(/^paused: \d+ bytes of JSON; refunded so far: A-1001 40 EUR$/), 'asked: clerk wants to refund more than 100. Approve? {"order":"A-1002","amount":250}', 'answered: approve by finance']);
});

test('a rejected refund never runs, and the clerk reads why', async () => {
  const { outcome, requests } = await desk({ kind: 'reject', by: 'finance', message: 'A-1002 was already refunded' });
  expect(outcome.refunds).toEqual([{ order: 'A-1001', amount: 40 }]);
  expect(requests[2]!.messages.at(-1)).toMatchObject({ role: 'tool', content: 'Refused by a person: A-1002 was already refunded. Do not call refund again with the same arguments; go on without it, or ask the user what to do instead.' });
});

test('`start` runs offline', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const env = { ...process.env };
  for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL']) delete env[name];
  const started = spawnSync(`${root}node_modules/.bin/tsx`, ['--conditions=@handrail/source', 'src/main.ts'], { cwd: fileURLToPath(new URL('..', import.meta.url)), env, encoding: 'utf8', timeout: 60_000 });
  expect(started.stderr).toBe('');
  expect(started.status).toBe(0);
  expect(started.stdout.split('\n').slice(-3)).toEqual(['refunded: A-1001 40 EUR, A-1002 250 EUR', 'clerk: Both refunds are done: 40 EUR on A-1001 and 250 EUR on A-1002.', '']);
}, 60_000);
