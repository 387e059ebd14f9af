// The Slack channel: each question is a Block Kit message posted to an incoming webhook, with
// Approve and Reject buttons carrying the approval id; a click comes back to the interactivity
// endpoint as a form with a `payload` field, signed with the app's signing secret.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ConfigurationError, formatTime } from '@handrail/policy';
import type { RunStore } from '../durable/run-store.js';
import { parseApprovalAnswer } from './answers.js';
import { rejectEffect, type ApprovalAnswer, type ApprovalChannel, type ApprovalRequest } from './approval.js';
import { ChannelError } from './channel-error.js';
import { BodyTooLarge, header, listen, postWithRetries, readBody, sendJson, sendOutcome, type Listening } from './http.js';
import { PendingApprovals, type AnswerOutcome } from './pending-approvals.js';
import { ReplayGuard } from './replay-guard.js';
import { slackSignatureHeader, slackTimestampHeader, verifySlack, type Secrets } from './signing.js';
import { deliverAnswer, findQuestion } from './stored-questions.js';

/**
 * The `action_id`s of the two buttons.
 *
 * @example
 * const approved = payload.actions[0].action_id === slackApproveAction;
 */
export const slackApproveAction = 'handrail_approve';
/** @example const rejected = payload.actions[0].action_id === slackRejectAction; */
export const slackRejectAction = 'handrail_reject';

export interface SlackChannelOptions {
  /** The incoming webhook URL (`https://hooks.slack.com/services/…`) questions are posted to. */
  webhookUrl: string | URL;
  /** The Slack app's signing secret; clicks are verified with it. */
  signingSecret: Secrets;
  /** The channel's name; `slack` by default. */
  name?: string;
  /** How far a click's signed timestamp may be from now; 5 minutes by default. */
  toleranceMs?: number;
  /** Update the message through the click's `response_url` (who answered, or that it was too late); true by default. */
  updateMessage?: boolean;
  retries?: number;
  fetch?: typeof fetch;
  /**
   * The store of durable runs. The interactivity endpoint then also answers the store's
   * questions — those of runs in any process, waiting or suspended (`send`) — that name this
   * channel (`via`) or none, through `answerApproval`: the first answer stored wins across processes.
   *
   * @example
   * const receiver = new SlackChannel({ webhookUrl, signingSecret, store: new FileRunStore('.handrail/runs') });
   */
  store?: RunStore;
}

const slackEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Untrusted text as Slack shows it literally: `&`, `<` and `>` escaped (so `<!channel>`,
 * `<@U123>` and `<url|text>` are not mentions or links), cut so that the escaped text, with
 * its `…`, is at most `max` characters (an entity is never cut in half). Every piece of text
 * that goes into a Slack message passes through here.
 *
 * @example
 * slackText('<!channel> & co'); // '&lt;!channel&gt; &amp; co'
 */
export function slackText(text: string, max = 2900): string {
  const whole = text.replace(/[&<>]/g, (character) => slackEntities[character]!);
  if (whole.length <= max) return whole;
  let escaped = '';
  for (const character of text) {
    const piece = slackEntities[character] ?? character;
    if (escaped.length + piece.length > max - 1) return `${escaped}…`;
    escaped += piece;
  }
  return escaped;
}

/** A text object: mrkdwn with `verbatim`, so Slack links and mentions nothing on its own. */
const mrkdwnText = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });

/**
 * The Block Kit message for a request: the prompt, the rule, reason and policy, the message and
 * the tool call with its arguments, and the two buttons (their `value` is the approval id).
 *
 * @example
 * await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(slackMessage(request)) });
 */
export function slackMessage(request: ApprovalRequest): { text: string; blocks: unknown[]; unfurl_links: false; unfurl_media: false } {
  const { decision } = request;
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: slackText(`Approval needed${request.agent ? ` by ${request.agent}` : ''}`, 150) } },
    { type: 'section', text: mrkdwnText(slackText(request.prompt)) },
    {
      type: 'section',
      fields: [
        mrkdwnText(`*Rule*\n${slackText(decision.rule ?? '(none)', 500)}`),
        mrkdwnText(`*Reason*\n${slackText(decision.reason, 500)}`),
        mrkdwnText(`*Policy*\n${slackText(decision.policy.name, 200)} \`${slackText(decision.policy.hash.slice(0, 19), 40)}\``),
        mrkdwnText(`*If rejected*\n${slackText(rejectEffect(request), 200)}`),
        mrkdwnText(`*If nobody answers*\n${slackText(`${decision.onNoInput}${request.expiresAt ? ` at ${formatTime(request.expiresAt)}` : ''}`, 200)}`),
      ],
    },
  ];
  if (request.message?.content) blocks.push({ type: 'section', text: mrkdwnText(`*Message${request.sender ? ` from ${slackText(request.sender, 100)}` : ''}*\n${slackText(request.message.content, 2500)}`) });
  for (const tool of request.tools ?? (request.tool ? [request.tool] : [])) {
    blocks.push({ type: 'section', text: mrkdwnText(`*Tool call* \`${slackText(tool.name, 100)}\`\n\`\`\`${slackText(JSON.stringify(tool.args, null, 2) ?? 'undefined', 2500)}\`\`\``) });
  }
  blocks.push({
    type: 'actions',
    block_id: `handrail:${request.id}`,
    elements: [
      { type: 'button', action_id: slackApproveAction, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: request.id },
      {
        type: 'button',
        action_id: slackRejectAction,
        style: 'danger',
        text: { type: 'plain_text', text: 'Reject' },
        value: request.id,
        confirm: { title: { type: 'plain_text', text: 'Reject?' }, text: { type: 'plain_text', text: slackText(rejectEffect(request), 300) }, confirm: { type: 'plain_text', text: 'Reject' }, deny: { type: 'plain_text', text: 'Back' } },
      },
    ],
  });
  blocks.push({ type: 'context', elements: [mrkdwnText(`approval \`${slackText(request.id, 100)}\` · run \`${slackText(request.runId, 100)}\``)] });
  // Link previews would fetch any address the prompt quotes: none are unfurled.
  return { text: slackText(`Approval needed: ${request.prompt}`, 300), blocks, unfurl_links: false, unfurl_media: false };
}

