// Attacks on the human channels over real HTTP on loopback, with real signatures: text that would
// be live Slack markup, replays of a used request dressed in a different signature header, token
// guessing against the approval server, answers too deep to record, and a fuzz of hostile bodies
// and headers. Every refusal is a clear 4xx, nothing unsigned or replayed is ever recorded, and
// nothing is recorded that cannot be answered.
import { request as httpRequest, Agent, type OutgoingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import {
  maxAnswerDepth,
  signSlack,
  signWebhook,
  signedHeaders,
  SlackChannel,
  slackMessage,
  startApprovalServer,
  WebhookChannel,
  type ApprovalRequest,
  type ApprovalServer,
} from '../../packages/core/src/index.js';
import { startSlackStandIn, startWebhookReceiver } from '../../packages/core/src/testing/index.js';
import { fuzzRuns } from './fuzz-runs.js';

const secret = 'whsec_adversarial_0123456789abcdef';
const oldSecret = 'whsec_adversarial_old_0123456789ab';
const slackSecret = '8f742231b10e8888abcd99yyyzzz85a5';
const anaToken = 'ana-token-0123456789abcdef';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

/**
 * One request with node:http, so header values go out exactly as written (fetch normalises
 * them) and the client address can be chosen (`localAddress`: any 127.x on loopback).
 */
function send(url: string, options: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer; localAddress?: string; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: options.method ?? 'POST', headers: options.headers ?? {}, ...(options.localAddress ? { localAddress: options.localAddress } : {}), ...(options.agent ? { agent: options.agent } : {}) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // an HTML page or empty body
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const question = (id: string, prompt = 'Approve the refund of 250?'): ApprovalRequest => ({
  id,
  runId: 'run-adversarial',
  createdAt: new Date().toISOString(),
  agent: 'user',
  sender: 'assistant',
  prompt,
  tool: { name: 'refund', args: { amount: 250 }, callId: 'call_1' },
  decision: { rule: 'large', reason: 'refund over 100', onNoInput: 'stop', policy: { name: 'refunds', hash: 'sha256:0' } },
});

const open = () => new AbortController().signal;

/** `[[[…0…]]]`, `depth` arrays deep, as text (never built as a value: that is the attack). */
const nested = (depth: number) => `${'['.repeat(depth)}0${']'.repeat(depth)}`;

async function webhookSetUp(secrets: string | string[] = secret) {
  const receiver = await startWebhookReceiver({ secret: typeof secrets === 'string' ? secrets : secrets[0]! });
  const webhook = new WebhookChannel({ url: receiver.url, secret: secrets });
  const { answerUrl } = await webhook.listen();
  cleanup.push(() => receiver.close(), () => webhook.close());
  return { receiver, webhook, answerUrl };
}

async function slackSetUp() {
  const slack = await startSlackStandIn({ signingSecret: slackSecret });
  const channel = new SlackChannel({ webhookUrl: slack.webhookUrl, signingSecret: slackSecret });
  slack.interactionsUrl = (await channel.listen()).interactionsUrl;
  cleanup.push(() => slack.close(), () => channel.close());
  return { slack, channel, interactionsUrl: slack.interactionsUrl };
}

async function approvalServer(options: Partial<Parameters<typeof startApprovalServer>[0]> = {}): Promise<ApprovalServer> {
  const server = await startApprovalServer({ approvers: { ana: anaToken }, ...options });
  cleanup.push(() => server.close());
  return server;
}

async function signIn(server: ApprovalServer): Promise<{ cookie: string; csrf: string }> {
  const login = await send(`${server.url}/login`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: anaToken }).toString() });
  expect(login.status).toBe(303);
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const page = await send(server.url, { method: 'GET', headers: { cookie } });
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page.text)![1]! };
}

