// The built-in approval server: a web page listing the open questions with their context, where
// a signed-in approver answers; and a small JSON API for programs. node:http only.
//   GET  /                      the page (signed in), else a redirect to /login
//   GET  /login, POST /login    sign in with a token → HttpOnly, SameSite=Strict session cookie
//   POST /logout
//   POST /approvals/:id         a form answer (session cookie + the session's CSRF token)
//   GET  /api/approvals         the open questions as JSON        (bearer token or session)
//   GET  /api/approvals/:id     one question and its answer       (bearer token or session)
//   POST /api/approvals/:id     a JSON answer { kind, … }         (bearer token)
// With a RunStore, the questions of durable runs in any process are listed too, and answered
// through the store (answerApproval), where the first answer stored wins.
// Failed authentication of every kind (a wrong bearer token, an unknown session, a wrong sign-in
// token) is counted per client by one FailureLimiter; past its limit the client gets 429 with
// Retry-After and its token is not compared. Valid sessions are always honoured.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ConfigurationError } from '@handrail/policy';
import type { RunStore } from '../durable/run-store.js';
import { completeAnswer, parseApprovalAnswer, type ApprovalAnswerInput } from './answers.js';
import { approvalsPage, loginPage, noticePage } from './approval-page.js';
import type { ApprovalAnswer, ApprovalChannel, ApprovalRequest } from './approval.js';
import { clientKey, FailureLimiter, type FailureLimits } from './failure-limiter.js';
import { BodyTooLarge, header, listen, readBody, sendJson, sendOutcome, type Listening } from './http.js';
import { PendingApprovals, type AnswerOutcome } from './pending-approvals.js';
import { deliverAnswer, expired, findQuestion, type KnownQuestion } from './stored-questions.js';

export interface ApprovalServerOptions {
  /**
   * Who may answer, and the token each signs in with (at least 16 characters; use long random
   * ones): `{ ana: process.env.ANA_TOKEN }`. The name is recorded as `by`.
   */
  approvers: Record<string, string>;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** 127.0.0.1 by default. */
  host?: string;
  /** The channel's name; `web` by default. */
  name?: string;
  /** The page's title. */
  title?: string;
  /** Mark the session cookie `Secure` (when served over HTTPS, e.g. behind a proxy). */
  secureCookie?: boolean;
  /** How long a sign-in lasts; 12 hours by default. */
  sessionTtlMs?: number;
  /**
   * A store of durable runs. The page and the API then also list the store's unanswered
   * questions — every run's, whatever process runs it (or none yet) — and an answer to one of
   * them is given with `answerApproval(store, …)`: the first answer stored wins across processes,
   * and the waiting run, wherever it runs, goes on (a run restored later takes it at once).
   * Questions asked of this server in process are served as without a store.
   *
   * @example
   * const web = await startApprovalServer({ approvers: { ana: process.env.ANA_TOKEN! }, store: new FileRunStore('.handrail/runs') });
   */
  store?: RunStore;
  /**
   * Who the client is, for counting its failed authentication: the connection's address by
   * default. Behind a proxy every connection comes from the proxy: return the client's address
   * as your proxy reports it (only a header your proxy sets, never one a client could send).
   *
   * @example
   * clientAddress: (request) => String(request.headers['x-real-ip'] ?? request.socket.remoteAddress)
   */
  clientAddress?: (request: IncomingMessage) => string | undefined;
  /** Failed authentications a client may have per window: 10 per minute by default. */
  failureLimits?: FailureLimits;
}

/** Who is asking: an approver, or why not. */
type Authentication =
  | { status: 'approver'; approver: string; session?: Session }
  | { status: 'missing' }
  | { status: 'refused'; presented: 'token' | 'session' }
  | { status: 'limited'; retryAfterSeconds: number };

const byCreation = (a: ApprovalRequest, b: ApprovalRequest) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0);

interface Session {
  approver: string;
  csrf: string;
  expires: number;
  flash?: string;
}

const cookieName = 'handrail_session';
const maxSessions = 10_000;

const digest = (text: string) => createHash('sha256').update(text).digest();
const token = () => randomBytes(32).toString('base64url');