/** The part of Slack's `block_actions` payload this channel reads, every field yet to be checked. */
interface BlockActions {
  type?: unknown;
  user?: unknown;
  actions?: unknown;
  response_url?: unknown;
}

/**
 * Asks in Slack: posts `slackMessage(request)` to the incoming webhook and waits for a click.
 * The interactivity endpoint (`handler`, or `listen()`) verifies `X-Slack-Signature`
 * (`v0=HMAC_SHA256(signingSecret, "v0:<ts>:<raw body>")`, 5-minute window), reads the form's
 * `payload`, and records Approve or Reject with the Slack user as `by`; statuses as the webhook
 * channel's (401 bad, missing or stale signature; 409 replay or a different answer already
 * given; 404 unknown id; 400 malformed). With `updateMessage`, the message is updated through
 * the click's `response_url`.
 *
 * @example
 * const slack = new SlackChannel({ webhookUrl: process.env.SLACK_WEBHOOK_URL!, signingSecret: process.env.SLACK_SIGNING_SECRET! });
 * await slack.listen({ port: 3000 }); // set the app's Interactivity Request URL to https://<public host>/slack/interactions
 * const user = new UserProxyAgent('user', { channels: { slack }, policy }); // rules say `via slack`
 */
export class SlackChannel implements ApprovalChannel {
  readonly name: string;
  readonly approvals = new PendingApprovals();
  readonly #options: SlackChannelOptions;
  readonly #secrets: string[];
  readonly #replays: ReplayGuard;
  #servers: Listening[] = [];
  readonly #updating = new Set<Promise<void>>();