/** Every string anywhere in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('Slack: untrusted text is never live markup', () => {
  const hostile = '<!channel> <https://evil.example|click> <@U1> & *bold*';

  /** No `<…>` of any kind (mentions, links, dates) and no `&` that is not one of the three entities. */
  function expectInert(text: string): void {
    expect(text).not.toMatch(/[<>]/);
    expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
  }

  test('the posted message, in its top-level text, blocks, fields and context', async () => {
    const { slack, channel } = await slackSetUp();
    const request: ApprovalRequest = {
      ...question('0b6f3c1e-2222-4000-8000-000000000001', hostile),
      agent: `agent ${hostile}`,
      sender: `sender ${hostile}`,
      runId: `run ${hostile}`,
      message: { role: 'assistant', content: `content ${hostile}` },
      tool: { name: `tool ${hostile}`, args: { note: hostile }, callId: 'call_1' },
      decision: { rule: `rule ${hostile}`, reason: `reason ${hostile}`, onNoInput: 'stop', policy: { name: `policy ${hostile}`, hash: 'sha256:<@U1>' } },
    };
    const waiting = channel.ask(request, { signal: open() });
    const message = await slack.messages.next();
    expect(message).toEqual(JSON.parse(JSON.stringify(slackMessage(request))));
    for (const text of strings(message)) expectInert(text);
    expect(message.text).toContain('&lt;!channel&gt; &lt;https://evil.example|click&gt; &lt;@U1&gt; &amp; *bold*');

    expect(await slack.click(message, 'approve', { id: 'U9', username: 'ana <!here>' })).toMatchObject({ status: 200 });
    await waiting;
    const update = await slack.updates.next();
    for (const text of strings(update)) expectInert(text);
    expect(update.text).toContain('&lt;!here&gt;');
    expect(update.text).toContain('&lt;!channel&gt;');
  });

  test('a late click is told who answered, escaped', async () => {
    const { slack, channel } = await slackSetUp();
    const waiting = channel.ask(question('0b6f3c1e-2222-4000-8000-000000000002', hostile), { signal: open() });
    const message = await slack.messages.next();
    expect((await slack.click(message, 'reject', { username: '<@U2> & co' })).status).toBe(200);
    await waiting;
    await slack.updates.next();
    expect((await slack.click(message, 'approve', { username: 'cy' })).status).toBe(409);
    const late = await slack.updates.next();
    for (const text of strings(late)) expectInert(text);
    expect(late.text).toBe('Too late: rejected by &lt;@U2&gt; &amp; co.');
  });

  test('escaping never makes a block longer than Slack takes', () => {
    const message = slackMessage(question('0b6f3c1e-2222-4000-8000-000000000003', '&'.repeat(10_000)));
    for (const text of strings(message)) expect(text.length).toBeLessThanOrEqual(3000);
    for (const text of strings(message)) expectInert(text);
  });
});

describe('replays are recognised by what was verified, not by how the header is written', () => {
  const variants = (signature: string, other: string): Array<[string, string]> => {
    const hex = signature.slice(3);
    const version = signature.slice(0, 3);
    return [
      ['the same header', signature],
      ['upper-case hex', `${version}${hex.toUpperCase()}`],
      ['padding inside the list', `${signature} ,\t `],
      ['the part duplicated', `${signature},${signature}`],
      ['another signature added before it', `${other} ${signature}`],
      ['another signature added after it', `${signature}, ${other}`],
    ];
  };

  test('webhook: every way of writing a used request’s signature is 409 (or 401 when malformed), never 200', async () => {
    const { webhook, answerUrl } = await webhookSetUp([secret, oldSecret]);
    const waiting = webhook.ask(question('replay-1'), { signal: open() });
    const body = JSON.stringify({ id: 'replay-1', answer: { kind: 'approve', by: 'ana' } });
    const now = Math.floor(Date.now() / 1000);
    const current = signWebhook(body, secret, now);
    const old = signWebhook(body, oldSecret, now);
    const headers = (signature: string) => ({ 'content-type': 'application/json', 'handrail-timestamp': current.timestamp, 'handrail-signature': signature });
    const first = await send(answerUrl, { headers: headers(`${current.signature} ${old.signature}`), body });
    expect(first).toMatchObject({ status: 200, json: { status: 'answered' } });
    await waiting;
    const tried = [...variants(current.signature, old.signature), ['the old secret’s signature alone', old.signature] as [string, string], ['reordered', `${old.signature} ${current.signature}`] as [string, string]];
    for (const [name, signature] of tried) {
      const replayed = await send(answerUrl, { headers: headers(signature), body });
      expect([name, replayed.status, replayed.json.reason]).toEqual([name, 409, 'replay']);
    }
    for (const [name, signature] of [
      ['a part that is not a signature', `${current.signature},garbage`],
      ['a v1 part that is not 64 hex digits', `${current.signature} v1=abc`],
      ['an empty v1 part', `${current.signature} v1=`],
    ]) {
      const malformed = await send(answerUrl, { headers: headers(signature!), body });
      expect([name, malformed.status, malformed.json.reason]).toEqual([name, 401, 'malformed']);
    }
    expect(webhook.approvals.get('replay-1')!.answer).toMatchObject({ kind: 'approve', by: 'ana' });
  });

  test('Slack: the same for X-Slack-Signature', async () => {
    const { slack, channel } = await slackSetUp();
    const request = question('0b6f3c1e-3333-4000-8000-000000000001');
    const waiting = channel.ask(request, { signal: open() });
    const message = await slack.messages.next();
    const { body, headers } = slack.signedClick(message, 'approve', { username: 'ana' });
    const other = signSlack(body, 'another-signing-secret-00000000').signature;
    expect(await send(slack.interactionsUrl!, { headers, body })).toMatchObject({ status: 200, json: { status: 'answered' } });
    await waiting;
    for (const [name, signature] of variants(headers['x-slack-signature']!, other)) {
      const replayed = await send(slack.interactionsUrl!, { headers: { ...headers, 'x-slack-signature': signature }, body });
      expect([name, replayed.status, replayed.json.reason]).toEqual([name, 409, 'replay']);
    }
    const malformed = await send(slack.interactionsUrl!, { headers: { ...headers, 'x-slack-signature': `${headers['x-slack-signature']} junk` }, body });
    expect([malformed.status, malformed.json.reason]).toEqual([401, 'malformed']);
  });
});

