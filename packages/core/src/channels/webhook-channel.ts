// The webhook channel: each question is POSTed as signed JSON to a URL the host chooses; the
// answer comes back as a signed POST to the answer endpoint, which this channel serves.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ConfigurationError } from '@handrail/policy';
import type { RunStore } from '../durable/run-store.js';
import { completeAnswer, parseApprovalAnswer, type ApprovalAnswerInput } from './answers.js';
import type { ApprovalAnswer, ApprovalChannel, ApprovalRequest } from './approval.js';
import { ChannelError } from './channel-error.js';
import { BodyTooLarge, header, listen, postWithRetries, readBody, sendJson, sendOutcome, type Listening } from './http.js';
import { PendingApprovals, type AnswerOutcome } from './pending-approvals.js';
import { ReplayGuard } from './replay-guard.js';
import { signatureHeader, signedHeaders, timestampHeader, verifyWebhook, type Secrets } from './signing.js';
import { deliverAnswer, findQuestion } from './stored-questions.js';

/** What the webhook target receives: the question and where to send the answer. */
export interface WebhookQuestion {
  type: 'approval-requested';
  request: ApprovalRequest;
  /** Where to POST the signed answer; absent when the host did not say. */
  answerUrl?: string;
}

/** What the answer endpoint accepts: `{ "id": "<approval id>", "answer": { "kind": "approve", "by": "ana" } }`. */
export interface WebhookAnswer {
  id: string;
  answer: { kind: 'approve' | 'reject' | 'reply' | 'edit'; message?: string; text?: string; args?: unknown; callId?: string; by?: string };
}

export interface WebhookChannelOptions {
  /** Where each question is POSTed. */
  url: string | URL;
  /** Signs the questions (the first secret) and verifies the answers (any of them). */
  secret: Secrets;
  /** Where answers go, sent with each question; `listen()` fills it in when left out. */
  answerUrl?: string;
  /** The channel's name; `webhook` by default. */
  name?: string;
  /** How far an answer's signed timestamp may be from now; 5 minutes by default. */
  toleranceMs?: number;
  /** Further attempts when posting a question fails with a network error, 429 or 5xx; 2 by default. */
  retries?: number;
  /** Extra headers on each question (e.g. an Authorization the target wants). */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /**
   * The store of durable runs. The answer endpoint then also answers the store's questions —
   * those of runs in any process, waiting or suspended (`send`) — that name this channel
   * (`via`) or none, through `answerApproval`: the first answer stored wins across processes.
   *
   * @example
   * const receiver = new WebhookChannel({ url, secret, store: new FileRunStore('.handrail/runs') });
   */
  store?: RunStore;
}

/**
 * Asks by webhook. `ask` POSTs `{ type: 'approval-requested', request, answerUrl }` to `url`,
 * signed with `handrail-timestamp` and `handrail-signature: v1=<hex HMAC-SHA256(secret, "<ts>.<body>")>`,
 * and waits. The answer endpoint (`handler`, or `listen()` for a server of its own) takes a signed
 * `{ id, answer }` and answers with
 * 200 (recorded, or the same answer again: idempotent), 400 (malformed), 401 (missing, bad or
 * stale signature), 404 (unknown id), 409 (a replayed request, or a different answer to a question
 * already answered or timed out), 405, 413.
 *
 * @example
 * const webhook = new WebhookChannel({ url: 'https://ops.example.com/approvals', secret: process.env.HANDRAIL_WEBHOOK_SECRET! });
 * const endpoint = await webhook.listen({ port: 8787 }); // answers at http://127.0.0.1:8787/approvals/answer
 * const user = new UserProxyAgent('user', { approvalChannel: webhook });
 */
export class WebhookChannel implements ApprovalChannel {
  readonly name: string;
  /** The questions out and the answers recorded. */
  readonly approvals = new PendingApprovals();
  readonly #options: WebhookChannelOptions;
  readonly #secrets: string[];
  readonly #replays: ReplayGuard;
  #answerUrl: string | undefined;
  #servers: Listening[] = [];

