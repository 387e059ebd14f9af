// The Slack channel against a stand-in Slack on loopback: the Block Kit message, a signed click
// on its buttons, the message updated through response_url, and refused clicks.
import { afterEach, describe, expect, test } from 'vitest';
import { signSlack, SlackChannel, slackMessage, type ApprovalRequest } from '../../src/index.js';
import { startSlackStandIn, type SlackStandIn } from '../../src/testing/index.js';
import { refundRun } from './helpers.js';

const signingSecret = '8f742231b10e8888abcd99yyyzzz85a5';
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function setUp(): Promise<{ slack: SlackStandIn; channel: SlackChannel }> {
  const slack = await startSlackStandIn({ signingSecret });
  const channel = new SlackChannel({ webhookUrl: slack.webhookUrl, signingSecret });
  slack.interactionsUrl = (await channel.listen()).interactionsUrl;
  cleanup.push(() => slack.close(), () => channel.close());
  return { slack, channel };
}

const request: ApprovalRequest = {
  id: '0b6f3c1e-1111-4000-8000-000000000001',
  runId: 'run-7',
  createdAt: '2026-01-01T00:00:00.000Z',
  agent: 'user',
  sender: 'assistant',
  prompt: 'Refund <@here> & everyone?',
  message: { role: 'assistant', content: 'I will refund <b>250</b>' },
  tool: { name: 'refund', args: { amount: 250 }, callId: 'call_1' },
  decision: { rule: 'large', reason: 'refund over 100', onNoInput: 'stop', policy: { name: 'refunds', hash: 'sha256:abcdef0123456789abcdef' } },
};

describe('Slack channel', () => {
  test('the message: prompt, rule, reason, policy, message, tool call and arguments, and two buttons carrying the id; text escaped', () => {
    const message = slackMessage(request);
    expect(message.text).toBe('Approval needed: Refund &lt;@here&gt; &amp; everyone?');
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('Refund &lt;@here&gt; &amp; everyone?');
    expect(text).not.toContain('<@here>');
    expect(text).toContain('*Rule*\\nlarge');
    expect(text).toContain('*Reason*\\nrefund over 100');
    expect(text).toContain('I will refund &lt;b&gt;250&lt;/b&gt;');
    expect(text).toContain('*Tool call* `refund`\\n```{\\n  \\"amount\\": 250\\n}```');
    expect(message.blocks.find((block) => (block as { type: string }).type === 'actions')).toMatchObject({
      block_id: `handrail:${request.id}`,
      elements: [
        { type: 'button', action_id: 'handrail_approve', style: 'primary', value: request.id },
        { type: 'button', action_id: 'handrail_reject', style: 'danger', value: request.id },
      ],
    });
  });

  test.each([
    ['refuse', 'Reject refuses this call and tells the model; the run goes on.'],
    ['end', 'Reject ends the run.'],
  ] as const)('the message says what reject will do (%s) before anyone clicks, in a field and in the button\'s confirmation', (onReject, said) => {
    const message = slackMessage({ ...request, decision: { ...request.decision, onReject } });
    expect(JSON.stringify(message.blocks)).toContain(`*If rejected*\\n${said}`);
    const actions = message.blocks.find((block) => (block as { type: string }).type === 'actions') as { elements: Array<{ confirm?: { text: { text: string } } }> };
    expect(actions.elements[1]!.confirm!.text.text).toBe(said);
  });

  test('a run waits for a click on Approve, and the message is updated with who approved', async () => {
    const { slack, channel } = await setUp();
    const run = refundRun({ channel });
    const message = await slack.messages.next();
    expect(message.text).toBe('Approval needed: assistant wants to refund. Approve?');
    expect(await slack.click(message, 'approve', { id: 'U42', username: 'ana' })).toMatchObject({ status: 200, body: { status: 'answered', answer: { kind: 'approve', by: 'ana' } } });
    const { refunds, result } = await run;
    expect(refunds).toEqual([{ order: 'A-7', amount: 250 }]);
    expect(result.events.find((event) => event.type === 'human-input-received')).toMatchObject({ channel: 'slack', by: 'ana' });
    expect(await slack.updates.next()).toEqual({ replace_original: true, text: 'Approved by ana: assistant wants to refund. Approve?' });
  });

  test('Reject stops the run; a later different click is 409 (and told so), the same click again 200', async () => {
    const { slack, channel } = await setUp();
    const run = refundRun({ channel });
    const message = await slack.messages.next();
    expect((await slack.click(message, 'reject', { username: 'bo' })).status).toBe(200);
    const { result, refunds } = await run;
    expect(refunds).toEqual([]);
    expect(result.ended).toMatchObject({ cause: 'rejected', reason: 'rejected by bo: rejected in Slack' });
    await slack.updates.next();
    expect(await slack.click(message, 'approve', { username: 'cy' })).toMatchObject({ status: 409, body: { reason: 'already-answered', answer: { kind: 'reject', by: 'bo' } } });
    expect(await slack.updates.next()).toEqual({ response_type: 'ephemeral', replace_original: false, text: 'Too late: rejected by bo.' });
    expect(await slack.click(message, 'reject', { username: 'cy' })).toMatchObject({ status: 200, body: { status: 'already-answered' } });
  });

  test('refused clicks: bad signature, missing, stale, replayed, unknown id, not a button click — the question still waits', async () => {
    const { slack, channel } = await setUp();
    const waiting = channel.ask(request, { signal: new AbortController().signal });
    const message = await slack.messages.next();
    expect(await slack.click(message, 'approve', undefined, { secret: 'wrong-secret' })).toMatchObject({ status: 401, body: { reason: 'mismatch' } });
    expect(await slack.click(message, 'approve', undefined, { timestamp: Math.floor(Date.now() / 1000) - 301 })).toMatchObject({ status: 401, body: { reason: 'stale' } });
    const { body, headers } = slack.signedClick(message, 'approve');
    expect(await slack.post(body, { 'content-type': headers['content-type']! })).toMatchObject({ status: 401, body: { reason: 'missing' } });
    const unknown = body.replaceAll(request.id, '0b6f3c1e-1111-4000-8000-00000000dead');
    const signedUnknown = signSlack(unknown, signingSecret);
    expect(await slack.post(unknown, { ...headers, 'x-slack-request-timestamp': signedUnknown.timestamp, 'x-slack-signature': signedUnknown.signature })).toMatchObject({ status: 404 });
    for (const bad of ['payload=not-json', 'text=hello', `payload=${encodeURIComponent(JSON.stringify({ type: 'view_submission' }))}`]) {
      const signed = signSlack(bad, signingSecret);
      expect(await slack.post(bad, { ...headers, 'x-slack-request-timestamp': signed.timestamp, 'x-slack-signature': signed.signature })).toMatchObject({ status: 400 });
    }
    expect(channel.approvals.pending.map((pending) => pending.id)).toEqual([request.id]);
    expect(await slack.post(body, headers)).toMatchObject({ status: 200 });
    expect(await slack.post(body, headers)).toMatchObject({ status: 409, body: { reason: 'replay' } });
    expect(await waiting).toMatchObject({ kind: 'approve', by: 'approver' });
  });
});