describe('the approval server limits failed authentication of every kind', () => {
  test('2,000 wrong bearer tokens: 429 with Retry-After; the right token from another address still works', async () => {
    const server = await approvalServer();
    const waiting = server.ask(question('limit-1'), { signal: open() });
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    const statuses = new Map<number, number>();
    let retryAfter: string | undefined;
    // Twenty at a time: the limiter counts each failure as it happens, so the split is exact.
    for (let batch = 0; batch < 100; batch++) {
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => send(`${server.url}/api/approvals`, { method: 'GET', headers: { authorization: `Bearer wrong-token-${batch}-${i}-0123456789` }, agent })));
      for (const reply of replies) {
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        if (reply.status === 429) retryAfter ??= reply.headers['retry-after'] as string;
      }
    }
    agent.destroy();
    expect(statuses.get(401)).toBe(10);
    expect(statuses.get(429)).toBe(1990);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    // While limited, even the right token from this address is not checked.
    expect((await send(`${server.url}/api/approvals`, { method: 'GET', headers: { authorization: `Bearer ${anaToken}` } })).status).toBe(429);
    // Sign-in and a forged session from this address are refused the same way.
    expect((await send(`${server.url}/login`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${anaToken}` })).status).toBe(429);
    expect((await send(`${server.url}/api/approvals`, { method: 'GET', headers: { cookie: 'handrail_session=forged' } })).status).toBe(429);
    // Another address is not locked out.
    const elsewhere = await send(`${server.url}/api/approvals/limit-1`, { headers: { authorization: `Bearer ${anaToken}`, 'content-type': 'application/json' }, body: '{"kind":"approve"}', localAddress: '127.0.0.2' });
    expect(elsewhere).toMatchObject({ status: 200, json: { status: 'answered', answer: { by: 'ana' } } });
    await waiting;
  });

  test('a signed-in approver keeps working while their address is limited; forged sessions count as failures', async () => {
    const server = await approvalServer();
    const { cookie, csrf } = await signIn(server);
    const waiting = server.ask(question('limit-2'), { signal: open() });
    for (let i = 0; i < 10; i++) expect((await send(`${server.url}/api/approvals`, { method: 'GET', headers: { cookie: `handrail_session=forged-${i}` } })).status).toBe(401);
    expect((await send(`${server.url}/api/approvals`, { method: 'GET', headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(429);
    expect((await send(`${server.url}/api/approvals`, { method: 'GET', headers: { cookie } })).status).toBe(200);
    const answered = await send(`${server.url}/approvals/limit-2`, { headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ kind: 'approve', csrf }).toString() });
    expect(answered.status).toBe(303);
    expect(await waiting).toMatchObject({ kind: 'approve', by: 'ana' });
  });

  test('behind a proxy, clientAddress says who the client is', async () => {
    const server = await approvalServer({ clientAddress: (request) => String(request.headers['x-forwarded-for'] ?? request.socket.remoteAddress) });
    for (let i = 0; i < 11; i++) await send(`${server.url}/api/approvals`, { method: 'GET', headers: { authorization: `Bearer wrong-${i}-0123456789abcdef`, 'x-forwarded-for': '203.0.113.9' } });
    expect((await send(`${server.url}/api/approvals`, { method: 'GET', headers: { authorization: 'Bearer wrong-0123456789abcdef', 'x-forwarded-for': '203.0.113.9' } })).status).toBe(429);
    expect((await send(`${server.url}/api/approvals`, { method: 'GET', headers: { authorization: `Bearer ${anaToken}`, 'x-forwarded-for': '198.51.100.7' } })).status).toBe(200);
  });
});

describe('answers deeper or larger than the limits are refused before anything is recorded', () => {
  const edit = `{"kind":"edit","args":{"amount":${nested(80_000)}}}`;
  const deepEdit = (id?: string) => (id ? `{"id":${JSON.stringify(id)},"answer":${edit}}` : edit);

  test('webhook: a signed edit 80,000 deep is 400 with the limit; the question still waits and takes a real answer', async () => {
    const { webhook, answerUrl } = await webhookSetUp();
    const waiting = webhook.ask(question('deep-1'), { signal: open() });
    const body = deepEdit('deep-1');
    const refused = await send(answerUrl, { headers: signedHeaders(body, secret), body });
    expect(refused).toMatchObject({ status: 400, json: { error: expect.stringContaining(`deeper than ${maxAnswerDepth}`) } });
    expect(webhook.approvals.get('deep-1')!.answer).toBeUndefined();
    const overLimit = `{"id":"deep-1","answer":{"kind":"edit","args":${nested(maxAnswerDepth + 1)}}}`;
    expect(await send(answerUrl, { headers: signedHeaders(overLimit, secret), body: overLimit })).toMatchObject({ status: 400 });
    expect(webhook.approvals.get('deep-1')!.answer).toBeUndefined();
    const atLimit = `{"id":"deep-1","answer":{"kind":"edit","args":${nested(maxAnswerDepth)}}}`;
    expect(await send(answerUrl, { headers: signedHeaders(atLimit, secret), body: atLimit })).toMatchObject({ status: 200, json: { status: 'answered' } });
    expect(await waiting).toMatchObject({ kind: 'edit' });
  });

  test('the approval server: the bearer API and the page’s form refuse it too', async () => {
    const server = await approvalServer();
    const waiting = server.ask(question('deep-2'), { signal: open() });
    const api = await send(`${server.url}/api/approvals/deep-2`, { headers: { authorization: `Bearer ${anaToken}`, 'content-type': 'application/json' }, body: deepEdit() });
    expect(api).toMatchObject({ status: 400, json: { error: expect.stringContaining(`deeper than ${maxAnswerDepth}`) } });
    const { cookie, csrf } = await signIn(server);
    const form = await send(`${server.url}/approvals/deep-2`, { headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ kind: 'edit', args: `{"amount":${nested(80_000)}}`, csrf }).toString() });
    expect(form.status).toBe(400);
    expect(form.text).toContain(`deeper than ${maxAnswerDepth}`);
    expect(server.approvals.get('deep-2')!.answer).toBeUndefined();
    const wide = await send(`${server.url}/api/approvals/deep-2`, { headers: { authorization: `Bearer ${anaToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'edit', args: { list: Array.from({ length: 200_000 }, () => 'xxxx') } }) });
    expect(wide.status).toBe(413);
    expect(server.approvals.get('deep-2')!.answer).toBeUndefined();
    server.answer('deep-2', { kind: 'approve' });
    await waiting;
  });

  test('Slack: a signed click whose user name is no string is 400, not recorded', async () => {
    const { slack, channel } = await slackSetUp();
    const request = question('0b6f3c1e-4444-4000-8000-000000000001');
    const waiting = channel.ask(request, { signal: open() });
    const message = await slack.messages.next();
    const { body, headers } = slack.signedClick(message, 'approve');
    const payload = JSON.parse(new URLSearchParams(body).get('payload')!) as { user: Record<string, unknown> };
    const hostile = new URLSearchParams({ payload: JSON.stringify(payload).replace('"username":"approver"', `"username":${nested(80_000)}`) }).toString();
    const signed = signSlack(hostile, slackSecret);
    const refused = await send(slack.interactionsUrl!, { headers: { ...headers, 'x-slack-request-timestamp': signed.timestamp, 'x-slack-signature': signed.signature }, body: hostile });
    expect(refused.status).toBe(400);
    expect(channel.approvals.get(request.id)!.answer).toBeUndefined();
    channel.approvals.answer(request.id, { kind: 'approve', at: new Date().toISOString() });
    await waiting;
  });
});

