// The webhook channel over real HTTP on loopback: a signed question to a stand-in target, signed
// answers to the channel's endpoint, and every refusal answered with its status, changing nothing.
import { afterEach, describe, expect, test } from 'vitest';
import { ChannelError, signedHeaders, WebhookChannel, type ApprovalAnswer, type ApprovalRequest } from '../../src/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/testing/index.js';
import { refundPolicy, refundRun, secret } from './helpers.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function setUp(options: { status?: () => number } = {}): Promise<{ receiver: WebhookReceiver; webhook: WebhookChannel }> {
  const receiver = await startWebhookReceiver({ secret, ...options });
  const webhook = new WebhookChannel({ url: receiver.url, secret });
  await webhook.listen();
  cleanup.push(() => receiver.close(), () => webhook.close());
  return { receiver, webhook };
}

const request = (id: string): ApprovalRequest => ({
  id,
  runId: 'run-1',
  createdAt: new Date().toISOString(),
  prompt: 'Approve the refund of 250?',
  tool: { name: 'refund', args: { amount: 250 }, callId: 'call_1' },
  decision: { rule: 'large', reason: 'refund over 100', onNoInput: 'stop', policy: { name: 'refunds', hash: 'sha256:0' } },
});

describe('webhook channel', () => {
  test('a run waits for the signed answer to its signed question, then goes on', async () => {
    const { receiver, webhook } = await setUp();
    const run = refundRun({ channel: webhook });
    const question = await receiver.questions.next();
    expect(question).toMatchObject({ type: 'approval-requested', answerUrl: webhook.answerUrl, request: { prompt: 'assistant wants to refund. Approve?', tool: { name: 'refund', args: { order: 'A-7', amount: 250 } } } });
    expect(receiver.refused).toEqual([]);
    expect(webhook.approvals.pending.map((pending) => pending.id)).toEqual([question.request.id]);
    const answered = await receiver.answer(question, { kind: 'edit', args: { order: 'A-7', amount: 90 }, by: 'ana' });
    expect(answered).toMatchObject({ status: 200, body: { status: 'answered', id: question.request.id, answer: { kind: 'edit', by: 'ana' } } });
    const { refunds, result } = await run;
    expect(refunds).toEqual([{ order: 'A-7', amount: 90 }]);
    expect(result.events.find((event) => event.type === 'human-input-received')).toMatchObject({ channel: 'webhook', by: 'ana' });
    expect(webhook.approvals.pending).toEqual([]);
  });

  test('refusals: bad or missing signature 401, stale 401, replay 409, unknown id 404, malformed 400 — and the question still waits', async () => {
    const { receiver, webhook } = await setUp();
    const waiting = webhook.ask(request('req-1'), { signal: new AbortController().signal });
    const question = await receiver.questions.next();
    const url = question.answerUrl!;
    const body = JSON.stringify({ id: 'req-1', answer: { kind: 'approve', by: 'mallory' } });

    expect(await receiver.answer(question, { kind: 'approve' }, { secret: 'not-the-shared-secret-0000' })).toMatchObject({ status: 401, body: { reason: 'mismatch' } });
    expect(await receiver.post(url, body, { 'content-type': 'application/json' })).toMatchObject({ status: 401, body: { reason: 'missing' } });
    const tampered = signedHeaders(body, secret);
    expect(await receiver.post(url, body.replace('approve', 'reject'), tampered)).toMatchObject({ status: 401, body: { reason: 'mismatch' } });
    expect(await receiver.answer(question, { kind: 'approve' }, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).toMatchObject({ status: 401, body: { reason: 'stale' } });
    const other = JSON.stringify({ id: 'no-such-id', answer: { kind: 'approve' } });
    expect(await receiver.post(url, other, signedHeaders(other, secret))).toMatchObject({ status: 404, body: { id: 'no-such-id' } });
    for (const bad of ['not json', JSON.stringify({ answer: { kind: 'approve' } }), JSON.stringify({ id: 'req-1', answer: { kind: 'maybe' } }), JSON.stringify({ id: 'req-1', answer: { kind: 'reply', text: '' } }), JSON.stringify({ id: 'req-1', answer: { kind: 'edit', args: {}, callId: 'call_9' } })]) {
      expect(await receiver.post(url, bad, signedHeaders(bad, secret))).toMatchObject({ status: 400, body: { error: expect.any(String) } });
    }
    expect(webhook.approvals.pending.map((pending) => pending.id)).toEqual(['req-1']);

    const signed = signedHeaders(body, secret);
    expect(await receiver.post(url, body, signed)).toMatchObject({ status: 200, body: { status: 'answered' } });
    expect(await receiver.post(url, body, signed)).toMatchObject({ status: 409, body: { reason: 'replay' } });
    expect(await waiting).toMatchObject({ kind: 'approve', by: 'mallory' });
  });

  test('idempotent: the same answer again is 200 with the recorded answer; a different one is 409; nothing changes', async () => {
    const { receiver, webhook } = await setUp();
    const waiting = webhook.ask(request('req-2'), { signal: new AbortController().signal });
    const question = await receiver.questions.next();
    const first = await receiver.answer(question, { kind: 'reject', message: 'not this week', by: 'ana' });
    expect(first.status).toBe(200);
    const recorded = first.body.answer as ApprovalAnswer;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await receiver.answer(question, { kind: 'reject', message: 'not this week', by: 'bo' })).toEqual({ status: 200, body: { status: 'already-answered', id: 'req-2', answer: recorded } });
    expect(await receiver.answer(question, { kind: 'approve', by: 'bo' })).toMatchObject({ status: 409, body: { reason: 'already-answered', answer: recorded } });
    expect(await waiting).toEqual(recorded);
    expect(webhook.approvals.get('req-2')).toEqual({ request: question.request, answer: recorded });
  });

  test('a question that timed out takes no answer (409); the run stops as the policy says', async () => {
    const { receiver, webhook } = await setUp();
    const { result, refunds } = await refundRun({ channel: webhook, policy: refundPolicy({ timeout: '150ms', onNoInput: 'stop' }) });
    expect(result.ended).toMatchObject({ cause: 'no-input', reason: 'refund over 100', rule: 'large' });
    expect(refunds).toEqual([]);
    const question = await receiver.questions.next();
    expect(Date.parse(question.request.expiresAt!) - Date.parse(question.request.createdAt)).toBe(150);
    expect(await receiver.answer(question, { kind: 'approve' })).toMatchObject({ status: 409, body: { error: 'the question timed out before this answer', answer: { kind: 'timeout' } } });
  });

  test('delivery is retried on 5xx; a target that keeps refusing fails the question with a ChannelError', async () => {
    let calls = 0;
    const { receiver, webhook } = await setUp({ status: () => (++calls === 1 ? 503 : 200) });
    const waiting = webhook.ask(request('req-3'), { signal: new AbortController().signal });
    const question = await receiver.questions.next();
    expect(calls).toBe(2);
    await receiver.answer(question, { kind: 'approve' });
    expect((await waiting).kind).toBe('approve');

    const refusing = await setUp({ status: () => 403 });
    const error = await refusing.webhook.ask(request('req-4'), { signal: new AbortController().signal }).catch((caught: unknown) => caught);
    expect(ChannelError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ channel: 'webhook', status: 403, message: expect.stringContaining('refused approval req-4 with HTTP 403') });
    expect(refusing.webhook.approvals.get('req-4')).toBeUndefined();
  });

  test('misconfiguration is refused at once', () => {
    expect(() => new WebhookChannel({ url: 'http://127.0.0.1:1/x', secret: 'short' })).toThrow('a secret of at least 16 characters');
    expect(() => new WebhookChannel({ url: '', secret })).toThrow('needs the url');
  });
});