  constructor(options: SlackChannelOptions) {
    if (!options?.webhookUrl) throw new ConfigurationError('a Slack channel needs the incoming webhook URL its questions are posted to');
    new URL(String(options.webhookUrl));
    this.#secrets = typeof options.signingSecret === 'string' ? [options.signingSecret] : [...(options.signingSecret ?? [])];
    if (!this.#secrets.length || this.#secrets.some((secret) => typeof secret !== 'string' || secret === '')) throw new ConfigurationError("a Slack channel needs the app's signing secret");
    this.name = options.name ?? 'slack';
    this.#options = options;
    this.#replays = new ReplayGuard(options.toleranceMs);
  }

  async ask(request: ApprovalRequest, { signal }: { signal: AbortSignal }): Promise<ApprovalAnswer> {
    return this.approvals.sendAndWait(request, signal, () => this.send(request, { signal }));
  }

  /**
   * Posts the question without waiting for a click (a suspended loop's question); the click
   * comes to the interactivity endpoint of whichever process serves it with the run's `store`.
   * Throws a ChannelError when Slack could not be reached or refused the message.
   *
   * @example
   * await slack.send(pending.request);
   */
  async send(request: ApprovalRequest, { signal = AbortSignal.timeout(60_000) }: { signal?: AbortSignal } = {}): Promise<void> {
    let response: Response;
    try {
      response = await postWithRetries(this.#options.fetch ?? fetch, String(this.#options.webhookUrl), { body: JSON.stringify(slackMessage(request)), headers: { 'content-type': 'application/json' }, signal }, this.#options.retries ?? 2);
    } catch (error) {
      throw new ChannelError(this.name, `could not post approval ${request.id} to Slack: ${(error as Error).message}`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) throw new ChannelError(this.name, `Slack refused approval ${request.id} with HTTP ${response.status}: ${text.slice(0, 200)}`, { status: response.status });
  }

  /** The interactivity endpoint as a node:http listener. */
  readonly handler: RequestListener = (request, response) => {
    this.#handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: 'the click could not be handled' });
      process.emitWarning(`Slack interactivity endpoint: ${(error as Error).message}`);
    });
  };

  /**
   * Serves the interactivity endpoint at `path` (default `/slack/interactions`).
   *
   * @example
   * const { url } = await slack.listen({ port: 3000 });
   */
  async listen(options: { port?: number; host?: string; path?: string } = {}): Promise<Listening & { interactionsUrl: string }> {
    const path = options.path ?? '/slack/interactions';
    const server = await listen((request, response) => {
      if (new URL(request.url ?? '/', 'http://x').pathname !== path) return sendJson(response, 404, { error: 'not found' });
      this.handler(request, response);
    }, options);
    this.#servers.push(server);
    return { ...server, interactionsUrl: `${server.url}${path}` };
  }

  /** Stops the servers started by `listen` once the message updates under way are sent; open questions time out. */
  async close(): Promise<void> {
    await Promise.all(this.#updating);
    this.approvals.expireAll();
    await Promise.all(this.#servers.map((server) => server.close()));
    this.#servers = [];
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') return sendJson(response, 405, { error: 'Slack POSTs interactions' }, { allow: 'POST' });
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (error instanceof BodyTooLarge) return sendJson(response, 413, { error: error.message }, { connection: 'close' });
      throw error;
    }
    const check = verifySlack({ body, timestamp: header(request, slackTimestampHeader), signature: header(request, slackSignatureHeader) }, this.#secrets, this.#options.toleranceMs !== undefined ? { toleranceMs: this.#options.toleranceMs } : {});
    if (!check.ok) return sendJson(response, 401, { error: check.message, reason: check.reason });
    if (!this.#replays.check(check.digest, check.timestamp)) return sendJson(response, 409, { error: 'this signed request was already received (a replay)', reason: 'replay' });
    let payload: BlockActions;
    try {
      const raw = new URLSearchParams(body.toString('utf8')).get('payload');
      if (raw === null) return sendJson(response, 400, { error: 'the form has no payload field' });
      payload = JSON.parse(raw) as BlockActions;
    } catch {
      return sendJson(response, 400, { error: 'the payload is not JSON' });
    }
    const actions: unknown[] = Array.isArray(payload?.actions) ? payload.actions : [];
    const action = actions.find((item): item is { action_id: string; value: unknown } => typeof item === 'object' && item !== null && [slackApproveAction, slackRejectAction].includes((item as { action_id?: unknown }).action_id as string));
    if (payload?.type !== 'block_actions' || !action || typeof action.value !== 'string') return sendJson(response, 400, { error: 'not a click on an Approve or Reject button' });
    const id = action.value;
    const store = this.#options.store;
    const known = await findQuestion(id, this.approvals, store, this.name);
    if (!known) return sendOutcome(response, id, { status: 'unknown' });
    const user = (typeof payload.user === 'object' && payload.user !== null ? payload.user : {}) as Record<string, unknown>;
    const by = user.username ?? user.name ?? user.id;
    const parsed = parseApprovalAnswer(action.action_id === slackApproveAction ? { kind: 'approve' } : { kind: 'reject', message: 'rejected in Slack' }, known.request, by as string | undefined);
    if (!parsed.ok) return sendJson(response, 400, { error: parsed.error, id });
    const answer = parsed.answer;
    const outcome = await deliverAnswer(id, known, answer, { approvals: this.approvals, store, channel: this.name });
    sendOutcome(response, id, outcome);
    // Slack wants its answer within 3 seconds: the message is updated after it.
    const updating = this.#update(typeof payload.response_url === 'string' ? payload.response_url : undefined, outcome);
    this.#updating.add(updating);
    await updating;
    this.#updating.delete(updating);
  }

  async #update(responseUrl: string | undefined, outcome: AnswerOutcome): Promise<void> {
    if (this.#options.updateMessage === false || !responseUrl || outcome.status === 'unknown' || outcome.status === 'repeated') return;
    const { answer } = outcome;
    const who = 'by' in answer && answer.by ? ` by ${slackText(answer.by, 100)}` : '';
    const said = answer.kind === 'approve' ? `Approved${who}` : answer.kind === 'reject' ? `Rejected${who}` : answer.kind === 'timeout' ? 'Nobody answered in time' : `Answered (${answer.kind})${who}`;
    const body =
      outcome.status === 'answered'
        ? { replace_original: true, text: `${said}: ${slackText(outcome.request.prompt, 300)}` }
        : { response_type: 'ephemeral', replace_original: false, text: `Too late: ${said.charAt(0).toLowerCase()}${said.slice(1)}.` };
    try {
      await postWithRetries(this.#options.fetch ?? fetch, responseUrl, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(5000) }, 0);
    } catch (error) {
      // The answer is recorded; a message that could not be updated changes nothing.
      process.emitWarning(`could not update the Slack message: ${(error as Error).message}`);
    }
  }
}
