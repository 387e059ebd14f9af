// A suspended question is sent through the policy's channel, and its answer may reach any
// process: a gated loop suspends on a webhook (or Slack) channel and is killed; the approver's
// signed answer is received by a second process serving the channel's endpoint on the store; a
// third process resumes the loop, and the tool runs exactly once. A question nobody answers in
// time takes the rule's `else` on resume, from a deadline counted from the question's creation.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileRunStore, type ApprovalRequest } from '@handrail/core';
import { startSlackStandIn, startWebhookReceiver } from '@handrail/core/testing';
import { sleep } from '@handrail/policy';
import { killChildren, startChild } from './fixtures/child-process.js';

const fixture = fileURLToPath(new URL('./fixtures/channel-loop.ts', import.meta.url));
const secret = 'webhook-secret-0123456789abcdef';
const timeout = 180_000;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-suspend-channels-'));
});
afterAll(() => {
  killChildren();
  rmSync(dir, { recursive: true, force: true });
});

const loop = (runId: string, ...args: string[]) => startChild(fixture, [join(dir, 'store'), join(dir, `${runId}.tool.log`), runId, ...args]);
const toolRuns = (runId: string) => (existsSync(join(dir, `${runId}.tool.log`)) ? readFileSync(join(dir, `${runId}.tool.log`), 'utf8').split('\n').filter(Boolean) : []);
const journal = async (runId: string) => (await new FileRunStore(join(dir, 'store')).readJournal(runId))!;

/** Starts the loop, which sends its question and suspends; kills it once it has said so. */
async function suspendAndKill(runId: string, args: string[]): Promise<{ request: ApprovalRequest }> {
  const first = loop(runId, 'start', ...args);
  const { suspended } = (await first.line('suspended')) as { suspended: { request: ApprovalRequest } };
  first.child.kill('SIGKILL');
  expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
  return suspended;
}

/** Resumes the run in a new process, twice: the second replays and runs nothing. */
async function resumeTwice(runId: string, args: string[]): Promise<[Record<string, unknown>, Record<string, unknown>]> {
  const third = loop(runId, 'resume', ...args);
  const done = await third.line('done');
  expect(await third.exited).toEqual({ code: 0, signal: null });
  const fourth = loop(runId, 'resume', ...args);
  const again = await fourth.line('done');
  expect(await fourth.exited).toEqual({ code: 0, signal: null });
  return [done, again];
}

it('webhook: sent while suspended, killed, the signed answer received by another process, resumed by a third; the tool runs once', { timeout }, async () => {
  const receiver = await startWebhookReceiver({ secret });
  try {
    const second = loop('refund-webhook', 'receive', 'webhook');
    const { url: answerUrl } = (await second.line('url')) as { url: string };
    const pending = await suspendAndKill('refund-webhook', ['webhook', '1h', receiver.url, answerUrl]);
    expect(toolRuns('refund-webhook')).toEqual([]);

    // The question reached the webhook target, signed, with where to answer.
    const question = await receiver.questions.next();
    expect(question).toMatchObject({ type: 'approval-requested', answerUrl, request: { id: pending.request.id, tool: { name: 'refund', args: { amount: 250 } }, decision: { channel: 'webhook' } } });
    const approved = await receiver.answer(question, { kind: 'approve', by: 'ana' });
    expect(approved).toMatchObject({ status: 200, body: { status: 'answered', answer: { kind: 'approve', by: 'ana' } } });
    // The answer is in the store, for any process: a different one later is refused.
    expect(await receiver.answer(question, { kind: 'reject', message: 'changed my mind', by: 'bo' })).toMatchObject({ status: 409, body: { reason: 'already-answered' } });
    second.child.kill('SIGKILL');

    const [done, again] = await resumeTwice('refund-webhook', ['webhook', '1h', receiver.url]);
    expect(done).toMatchObject({ done: true, verdict: 'proceed', result: { refunded: 250 } });
    expect(again).toEqual(done);
    expect(toolRuns('refund-webhook')).toEqual(['refunded 250']);
    // Sent once: the resumes replayed the delivery rather than posting the question again.
    expect(receiver.questions.all).toHaveLength(1);
    const records = await journal('refund-webhook');
    expect(records.filter((record) => record.type === 'approval-answered')).toMatchObject([{ channel: 'webhook', answer: { kind: 'approve', by: 'ana' } }]);
    expect(records.filter((record) => record.type === 'step-finished' && record.key.endsWith('/sent'))).toMatchObject([{ result: { sent: true, channel: 'webhook' } }]);
  } finally {
    await receiver.close();
  }
});

it("Slack: the signed click received by another process's interactivity endpoint resumes the loop in a third; the tool runs once", { timeout }, async () => {
  const slack = await startSlackStandIn({ signingSecret: secret });
  try {
    const second = loop('refund-slack', 'receive', 'slack');
    slack.interactionsUrl = ((await second.line('url')) as { url: string }).url;
    const pending = await suspendAndKill('refund-slack', ['slack', '1h', slack.webhookUrl]);
    const message = await slack.messages.next();
    expect(slack.approvalIdOf(message)).toBe(pending.request.id);
    const click = slack.signedClick(message, 'approve', { username: 'ana' });
    expect(await slack.post(click.body, click.headers)).toMatchObject({ status: 200, body: { status: 'answered', answer: { kind: 'approve', by: 'ana' } } });
    // The same signed click again is a replay.
    expect(await slack.post(click.body, click.headers)).toMatchObject({ status: 409, body: { reason: 'replay' } });
    expect(await slack.updates.next()).toMatchObject({ replace_original: true, text: expect.stringContaining('Approved by ana') });
    second.child.kill('SIGKILL');

    const [done] = await resumeTwice('refund-slack', ['slack', '1h', slack.webhookUrl]);
    expect(done).toMatchObject({ done: true, verdict: 'proceed', result: { refunded: 250 } });
    expect(toolRuns('refund-slack')).toEqual(['refunded 250']);
    expect(slack.messages.all).toHaveLength(1);
  } finally {
    await slack.close();
  }
});

it("a suspended question nobody answered in time takes the rule's else on resume; a late answer is refused", { timeout }, async () => {
  const receiver = await startWebhookReceiver({ secret });
  try {
    const second = loop('refund-late', 'receive', 'webhook');
    const { url: answerUrl } = (await second.line('url')) as { url: string };
    const pending = await suspendAndKill('refund-late', ['webhook', '2s', receiver.url, answerUrl]);
    // The deadline is absolute, counted from the question's creation.
    expect(Date.parse(pending.request.expiresAt!) - Date.parse(pending.request.createdAt)).toBe(2000);
    const question = await receiver.questions.next();
    const wait = Date.parse(pending.request.expiresAt!) - Date.now();
    if (wait > 0) await sleep(wait + 50);
    expect(await receiver.answer(question, { kind: 'approve', by: 'ana' })).toMatchObject({ status: 409, body: { reason: 'already-answered', answer: { kind: 'timeout' } } });
    second.child.kill('SIGKILL');

    const [done] = await resumeTwice('refund-late', ['webhook', '2s', receiver.url]);
    expect(done).toMatchObject({ done: true, verdict: 'stop', reason: 'large refund; nobody answered' });
    expect(toolRuns('refund-late')).toEqual([]);
  } finally {
    await receiver.close();
  }
});
