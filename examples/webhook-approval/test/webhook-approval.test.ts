// Refunds approved by webhook: the desk verifies each signed question and answers the small one;
// the large one times out and stops the run; a question signed with the wrong secret is refused.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebhookChannel } from '@handrail/core';
import { ScriptedIO, ScriptedModel } from '@handrail/core/testing';
import { expect, test } from 'vitest';
import { runRefunds } from '../src/demo.js';
import { startReviewService } from '../src/review-service.js';
import { clerkScript } from '../src/script.js';

const secret = 'shared-secret-for-the-desk-0123';

test('the desk approves the refund of 250; nobody answers for 4800, and after 2 s the run stops', async () => {
  const desk = await startReviewService({ secret, delayMs: 20 });
  const webhook = new WebhookChannel({ url: desk.url, secret });
  await webhook.listen();
  try {
    const io = new ScriptedIO();
    const started = Date.now();
    const { result, refunds } = await runRefunds({ model: new ScriptedModel(clerkScript), io, webhook });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(refunds).toEqual([{ order: 'A-1001', amount: 250 }]);
    expect(result.ended).toEqual({ cause: 'no-input', agent: 'supervisor', reason: 'refund over 100', rule: 'large_refund' });
    expect(io.printed.slice(-2)).toEqual(['[handrail] no answer in time from webhook', '>>>>>>>> NO HUMAN INPUT RECEIVED.']);
    expect(desk.log).toEqual([
      expect.stringMatching(/^received approval [0-9a-f]{8}…: refund \{"order":"A-1001","amount":250\} \(rule large_refund: refund over 100; answer before /),
      expect.stringMatching(/^answered [0-9a-f]{8}…: approve → HTTP 200$/),
      expect.stringMatching(/^received approval [0-9a-f]{8}…: refund \{"order":"A-1002","amount":4800\}/),
      'left A-1002 for a manager, who is away',
    ]);
    expect(result.events.filter((event) => event.type === 'human-input-received')).toEqual([
      expect.objectContaining({ channel: 'webhook', by: 'finance-desk', timedOut: false }),
      expect.objectContaining({ channel: 'webhook', timedOut: true }),
    ]);
  } finally {
    await webhook.close();
    await desk.close();
  }
});

test('a question signed with another secret is refused by the desk, and the run stops, saying so; no refund runs', async () => {
  const desk = await startReviewService({ secret });
  const webhook = new WebhookChannel({ url: desk.url, secret: 'not-the-desk-secret-0123456789', retries: 0 });
  try {
    // A channel that fails is never a reason to go on: the supervisor stops the step and says why.
    const { result, refunds } = await runRefunds({ model: new ScriptedModel(clerkScript), io: new ScriptedIO(), webhook });
    expect(refunds).toEqual([]);
    expect(result.ended).toMatchObject({ cause: 'stop', agent: 'supervisor', reason: expect.stringMatching(/asking a person failed: .*401/) });
    expect(desk.log).toEqual(['refused a delivery: the signature does not match']);
  } finally {
    await desk.close();
  }
});

test('`start` runs offline with the finance desk on loopback', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const env = { ...process.env };
  for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'HANDRAIL_WEBHOOK_URL', 'HANDRAIL_WEBHOOK_SECRET']) delete env[name];
  const started = spawnSync(`${root}node_modules/.bin/tsx`, ['--conditions=@handrail/source', 'src/main.ts'], { cwd: fileURLToPath(new URL('..', import.meta.url)), env, input: '', encoding: 'utf8', timeout: 60_000 });
  expect(started.stderr).toBe('');
  expect(started.status).toBe(0);
  expect(started.stdout).toContain('[handrail] approve by finance-desk from webhook\n>>>>>>>> APPROVED by finance-desk.');
  expect(started.stdout).toContain('[finance desk] left A-1002 for a manager, who is away\n[handrail] no answer in time from webhook\n>>>>>>>> NO HUMAN INPUT RECEIVED.');
  expect(started.stdout).toMatch(/The chat ended: no-input \(refund over 100\); refunded: A-1001 250 EUR\n$/);
});
