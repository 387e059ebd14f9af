// The example runs offline and prints what a user would see: the refund over 100 waits as the
// AI SDK's tool-approval-request, the desk approves it in the store, and each refund runs once.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

test('`start` runs offline: the large refund waits, is approved in the store, and each refund runs once', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const env = { ...process.env };
  for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_MODEL']) delete env[name];
  const started = spawnSync(`${root}node_modules/.bin/tsx`, ['--conditions=@handrail/source', 'src/main.ts'], { cwd: fileURLToPath(new URL('..', import.meta.url)), env, input: '', encoding: 'utf8', timeout: 60_000 });
  expect(started.stderr).toBe('');
  expect(started.status).toBe(0);
  expect(started.stdout).toBe(
    [
      '[waiting] clerk wants to refund more than 100 EUR. Approve? {"order":"A-1001","amount":250} (the AI SDK\'s tool-approval-request for call_1)',
      '[finance desk] approved {"order":"A-1001","amount":250}',
      '[refund] A-1001: 250 EUR',
      '[refund] A-1002: 40 EUR',
      'Clerk: Both refunds are done: 250 EUR for A-1001 and 40 EUR for A-1002.',
      'Refunded: A-1001 250 EUR, A-1002 40 EUR',
      '',
    ].join('\n'),
  );
});
