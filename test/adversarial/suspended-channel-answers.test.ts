// A suspended question's answer arrives at a channel's endpoint served on the run's store — by
// any process, from anyone who can reach it. Attacked here: answers without the right signature,
// hostile answers (arguments nested too deep, too large, an edit of a call the question lacks),
// the webhook secret used on a question routed to Slack, two receivers answering at once with
// different answers, replays to a second receiver, and a delivery that failed. Each fails
// closed: nothing is stored that the checks refuse, the first stored answer is the answer, and
// a question nobody was shown never lets the loop go on. HANDRAIL_FUZZ_RUNS scales the races.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy, sleep } from '@handrail/policy';
import { answerApproval, createSupervisor, DurableRun, FileRunStore, SlackChannel, WebhookChannel, type ApprovalRequest, type Verdict } from '../../packages/core/src/index.js';
import { startSlackStandIn, startWebhookReceiver, type WebhookReceiver } from '../../packages/core/src/testing/index.js';
import { fuzzRuns } from './fuzz-runs.js';

const secret = 'webhook-secret-0123456789abcdef';
const refund = { content: null, role: 'assistant' as const, sender: 'clerk', tool: { name: 'refund', args: { amount: 250 } } };
const policyVia = (channel: string, timeout = '1h') =>
  compilePolicy(`policy refunds
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund" via ${channel} timeout ${timeout} else continue`);

let dir: string;
let receiver: WebhookReceiver;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-suspended-answers-'));
  receiver = await startWebhookReceiver({ secret });
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

let runs = 0;
/** A loop suspended on a question sent through `channel`; the run is closed, as a killed process's would be. */
async function suspended(store: FileRunStore, channels: Record<string, WebhookChannel | SlackChannel>, via: string, timeout?: string): Promise<{ runId: string; request: ApprovalRequest }> {
  const runId = `run-${++runs}`;
  const run = await DurableRun.open(store, runId);
  const verdict = await createSupervisor({ policy: policyVia(via, timeout), run, wait: 'suspend', channels }).check(refund);
  await run.close();
  if (verdict.kind !== 'suspended') throw new Error(`expected a suspended verdict, not ${verdict.kind}`);
  return { runId, request: verdict.pending.request };
}

async function resumed(store: FileRunStore, runId: string, channels: Record<string, WebhookChannel | SlackChannel>, via: string, timeout?: string): Promise<Verdict> {
  const run = await DurableRun.restore(store, runId);
  try {
    return await createSupervisor({ policy: policyVia(via, timeout), run, wait: 'suspend', channels }).check(refund);
  } finally {
    await run.close();
  }
}

/** A receiving process's endpoint: a webhook channel on the store, serving answers. */
async function webhookEndpoint(store: FileRunStore): Promise<{ channel: WebhookChannel; answerUrl: string }> {
  const channel = new WebhookChannel({ url: receiver.url, secret, store });
  const { answerUrl } = await channel.listen({ port: 0 });
  return { channel, answerUrl };
}