  constructor(options: WebhookChannelOptions) {
    if (!options?.url) throw new ConfigurationError('a webhook channel needs the url its questions are posted to');
    this.#secrets = typeof options.secret === 'string' ? [options.secret] : [...(options.secret ?? [])];
    if (!this.#secrets.length || this.#secrets.some((secret) => typeof secret !== 'string' || secret.length < 16)) throw new ConfigurationError('a webhook channel needs a secret of at least 16 characters');
    new URL(String(options.url));
    this.name = options.name ?? 'webhook';
    this.#options = options;
    this.#answerUrl = options.answerUrl;
    this.#replays = new ReplayGuard(options.toleranceMs);
  }

  /** Where answers are expected, as told to the target. */
  get answerUrl(): string | undefined {
    return this.#answerUrl;
  }

  async ask(request: ApprovalRequest, { signal }: { signal: AbortSignal }): Promise<ApprovalAnswer> {
    return this.approvals.sendAndWait(request, signal, () => this.send(request, { signal }));
  }

  /**
   * POSTs the question without waiting for its answer (a suspended loop's question); the signed
   * answer comes to the answer endpoint of whichever process serves it with the run's `store`.
   * Throws a ChannelError when the target could not be reached or refused it.
   *
   * @example
   * await webhook.send(pending.request);
   */
  async send(request: ApprovalRequest, { signal = AbortSignal.timeout(60_000) }: { signal?: AbortSignal } = {}): Promise<void> {
    const question: WebhookQuestion = { type: 'approval-requested', request, ...(this.#answerUrl ? { answerUrl: this.#answerUrl } : {}) };
    const body = JSON.stringify(question);
    let response: Response;
    try {
      response = await postWithRetries(this.#options.fetch ?? fetch, String(this.#options.url), { body, headers: { ...this.#options.headers, ...signedHeaders(body, this.#secrets[0]!) }, signal }, this.#options.retries ?? 2);
    } catch (error) {
      throw new ChannelError(this.name, `could not post approval ${request.id} to ${this.#options.url}: ${(error as Error).message}`, { cause: error });
    }
    await response.body?.cancel();
    if (!response.ok) throw new ChannelError(this.name, `${this.#options.url} refused approval ${request.id} with HTTP ${response.status}`, { status: response.status });
  }

  /**
   * Answers in process, without a signature (the host already trusts the caller).
   *
   * @example
   * webhook.answer(id, { kind: 'approve', by: 'ana' });
   */
  answer(id: string, answer: ApprovalAnswerInput): AnswerOutcome {
    return this.approvals.answer(id, completeAnswer(answer));
  }

  /** The answer endpoint as a node:http listener, to mount in a server of the host's. */
  readonly handler: RequestListener = (request, response) => {
    this.#handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: 'the answer could not be handled' });
      process.emitWarning(`webhook answer endpoint: ${(error as Error).message}`);
    });
  };

  /**
   * Serves the answer endpoint at `path` (default `/approvals/answer`) on a server of its own,
   * and makes it the `answerUrl` when none was given. `publicUrl` is the address the target
   * should use when it differs (a proxy in front).
   *
   * @example
   * const { url, close } = await webhook.listen({ port: 0 });
   */
  async listen(options: { port?: number; host?: string; path?: string; publicUrl?: string } = {}): Promise<Listening & { answerUrl: string }> {
    const path = options.path ?? '/approvals/answer';
    const server = await listen((request, response) => {
      if (new URL(request.url ?? '/', 'http://x').pathname !== path) return sendJson(response, 404, { error: 'not found' });
      this.handler(request, response);
    }, options);
    this.#servers.push(server);
    const answerUrl = options.publicUrl ?? `${server.url}${path}`;
    this.#answerUrl ??= answerUrl;
    return { ...server, answerUrl };
  }

  /** Stops the servers started by `listen`; open questions time out. */
  async close(): Promise<void> {
    this.approvals.expireAll();
    await Promise.all(this.#servers.map((server) => server.close()));
    this.#servers = [];
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') return sendJson(response, 405, { error: 'answers are POSTed' }, { allow: 'POST' });
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (error instanceof BodyTooLarge) return sendJson(response, 413, { error: error.message }, { connection: 'close' });
      throw error;
    }
    const check = verifyWebhook({ body, timestamp: header(request, timestampHeader), signature: header(request, signatureHeader) }, this.#secrets, this.#options.toleranceMs !== undefined ? { toleranceMs: this.#options.toleranceMs } : {});
    if (!check.ok) return sendJson(response, 401, { error: check.message, reason: check.reason });
    if (!this.#replays.check(check.digest, check.timestamp)) return sendJson(response, 409, { error: 'this signed request was already received (a replay)', reason: 'replay' });
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(response, 400, { error: 'the body is not JSON' });
    }
    const { id, answer } = (value ?? {}) as Partial<WebhookAnswer>;
    if (typeof id !== 'string' || id === '') return sendJson(response, 400, { error: 'the body needs the approval id: { "id": "…", "answer": { "kind": "approve" } }' });
    const store = this.#options.store;
    const known = await findQuestion(id, this.approvals, store, this.name);
    if (!known) return sendJson(response, 404, { error: `no approval ${JSON.stringify(id)} is known here`, id });
    const parsed = parseApprovalAnswer(answer, known.request);
    if (!parsed.ok) return sendJson(response, 400, { error: parsed.error, id });
    return sendOutcome(response, id, await deliverAnswer(id, known, parsed.answer, { approvals: this.approvals, store, channel: this.name }));
  }
}