function equalSecrets(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

const limitedMessage = (seconds: number) => `Too many failed attempts to authenticate from this address; try again in ${seconds} s.`;

function cookies(request: IncomingMessage): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of (header(request, 'cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) found.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return found;
}

/**
 * An approval channel with a web page. Questions wait on the page until an approver signs in
 * (token, or `Authorization: Bearer <token>` for the JSON API) and approves, rejects with a
 * message, replies, or runs a tool call with edited arguments. Without a valid token or session
 * nothing is shown or answered (401; 429 with `Retry-After` for a client past 10 failures a
 * minute, see ApprovalServerOptions.failureLimits); forms carry a per-session CSRF token (403 without it); every
 * value on the page is escaped and the page runs no script (its Content-Security-Policy allows
 * none). A second answer to the same question changes nothing: the same answer again is 200, a
 * different one 409. With a `store`, it also serves the questions of durable runs in other
 * processes (see ApprovalServerOptions.store).
 *
 * @example
 * const approvals = await startApprovalServer({ approvers: { ana: process.env.ANA_TOKEN! }, port: 8080 });
 * console.log(`answer at ${approvals.url}`);
 * const user = new UserProxyAgent('user', { approvalChannel: approvals, policy });
 * // …
 * await approvals.close();
 */
export class ApprovalServer implements ApprovalChannel {
  readonly name: string;
  readonly approvals = new PendingApprovals();
  readonly #options: ApprovalServerOptions;
  readonly #approvers: Array<[name: string, token: string]>;
  readonly #sessions = new Map<string, Session>();
  readonly #failures: FailureLimiter;
  #server: Listening | undefined;

  constructor(options: ApprovalServerOptions) {
    this.#approvers = Object.entries(options?.approvers ?? {});
    if (!this.#approvers.length) throw new ConfigurationError('an approval server needs at least one approver: { approvers: { name: token } }');
    for (const [name, secret] of this.#approvers) {
      if (typeof secret !== 'string' || secret.length < 16) throw new ConfigurationError(`the token of approver ${name} must be a string of at least 16 characters`);
    }
    this.name = options.name ?? 'web';
    this.#options = options;
    this.#failures = new FailureLimiter(options.failureLimits);
  }

  /** `http://host:port` once started. */
  get url(): string {
    if (!this.#server) throw new Error('the approval server is not started: use startApprovalServer() or start()');
    return this.#server.url;
  }

  /** The open questions asked in this process, oldest first (with a store, see `listPending`). */
  get pending(): ApprovalRequest[] {
    return this.approvals.pending;
  }

  /**
   * Every question waiting for an answer: those asked in this process and, with a `store`, the
   * store's unanswered ones whose time has not run out, oldest first. What the page and
   * `GET /api/approvals` show.
   *
   * @example
   * for (const request of await web.listPending()) console.log(request.runId, request.prompt);
   */
  async listPending(): Promise<ApprovalRequest[]> {
    const local = this.approvals.pending;
    const store = this.#options.store;
    if (!store) return local;
    const seen = new Set(local.map((request) => request.id));
    const now = Date.now();
    const stored = (await store.listPendingApprovals()).filter((request) => !seen.has(request.id) && !expired(request, now));
    return [...local, ...stored].sort(byCreation);
  }

  /** Starts listening (startApprovalServer does this). */
  async start(): Promise<this> {
    if (!this.#server) this.#server = await listen(this.handler, { ...(this.#options.port !== undefined ? { port: this.#options.port } : {}), ...(this.#options.host !== undefined ? { host: this.#options.host } : {}) });
    return this;
  }

  /** Stops the server; open questions time out. */
  async close(): Promise<void> {
    this.approvals.expireAll();
    await this.#server?.close();
    this.#server = undefined;
  }

  ask(request: ApprovalRequest, { signal }: { signal: AbortSignal }): Promise<ApprovalAnswer> {
    return this.approvals.wait(request, signal);
  }

  /**
   * Answers a question asked in this process (no sign-in: the host trusts itself). A question
   * in the `store` is answered with `answerApproval(store, id, answer)`.
   *
   * @example
   * server.answer(id, { kind: 'reply', text: 'use the EUR account', by: 'ops' });
   */
  answer(id: string, answer: ApprovalAnswerInput): AnswerOutcome {
    return this.approvals.answer(id, completeAnswer(answer));
  }

  /** The server's node:http listener, to mount under a server of the host's. */
  readonly handler: RequestListener = (request, response) => {
    this.#route(request, response).catch((error: unknown) => {
      if (error instanceof BodyTooLarge) {
        if (!response.headersSent) sendJson(response, 413, { error: error.message }, { connection: 'close' });
        return;
      }
      if (!response.headersSent) sendJson(response, 500, { error: 'the request could not be handled' });
      process.emitWarning(`approval server: ${(error as Error).message}`);
    });
  };

  get #title(): string {
    return this.#options.title ?? 'Handrail approvals';
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://approvals.invalid');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    const api = /^\/api\/approvals(?:\/([^/]+))?$/.exec(path);
    if (api) {
      const id = api[1] === undefined ? undefined : decoded(api[1]);
      if (id === null) return sendJson(response, 400, { error: 'the approval id in the path is not valid percent-encoding' });
      return this.#api(request, response, method, id);
    }
    if (path === '/' && (method === 'GET' || method === 'HEAD')) {
      const auth = this.#authenticate(request, { bearer: false });
      if (auth.status === 'limited') return this.#limitedPage(response, auth.retryAfterSeconds);
      if (auth.status !== 'approver') return this.#redirect(response, '/login', auth.status === 'refused' ? { 'set-cookie': this.#cookie('', 0) } : {});
      const session = auth.session!;
      const flash = session.flash;
      delete session.flash;
      const pending = await this.listPending();
      return this.#html(response, 200, (nonce) => approvalsPage({ title: this.#title, nonce, approver: session.approver, csrf: session.csrf, pending, ...(flash ? { flash } : {}) }));
    }
    if (path === '/login' && method === 'GET') return this.#html(response, 200, (nonce) => loginPage({ title: this.#title, nonce }));
    if (path === '/login' && method === 'POST') return this.#login(request, response);
    if (path === '/logout' && method === 'POST') {
      const session = this.#session(cookies(request).get(cookieName));
      const form = new URLSearchParams((await readBody(request)).toString('utf8'));
      if (session && this.#csrfOk(session, form.get('csrf'))) this.#sessions.delete(cookies(request).get(cookieName)!);
      return this.#redirect(response, '/login', { 'set-cookie': this.#cookie('', 0) });
    }
    const form = /^\/approvals\/([^/]+)$/.exec(path);
    if (form && method === 'POST') {
      const id = decoded(form[1]!);
      if (id === null) return this.#notice(response, 400, 'Not an approval', 'The approval id in the address is not valid.');
      return this.#formAnswer(request, response, id);
    }
    if (form || path === '/' || path === '/login' || path === '/logout') return this.#notice(response, 405, 'Not allowed', `${method} is not allowed here.`);
    return this.#notice(response, 404, 'Not found', 'There is no such page.');
  }

  async #login(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(request)).toString('utf8'));
    const auth = this.#checkToken(request, form.get('token') ?? '');
    if (auth.status === 'limited') return this.#html(response, 429, (nonce) => loginPage({ title: this.#title, nonce, error: limitedMessage(auth.retryAfterSeconds) }), { 'retry-after': String(auth.retryAfterSeconds) });
    if (auth.status !== 'approver') return this.#html(response, 401, (nonce) => loginPage({ title: this.#title, nonce, error: 'That token is not valid.' }));
    const approver = auth.approver;
    const now = Date.now();
    this.#prune(now);
    const id = token();
    const ttl = this.#options.sessionTtlMs ?? 12 * 3600_000;
    this.#sessions.set(id, { approver, csrf: token(), expires: now + ttl });
    return this.#redirect(response, '/', { 'set-cookie': this.#cookie(id, Math.floor(ttl / 1000)) });
  }

  async #formAnswer(request: IncomingMessage, response: ServerResponse, id: string): Promise<void> {
    const auth = this.#authenticate(request, { bearer: false });
    if (auth.status === 'limited') return this.#limitedPage(response, auth.retryAfterSeconds);
    if (auth.status !== 'approver') return this.#notice(response, 401, 'Not signed in', 'Sign in to answer.', '/login');
    const session = auth.session!;
    const type = header(request, 'content-type') ?? '';
    if (!type.startsWith('application/x-www-form-urlencoded')) return this.#notice(response, 415, 'Not a form', 'Answers are sent with the forms of the page.');
    const form = new URLSearchParams((await readBody(request)).toString('utf8'));
    if (!this.#csrfOk(session, form.get('csrf'))) return this.#notice(response, 403, 'Form expired', 'This form does not belong to your session. Reload the page and answer again.');
    const known = await this.#find(id);
    if (!known) return this.#notice(response, 404, 'Unknown approval', `No approval ${id} is known here.`);
    const kind = form.get('kind');
    let input: Record<string, unknown> = { kind };
    if (kind === 'reject') input = { kind, ...(form.get('message') ? { message: form.get('message') } : {}) };
    else if (kind === 'reply') input = { kind, text: form.get('text') ?? '' };
    else if (kind === 'edit') {
      try {
        input = { kind, args: JSON.parse(form.get('args') ?? ''), ...(form.get('callId') ? { callId: form.get('callId') } : {}) };
      } catch (error) {
        return this.#notice(response, 400, 'Not JSON', `The arguments are not JSON: ${(error as Error).message}`);
      }
    }
    const parsed = parseApprovalAnswer(input, known.request, session.approver);
    if (!parsed.ok) return this.#notice(response, 400, 'Not an answer', parsed.error);
    const outcome = await this.#deliver(id, known, parsed.answer);
    if (outcome.status === 'conflict') {
      const recorded = outcome.answer;
      const text = recorded.kind === 'timeout' ? 'Nobody answered in time; the run went on without this answer.' : `It was already answered: ${recorded.kind}${recorded.by ? ` by ${recorded.by}` : ''}.`;
      return this.#notice(response, 409, 'Already answered', text);
    }
    if (outcome.status === 'unknown') return this.#notice(response, 404, 'Unknown approval', `No approval ${id} is known here.`);
    session.flash = `${outcome.status === 'repeated' ? 'Already recorded' : 'Recorded'}: ${parsed.answer.kind} for “${known.request.prompt}”.`;
    return this.#redirect(response, '/');
  }

  async #api(request: IncomingMessage, response: ServerResponse, method: string, id: string | undefined): Promise<void> {
    // A session is honoured only for reading: answers need the token (a form needs its CSRF token).
    const auth = this.#authenticate(request, { bearer: true, session: method === 'GET' || method === 'HEAD' });
    if (auth.status === 'limited') return sendJson(response, 429, { error: limitedMessage(auth.retryAfterSeconds) }, { 'retry-after': String(auth.retryAfterSeconds) });
    if (auth.status !== 'approver') return sendJson(response, 401, { error: auth.status === 'refused' ? `the ${auth.presented} is not valid` : 'an approver token is needed: Authorization: Bearer <token>' }, { 'www-authenticate': 'Bearer' });
    const approver = auth.approver;
    if (method === 'GET') {
      if (id === undefined) return sendJson(response, 200, { approvals: await this.listPending() });
      const known = await this.#find(id);
      return known ? sendJson(response, 200, { request: known.request, ...(known.answer ? { answer: known.answer } : {}) }) : sendJson(response, 404, { error: `no approval ${JSON.stringify(id)} is known here`, id });
    }
    if (method !== 'POST' || id === undefined) return sendJson(response, 405, { error: 'not allowed' }, { allow: id === undefined ? 'GET' : 'GET, POST' });
    const body = await readBody(request);
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(response, 400, { error: 'the body is not JSON' });
    }
    const known = await this.#find(id);
    if (!known) return sendJson(response, 404, { error: `no approval ${JSON.stringify(id)} is known here`, id });
    const parsed = parseApprovalAnswer(value, known.request, approver);
    if (!parsed.ok) return sendJson(response, 400, { error: parsed.error, id });
    return sendOutcome(response, id, await this.#deliver(id, known, parsed.answer));
  }

  #find(id: string): Promise<KnownQuestion | undefined> {
    return findQuestion(id, this.approvals, this.#options.store);
  }

  #deliver(id: string, known: KnownQuestion, answer: ApprovalAnswer): Promise<AnswerOutcome> {
    return deliverAnswer(id, known, answer, { approvals: this.approvals, store: this.#options.store, channel: this.name });
  }

  /**
   * Who is asking: a bearer token (where `bearer` is allowed; it wins over a session), else a
   * session (where `session` is allowed, by default). A valid session is always honoured — its id
   * is 256 random bits, not something to guess — while a token is not even compared once the
   * client is over its limit. Every credential presented that is not valid is a failure.
   */
  #authenticate(request: IncomingMessage, accepts: { bearer: boolean; session?: boolean }): Authentication {
    const bearer = accepts.bearer ? /^Bearer\s+(\S+)$/i.exec(header(request, 'authorization') ?? '')?.[1] : undefined;
    if (bearer !== undefined) return this.#checkToken(request, bearer);
    const id = accepts.session === false ? undefined : cookies(request).get(cookieName);
    if (id === undefined) return { status: 'missing' };
    const session = this.#session(id);
    if (session) return { status: 'approver', approver: session.approver, session };
    const client = this.#client(request);
    const retryAfterSeconds = this.#failures.retryAfter(client);
    if (retryAfterSeconds) return { status: 'limited', retryAfterSeconds };
    this.#failures.fail(client);
    return { status: 'refused', presented: 'session' };
  }

  /** An approver's token (bearer or sign-in), compared only while the client is within its limit. */
  #checkToken(request: IncomingMessage, given: string): Authentication {
    const client = this.#client(request);
    const retryAfterSeconds = this.#failures.retryAfter(client);
    if (retryAfterSeconds) return { status: 'limited', retryAfterSeconds };
    const approver = this.#approverOf(given);
    if (approver) return { status: 'approver', approver };
    this.#failures.fail(client);
    return { status: 'refused', presented: 'token' };
  }

  #client(request: IncomingMessage): string {
    return clientKey(this.#options.clientAddress?.(request) ?? request.socket.remoteAddress);
  }

  #limitedPage(response: ServerResponse, retryAfterSeconds: number): void {
    this.#html(response, 429, (nonce) => noticePage({ title: this.#title, nonce, heading: 'Too many failed attempts', text: limitedMessage(retryAfterSeconds), back: '/login' }), { 'retry-after': String(retryAfterSeconds) });
  }

  #approverOf(given: string): string | undefined {
    let found: string | undefined;
    // Compare with every token, so the time taken says nothing about which one matched.
    for (const [name, secret] of this.#approvers) if (equalSecrets(given, secret) && found === undefined) found = name;
    return found;
  }

  #session(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expires < Date.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  #csrfOk(session: Session, given: string | null): boolean {
    return given !== null && equalSecrets(given, session.csrf);
  }

  #prune(now: number): void {
    for (const [id, session] of this.#sessions) if (session.expires < now) this.#sessions.delete(id);
    while (this.#sessions.size >= maxSessions) this.#sessions.delete(this.#sessions.keys().next().value!);
  }

  #cookie(value: string, maxAge: number): string {
    return `${cookieName}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${this.#options.secureCookie ? '; Secure' : ''}`;
  }

  #redirect(response: ServerResponse, location: string, headers: Record<string, string> = {}): void {
    response.writeHead(303, { location, 'cache-control': 'no-store', 'content-length': 0, ...headers });
    response.end();
  }

  #notice(response: ServerResponse, status: number, heading: string, text: string, back?: string): void {
    this.#html(response, status, (nonce) => noticePage({ title: this.#title, nonce, heading, text, ...(back ? { back } : {}) }));
  }

  #html(response: ServerResponse, status: number, render: (nonce: string) => string, headers: Record<string, string> = {}): void {
    const nonce = randomBytes(16).toString('base64');
    const body = render(nonce);
    response.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      ...headers,
    });
    response.end(body);
  }
}

/**
 * Starts an approval server (see ApprovalServer).
 *
 * @example
 * const approvals = await startApprovalServer({ approvers: { ana: process.env.ANA_TOKEN! } });
 * console.log(`open ${approvals.url} and sign in with your token`);
 */
export function startApprovalServer(options: ApprovalServerOptions): Promise<ApprovalServer> {
  return new ApprovalServer(options).start();
}