describe('answers at an endpoint served on the store', () => {
  it('refuses unsigned, wrongly signed and stale answers, and hostile ones, storing nothing', async () => {
    const store = new FileRunStore(join(dir, 'store'));
    const { channel, answerUrl } = await webhookEndpoint(store);
    const sender = new WebhookChannel({ url: receiver.url, secret, answerUrl });
    try {
      const { request } = await suspended(store, { webhook: sender }, 'webhook');
      const question = await receiver.questions.next();
      expect(question.request.id).toBe(request.id);
      const body = (answer: unknown) => JSON.stringify({ id: request.id, answer });
      expect((await receiver.post(answerUrl, body({ kind: 'approve' }), { 'content-type': 'application/json' })).status).toBe(401);
      expect((await receiver.answer(question, { kind: 'approve' }, { secret: 'another-secret-0123456789abcdef' })).status).toBe(401);
      expect((await receiver.answer(question, { kind: 'approve' }, { timestamp: Math.floor(Date.now() / 1000) - 3600 })).status).toBe(401);
      const deep = JSON.parse('['.repeat(65) + ']'.repeat(65)) as unknown;
      expect(await receiver.answer(question, { kind: 'edit', args: deep })).toMatchObject({ status: 400, body: { error: expect.stringContaining('deeper than 64') } });
      expect(await receiver.answer(question, { kind: 'edit', args: 'x'.repeat(1_100_000) })).toMatchObject({ status: 413 });
      expect(await receiver.answer(question, { kind: 'edit', args: { amount: 1 }, callId: 'call_other' })).toMatchObject({ status: 400 });
      expect((await receiver.answer({ ...question, request: { ...question.request, id: '../answers/x' } }, { kind: 'approve' })).status).toBe(404);
      expect((await store.getApproval(request.id))?.answer).toBeUndefined();
    } finally {
      await channel.close();
    }
  });

  it("the webhook's secret does not answer a question routed to Slack", async () => {
    const store = new FileRunStore(join(dir, 'store'));
    const slack = await startSlackStandIn({ signingSecret: 'slack-signing-secret' });
    const { channel, answerUrl } = await webhookEndpoint(store);
    try {
      const { request } = await suspended(store, { slack: new SlackChannel({ webhookUrl: slack.webhookUrl, signingSecret: 'slack-signing-secret' }) }, 'slack');
      expect(slack.approvalIdOf(await slack.messages.next())).toBe(request.id);
      const forged = await receiver.answer({ type: 'approval-requested', request, answerUrl }, { kind: 'approve', by: 'mallory' });
      expect(forged).toMatchObject({ status: 404 });
      expect((await store.getApproval(request.id))?.answer).toBeUndefined();
    } finally {
      await channel.close();
      await slack.close();
    }
  });

  it('two receivers answering at once: one answer is stored, the other is told conflict, the run takes the stored one', async () => {
    for (let round = 0; round < fuzzRuns(5); round++) {
      // Two processes' worth of receivers: each its own store object and replay guard.
      const first = await webhookEndpoint(new FileRunStore(join(dir, 'store')));
      const second = await webhookEndpoint(new FileRunStore(join(dir, 'store')));
      try {
        const store = new FileRunStore(join(dir, 'store'));
        const { runId, request } = await suspended(store, { webhook: new WebhookChannel({ url: receiver.url, secret, answerUrl: first.answerUrl }) }, 'webhook');
        const question = await receiver.questions.next();
        const [a, b] = await Promise.all([
          receiver.answer(question, { kind: 'approve', by: 'ana' }, { answerUrl: first.answerUrl }),
          receiver.answer(question, { kind: 'reject', message: 'no', by: 'bo' }, { answerUrl: second.answerUrl }),
        ]);
        expect([a.status, b.status].sort()).toEqual([200, 409]);
        const stored = (await store.getApproval(request.id))!.answer!.answer;
        const verdict = await resumed(store, runId, { webhook: new WebhookChannel({ url: receiver.url, secret }) }, 'webhook');
        expect(verdict.kind).toBe(stored.kind === 'approve' ? 'proceed' : 'reject');
        // The same signed answer replayed to the other receiver (whose replay guard never saw it) changes nothing.
        const winner = a.status === 200 ? { answer: { kind: 'approve', by: 'ana' } as const, url: second.answerUrl } : { answer: { kind: 'reject', message: 'no', by: 'bo' } as const, url: first.answerUrl };
        expect(await receiver.answer(question, winner.answer, { answerUrl: winner.url })).toMatchObject({ status: 200, body: { status: 'already-answered' } });
        expect((await store.getApproval(request.id))!.answer!.answer).toEqual(stored);
      } finally {
        await first.channel.close();
        await second.channel.close();
      }
    }
  });
});

describe('a question that could not be sent', () => {
  /** A new run whose webhook refuses every question. */
  async function refusedRun(test: (context: { store: FileRunStore; channels: { webhook: WebhookChannel }; runId: string; run: DurableRun }) => Promise<void>): Promise<void> {
    const store = new FileRunStore(join(dir, 'store'));
    const refusing = await startWebhookReceiver({ secret, status: () => 403 });
    const channels = { webhook: new WebhookChannel({ url: refusing.url, secret, retries: 0 }) };
    try {
      const runId = `run-${++runs}`;
      await test({ store, channels, runId, run: await DurableRun.open(store, runId) });
    } finally {
      await refusing.close();
    }
  }

  it('stops the step; a restored run stops again, and the deadline passing does not let it go on', () =>
    refusedRun(async ({ store, channels, runId, run }) => {
      const first = await createSupervisor({ policy: policyVia('webhook', '1s'), run, wait: 'suspend', channels }).check(refund);
      await run.close();
      expect(first).toMatchObject({ kind: 'stop', reason: expect.stringContaining('asking a person failed') });
      // The rule says `else continue`, but nobody was shown the question: its deadline passing changes nothing.
      await sleep(1100);
      expect(await resumed(store, runId, channels, 'webhook', '1s')).toMatchObject({ kind: 'stop', reason: expect.stringContaining('asking a person failed') });
    }));

  it('a person who answered through the store (the approval server) is heard', () =>
    refusedRun(async ({ store, channels, runId, run }) => {
      expect((await createSupervisor({ policy: policyVia('webhook'), run, wait: 'suspend', channels }).check(refund)).kind).toBe('stop');
      await run.close();
      const [request] = (await store.listPendingApprovals()).filter((item) => item.runId === runId);
      expect(await answerApproval(store, request!.id, { kind: 'approve', by: 'ana' }, { channel: 'web' })).toMatchObject({ status: 'answered' });
      expect(await resumed(store, runId, channels, 'webhook')).toMatchObject({ kind: 'proceed', answer: { kind: 'approve', by: 'ana' } });
    }));
});
