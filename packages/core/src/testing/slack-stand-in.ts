// A stand-in for Slack, for tests and offline demos: an incoming webhook that keeps the messages
// posted to it, response URLs that keep the updates, and a person who clicks the buttons (the
// interactive callback, signed with the signing secret as Slack signs it).
import { header, listen, readBody, type Listening } from '../channels/http.js';
import { signSlack, slackSignatureHeader, slackTimestampHeader } from '../channels/signing.js';
import { slackApproveAction, slackRejectAction } from '../channels/slack-channel.js';
import { postAnswer, type AnswerResponse } from './webhook-receiver.js';
import { Inbox } from './inbox.js';

/** A message posted to the stand-in's incoming webhook. */
export interface SlackPost {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

export interface SlackStandInOptions {
  /** The signing secret clicks are signed with. */
  signingSecret: string;
  /** Where clicks go (the SlackChannel's interactivity endpoint); can also be set later. */
  interactionsUrl?: string;
  /** Called with each posted message, e.g. to click a button as a person would. */
  onMessage?: (message: SlackPost, slack: SlackStandIn) => void;
}

/**
 * A running stand-in Slack workspace.
 *
 * @example
 * const slack = await startSlackStandIn({ signingSecret });
 * const channel = new SlackChannel({ webhookUrl: slack.webhookUrl, signingSecret });
 * slack.interactionsUrl = (await channel.listen()).interactionsUrl;
 * const message = await slack.messages.next();
 * await slack.click(message, 'approve', { username: 'ana' });
 */
export interface SlackStandIn {
  /** The incoming webhook URL to give the SlackChannel. */
  webhookUrl: string;
  interactionsUrl: string | undefined;
  messages: Inbox<SlackPost>;
  /** Posts to response URLs (message updates), in order. */
  updates: Inbox<Record<string, unknown>>;
  /** The approval id a message's buttons carry. */
  approvalIdOf(message: SlackPost): string;
  /** Clicks Approve or Reject on a message, signed (or as forced by `timestamp`/`secret`). */
  click(message: SlackPost, action: 'approve' | 'reject', user?: { id?: string; username?: string }, options?: { timestamp?: number; secret?: string }): Promise<AnswerResponse>;
  /** POSTs exactly this form body with these headers to the interactivity endpoint. */
  post(body: string, headers: Record<string, string>): Promise<AnswerResponse>;
  /** The form body and signed headers of a click, without sending it. */
  signedClick(message: SlackPost, action: 'approve' | 'reject', user?: { id?: string; username?: string }, options?: { timestamp?: number; secret?: string }): { body: string; headers: Record<string, string> };
  close(): Promise<void>;
}

/**
 * Starts a stand-in Slack on loopback.
 *
 * @example
 * const slack = await startSlackStandIn({ signingSecret, onMessage: (m, s) => void s.click(m, 'approve', { username: 'ana' }) });
 */
export async function startSlackStandIn(options: SlackStandInOptions): Promise<SlackStandIn> {
  const messages = new Inbox<SlackPost>();
  const updates = new Inbox<Record<string, unknown>>();
  let responses = 0;
  let slack: SlackStandIn;
  const server: Listening = await listen(async (request, response) => {
    const body = (await readBody(request, 5_000_000)).toString('utf8');
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method === 'POST' && path === '/services/T0000/B0000/handrail') {
      if (!(header(request, 'content-type') ?? '').startsWith('application/json')) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
        return;
      }
      const message = JSON.parse(body) as SlackPost;
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      messages.push(message);
      options.onMessage?.(message, slack);
      return;
    }
    if (request.method === 'POST' && path.startsWith('/actions/')) {
      updates.push(JSON.parse(body) as Record<string, unknown>);
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
  });
  const approvalIdOf = (message: SlackPost): string => {
    const actions = message.blocks.find((block) => block.type === 'actions') as { elements?: Array<{ value?: string }> } | undefined;
    const id = actions?.elements?.[0]?.value;
    if (!id) throw new Error('the message has no buttons with an approval id');
    return id;
  };
  const post = async (body: string, headers: Record<string, string>): Promise<AnswerResponse> => {
    if (!slack.interactionsUrl) throw new Error('set interactionsUrl to the SlackChannel endpoint first');
    return postAnswer(slack.interactionsUrl, body, headers);
  };
  const signedClick: SlackStandIn['signedClick'] = (message, action, user = { id: 'U0001', username: 'approver' }, clickOptions = {}) => {
    const id = approvalIdOf(message);
    const payload = {
      type: 'block_actions',
      user: { id: user.id ?? 'U0001', username: user.username ?? 'approver', team_id: 'T0000' },
      api_app_id: 'A0000',
      container: { type: 'message' },
      response_url: `${server.url}/actions/${++responses}`,
      actions: [{ type: 'button', action_id: action === 'approve' ? slackApproveAction : slackRejectAction, block_id: `handrail:${id}`, value: id, action_ts: String(Date.now() / 1000) }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const signed = signSlack(body, clickOptions.secret ?? options.signingSecret, clickOptions.timestamp);
    return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', [slackTimestampHeader]: signed.timestamp, [slackSignatureHeader]: signed.signature } };
  };
  slack = {
    webhookUrl: `${server.url}/services/T0000/B0000/handrail`,
    interactionsUrl: options.interactionsUrl,
    messages,
    updates,
    approvalIdOf,
    post,
    signedClick,
    click: (message, action, user, clickOptions) => {
      const { body, headers } = signedClick(message, action, user, clickOptions);
      return post(body, headers);
    },
    close: () => server.close(),
  };
  return slack;
}