describe('fuzz: hostile bodies and headers against the live endpoints', () => {
  const slackFuzzId = '0b6f3c1e-5555-4000-8000-000000000001';
  const hostileBody = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 6 }),
    fc.constantFrom('', '{', 'null', '[]', '{"id":null}', '{"id":"fuzz","answer":null}', '{"id":"fuzz","answer":{"kind":"edit"}}', '{"__proto__":{"kind":"approve"}}', 'payload=%E0%A4%A', 'payload=' + nested(5000)),
    fc.integer({ min: 1, max: 100_000 }).map((depth) => `{"id":"fuzz","answer":{"kind":"edit","args":${nested(depth)}}}`),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    // Shaped like real answers and clicks, with anything in their fields.
    fc
      .tuple(fc.constantFrom('fuzz', 'fuzz-web', slackFuzzId), fc.record({ kind: fc.constantFrom('approve', 'reject', 'reply', 'edit', 'timeout', 'toString'), args: fc.anything(), message: fc.anything(), text: fc.anything(), by: fc.anything(), callId: fc.anything() }, { requiredKeys: ['kind'] }))
      .map(([id, answer]) => JSON.stringify({ id, answer })),
    fc
      .record({ type: fc.constantFrom('block_actions', 'view_submission'), user: fc.anything(), response_url: fc.anything(), actions: fc.oneof(fc.anything(), fc.array(fc.record({ action_id: fc.constantFrom('handrail_approve', 'handrail_reject', 'other'), value: fc.oneof(fc.constant(slackFuzzId), fc.anything()) }))) })
      .map((payload) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString()),
  );
  const hostileSignature = fc.oneof(
    fc.string({ maxLength: 100 }).filter((text) => !/[\r\n\0]/.test(text) && /^[\x20-\x7e]*$/.test(text)),
    fc.constantFrom('v1=', 'v0=', 'v1=' + '0'.repeat(64), 'v0=' + 'f'.repeat(64), 'v1=' + 'g'.repeat(64), ',,,', 'v1=' + '0'.repeat(64) + ','.repeat(500)),
  );
  const hostileTimestamp = fc.oneof(fc.constantFrom(String(Math.floor(Date.now() / 1000)), '0', '-1', '1e9', '99999999999999', ' 1'), fc.string({ maxLength: 20 }).filter((text) => /^[\x21-\x7e]*$/.test(text)));
  const okStatus = (status: number) => status >= 200 && status < 500 && status !== 0;

  test('webhook and Slack endpoints: unsigned, mis-signed or replayed requests are 4xx and record nothing; signed hostile bodies are 4xx', async () => {
    const { webhook, answerUrl } = await webhookSetUp();
    const { channel, interactionsUrl } = await slackSetUp();
    const waitingWebhook = webhook.ask(question('fuzz'), { signal: open() });
    const slackRequest = question(slackFuzzId);
    const waitingSlack = channel.ask(slackRequest, { signal: open() });
    await fc.assert(
      fc.asyncProperty(hostileBody, hostileSignature, hostileTimestamp, fc.boolean(), async (body, signature, timestamp, toSlack) => {
        const url = toSlack ? interactionsUrl! : answerUrl;
        const headers = toSlack ? { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp } : { 'content-type': 'application/json', 'handrail-signature': signature, 'handrail-timestamp': timestamp };
        const before = [webhook.approvals.get('fuzz')!.answer, channel.approvals.get(slackRequest.id)!.answer];
        const reply = await send(url, { headers, body });
        expect(reply.status).toBeGreaterThanOrEqual(400);
        expect(reply.status).toBeLessThan(500);
        expect([webhook.approvals.get('fuzz')!.answer, channel.approvals.get(slackRequest.id)!.answer]).toEqual(before);
        // The same hostile body, properly signed: refused with a 4xx, never a 500.
        const signed = toSlack ? signSlack(body, slackSecret) : signWebhook(body, secret);
        const signedHeaders = toSlack ? { ...headers, 'x-slack-signature': signed.signature, 'x-slack-request-timestamp': signed.timestamp } : { ...headers, 'handrail-signature': signed.signature, 'handrail-timestamp': signed.timestamp };
        const answered = await send(url, { headers: signedHeaders, body });
        expect(okStatus(answered.status)).toBe(true);
        const again = await send(url, { headers: signedHeaders, body });
        expect(again.status).toBe(409);
      }),
      { numRuns: fuzzRuns(60) },
    );
    webhook.answer('fuzz', { kind: 'approve' });
    channel.approvals.answer(slackRequest.id, { kind: 'approve', at: new Date().toISOString() });
    await Promise.all([waitingWebhook, waitingSlack]);
  });

  test('approval server: hostile credentials, paths and bodies are 4xx (or a redirect), never a 500, and answer nothing', async () => {
    const server = await approvalServer();
    const { cookie, csrf } = await signIn(server);
    const waiting = server.ask(question('fuzz-web'), { signal: open() });
    const route = fc.constantFrom('/api/approvals/fuzz-web', '/api/approvals', '/approvals/fuzz-web', '/login', '/logout', '/', '/api/approvals/%E0%A4%A', '/approvals/%', '/api/approvals/fuzz-web/x');
    const credential = fc.oneof(
      fc.constant({}),
      fc.string({ maxLength: 60 }).filter((text) => /^[\x21-\x7e]*$/.test(text)).map((token) => ({ authorization: `Bearer ${token}` })),
      fc.string({ maxLength: 60 }).filter((text) => /^[\x21-\x3a\x3c-\x7e]*$/.test(text)).map((id) => ({ cookie: `handrail_session=${id}` })),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(route, fc.constantFrom('GET', 'POST', 'PUT', 'HEAD'), credential, hostileBody, fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'), async (path, method, headers, body, type) => {
        // Each case from an address of its own, so the limiter does not end the fuzz early.
        const localAddress = `127.0.${Math.floor(++n / 250) % 250}.${(n % 250) + 2}`;
        const before = server.approvals.get('fuzz-web')!.answer;
        const reply = await send(`${server.url}${path}`, { method, headers: { ...headers, 'content-type': type }, ...(method === 'GET' || method === 'HEAD' ? {} : { body }), localAddress });
        expect(reply.status >= 200 && reply.status < 500).toBe(true);
        expect(server.approvals.get('fuzz-web')!.answer).toEqual(before);
        // With the right token, hostile JSON answers are refused (or, when one is a valid answer, recorded once).
        const answered = await send(`${server.url}/api/approvals/fuzz-web`, { headers: { authorization: `Bearer ${anaToken}`, 'content-type': 'application/json' }, body: /^\{"id":"[^"]*","answer":/.test(body) ? body.replace(/^\{"id":"[^"]*","answer":/, '').slice(0, -1) : body });
        expect(answered.status >= 200 && answered.status < 500).toBe(true);
        // Signed in, with the right CSRF token: hostile answers are refused.
        const form = await send(`${server.url}/approvals/fuzz-web`, { headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `${new URLSearchParams({ csrf, kind: 'edit' }).toString()}&args=${encodeURIComponent(body)}` });
        expect(form.status >= 200 && form.status < 500).toBe(true);
        if (form.status === 303) return void expect(server.approvals.get('fuzz-web')!.answer).toMatchObject({ kind: 'edit' });
      }),
      { numRuns: fuzzRuns(60) },
    );
    if (!server.approvals.get('fuzz-web')!.answer) server.answer('fuzz-web', { kind: 'approve' });
    await waiting;
  });
});
