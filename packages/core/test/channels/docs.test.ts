// docs/channels.md keeps its promises: the plain-Node verification sample accepts Handrail's
// signatures and refuses altered or stale ones, and the answer-signing sample is accepted by a
// real answer endpoint.
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { signWebhook, WebhookChannel } from '../../src/index.js';
import { startWebhookReceiver } from '../../src/testing/index.js';

const doc = readFileSync(new URL('../../../../docs/channels.md', import.meta.url), 'utf8');
const jsBlocks = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!);
const secret = 'docs-secret-0123456789abcdef';

test('the verification sample accepts a Handrail signature and refuses altered, stale and unsigned requests', async () => {
  const sample = doc.split('<!-- sample: verify -->')[1]!.match(/```js\n([\s\S]*?)```/)![1]!;
  const file = join(mkdtempSync(join(tmpdir(), 'handrail-docs-')), 'verify.mjs');
  writeFileSync(file, sample);
  const { verifyHandrailSignature } = (await import(pathToFileURL(file).href)) as { verifyHandrailSignature: (body: string | Buffer, headers: Record<string, string>, secret: string) => boolean };
  const body = '{"type":"approval-requested","request":{"id":"x"}}';
  const signed = signWebhook(body, secret);
  const headers = { 'handrail-timestamp': signed.timestamp, 'handrail-signature': signed.signature };
  expect(verifyHandrailSignature(body, headers, secret)).toBe(true);
  expect(verifyHandrailSignature(Buffer.from(body), headers, secret)).toBe(true);
  expect(verifyHandrailSignature(body.replace('x', 'y'), headers, secret)).toBe(false);
  expect(verifyHandrailSignature(body, headers, 'another-secret-0123456789')).toBe(false);
  const stale = signWebhook(body, secret, Math.floor(Date.now() / 1000) - 301);
  expect(verifyHandrailSignature(body, { 'handrail-timestamp': stale.timestamp, 'handrail-signature': stale.signature }, secret)).toBe(false);
  expect(verifyHandrailSignature(body, {}, secret)).toBe(false);
});

test('the answer-signing sample is accepted by the answer endpoint', async () => {
  const receiver = await startWebhookReceiver({ secret });
  const webhook = new WebhookChannel({ url: receiver.url, secret });
  await webhook.listen();
  try {
    const waiting = webhook.ask(
      { id: 'doc-1', runId: 'r', createdAt: new Date().toISOString(), prompt: 'ok?', decision: { rule: null, reason: 'r', onNoInput: 'stop', policy: { name: 'p', hash: 'h' } } },
      { signal: new AbortController().signal },
    );
    const question = await receiver.questions.next();
    const answering = jsBlocks.find((block) => block.includes('question.answerUrl'))!;
    const run = new Function('question', 'secret', 'createHmac', 'fetch', `return (async () => { ${answering} })();`) as (...args: unknown[]) => Promise<void>;
    await run(question, secret, createHmac, fetch);
    expect(await waiting).toMatchObject({ kind: 'approve', by: 'ana' });
  } finally {
    await webhook.close();
    await receiver.close();
  }
});
