// The approval server over HTTP: sign-in, cookies, CSRF, escaping, the JSON API with its statuses,
// and 200 runs waiting on one server, answered at once, each getting its own answer.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApprovalServer, type ApprovalRequest, type ApprovalServer } from '../../src/index.js';
import { refundPolicy, refundRun } from './helpers.js';

const anaToken = 'ana-token-0123456789abcdef';
const boToken = 'bo-token-0123456789abcdefgh';
let server: ApprovalServer;

beforeAll(async () => {
  server = await startApprovalServer({ approvers: { ana: anaToken, bo: boToken }, title: 'Refund approvals' });
});
afterAll(() => server.close());

const api = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${server.url}${path}`, { ...init, headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });

async function signIn(token: string): Promise<{ cookie: string; setCookie: string }> {
  const response = await fetch(`${server.url}/login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
  expect(response.status).toBe(303);
  const setCookie = response.headers.get('set-cookie')!;
  return { cookie: setCookie.split(';')[0]!, setCookie };
}

async function page(cookie: string): Promise<{ status: number; html: string; csrf: string; headers: Headers }> {
  const response = await fetch(server.url, { headers: { cookie }, redirect: 'manual' });
  const html = await response.text();
  return { status: response.status, html, csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '', headers: response.headers };
}

const form = (cookie: string, id: string, fields: Record<string, string>) =>
  fetch(`${server.url}/approvals/${id}`, { method: 'POST', body: new URLSearchParams(fields), headers: { cookie }, redirect: 'manual' });

async function waitForPending(count: number): Promise<ApprovalRequest[]> {
  for (let tries = 0; tries < 400; tries++) {
    const { approvals } = (await (await api('/api/approvals', { token: anaToken })).json()) as { approvals: ApprovalRequest[] };
    if (approvals.length >= count) return approvals;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${count} approvals arrived`);
}

describe('approval server', () => {
  test('nothing without a token: the page redirects to sign-in, the API and the forms answer 401', async () => {
    const waiting = server.ask({ ...sample('srv-1') }, { signal: new AbortController().signal });
    expect((await fetch(server.url, { redirect: 'manual' })).headers.get('location')).toBe('/login');
    expect((await api('/api/approvals')).status).toBe(401);
    expect((await api('/api/approvals', { token: 'not-a-valid-token-at-all' })).status).toBe(401);
    expect((await api('/api/approvals/srv-1', { method: 'POST', body: JSON.stringify({ kind: 'approve' }) })).status).toBe(401);
    expect((await form('handrail_session=forged', 'srv-1', { kind: 'approve', csrf: 'x' })).status).toBe(401);
    const failed = await fetch(`${server.url}/login`, { method: 'POST', body: new URLSearchParams({ token: 'wrong-token-0123456789' }), redirect: 'manual' });
    expect(failed.status).toBe(401);
    expect(failed.headers.get('set-cookie')).toBeNull();
    expect(await failed.text()).toContain('That token is not valid.');
    expect(server.approvals.get('srv-1')!.answer).toBeUndefined();
    server.answer('srv-1', { kind: 'approve' });
    await waiting;
  });

  test('sign-in sets an HttpOnly SameSite cookie; the page shows the context, escaped, under a script-free CSP', async () => {
    const waiting = server.ask(sample('srv-2', '<script>alert(1)</script> & "quotes"'), { signal: new AbortController().signal });
    const { cookie, setCookie } = await signIn(anaToken);
    expect(setCookie).toMatch(/^handrail_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const { status, html, csrf, headers } = await page(cookie);
    expect(status).toBe(200);
    expect(csrf).toMatch(/^[\w-]{43}$/);
    expect(headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'nonce-[^']+'; form-action 'self'; frame-ancestors 'none'/);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('Signed in as <strong class="approver">ana</strong>');
    for (const shown of ['refund over 100', 'large', 'refunds', 'sha256:0', '&quot;amount&quot;: 250', 'run-1']) expect(html).toContain(shown);
    server.answer('srv-2', { kind: 'approve' });
    await waiting;
  });

  test('each card says what reject will do before anyone clicks', async () => {
    const ending = server.ask({ ...sample('srv-end'), decision: { ...sample('srv-end').decision, onReject: 'end' } }, { signal: new AbortController().signal });
    const refusing = server.ask({ ...sample('srv-refuse'), decision: { ...sample('srv-refuse').decision, onReject: 'refuse' } }, { signal: new AbortController().signal });
    const { html } = await page((await signIn(anaToken)).cookie);
    const card = (id: string) => html.slice(html.indexOf(`id="approval-${id}"`), html.indexOf('</article>', html.indexOf(`id="approval-${id}"`)));
    expect(card('srv-end')).toContain('<dt>Reject</dt><dd class="on-reject">Reject ends the run.</dd>');
    expect(card('srv-refuse')).toContain('<dt>Reject</dt><dd class="on-reject">Reject refuses this call and tells the model; the run goes on.</dd>');
    server.answer('srv-end', { kind: 'approve' });
    server.answer('srv-refuse', { kind: 'approve' });
    await Promise.all([ending, refusing]);
  });

  test('forms need the session’s CSRF token (403); answers are recorded with the approver; a second answer changes nothing', async () => {
    const waiting = server.ask(sample('srv-3'), { signal: new AbortController().signal });
    const ana = await signIn(anaToken);
    const bo = await signIn(boToken);
    const { csrf: anaCsrf } = await page(ana.cookie);
    const { csrf: boCsrf } = await page(bo.cookie);
    expect((await form(ana.cookie, 'srv-3', { kind: 'approve' })).status).toBe(403);
    expect((await form(ana.cookie, 'srv-3', { kind: 'approve', csrf: boCsrf })).status).toBe(403);
    expect((await form(ana.cookie, 'no-such-id', { kind: 'approve', csrf: anaCsrf })).status).toBe(404);
    expect((await form(ana.cookie, 'srv-3', { kind: 'edit', args: '{not json', csrf: anaCsrf })).status).toBe(400);
    expect((await form(ana.cookie, 'srv-3', { kind: 'reply', text: '   ', csrf: anaCsrf })).status).toBe(400);
    expect(server.approvals.get('srv-3')!.answer).toBeUndefined();

    const answered = await form(ana.cookie, 'srv-3', { kind: 'reject', message: 'too much', csrf: anaCsrf });
    expect(answered.status).toBe(303);
    expect(await waiting).toMatchObject({ kind: 'reject', message: 'too much', by: 'ana' });
    expect((await page(ana.cookie)).html).toContain('Recorded: reject for “Approve the refund?”.');
    const late = await form(bo.cookie, 'srv-3', { kind: 'approve', csrf: boCsrf });
    expect(late.status).toBe(409);
    expect(await late.text()).toContain('It was already answered: reject by ana.');
    expect((await form(bo.cookie, 'srv-3', { kind: 'reject', message: 'too much', csrf: boCsrf })).status).toBe(303);
    expect(server.approvals.get('srv-3')!.answer).toMatchObject({ kind: 'reject', by: 'ana' });
  });

  test('the JSON API: list, one, answer with precise statuses', async () => {
    const waiting = server.ask(sample('srv-4'), { signal: new AbortController().signal });
    expect(((await (await api('/api/approvals', { token: boToken })).json()) as { approvals: ApprovalRequest[] }).approvals.map((request) => request.id)).toEqual(['srv-4']);
    expect(await (await api('/api/approvals/srv-4', { token: boToken })).json()).toEqual({ request: sample('srv-4') });
    expect((await api('/api/approvals/nope', { token: boToken })).status).toBe(404);
    expect((await api('/api/approvals/nope', { token: boToken, method: 'POST', body: JSON.stringify({ kind: 'approve' }) })).status).toBe(404);
    expect((await api('/api/approvals/srv-4', { token: boToken, method: 'POST', body: '{' })).status).toBe(400);
    expect((await api('/api/approvals/srv-4', { token: boToken, method: 'POST', body: JSON.stringify({ kind: 'edit' }) })).status).toBe(400);
    const ok = await api('/api/approvals/srv-4', { token: boToken, method: 'POST', body: JSON.stringify({ kind: 'edit', args: { amount: 90 }, by: 'someone-else' }) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'answered', answer: { kind: 'edit', args: { amount: 90 }, by: 'bo' } });
    expect(await waiting).toMatchObject({ kind: 'edit', by: 'bo' });
    expect((await api('/api/approvals/srv-4', { token: anaToken, method: 'POST', body: JSON.stringify({ kind: 'edit', args: { amount: 90 } }) })).status).toBe(200);
    expect((await api('/api/approvals/srv-4', { token: anaToken, method: 'POST', body: JSON.stringify({ kind: 'approve' }) })).status).toBe(409);
  });

  test('200 runs wait on one server at once; answered concurrently over HTTP, each run gets its own answer', async () => {
    const runs = Array.from({ length: 200 }, (_, i) => refundRun({ channel: server, order: `O-${i}`, amount: 101 + i, policy: refundPolicy({ timeout: '20s', onNoInput: 'stop' }) }));
    const pending = await waitForPending(200);
    expect(new Set(pending.map((request) => request.id)).size).toBe(200);
    expect(new Set(pending.map((request) => request.runId)).size).toBe(200);
    const answerFor = (order: string) => {
      const i = Number(order.slice(2));
      // An edit under 100 passes the policy when it is decided again.
      return i % 3 === 0 ? { kind: 'edit', args: { order, amount: 30 + i / 3 } } : i % 3 === 1 ? { kind: 'reply', text: `reply for ${order}` } : { kind: 'reject', message: `no for ${order}` };
    };
    const statuses = await Promise.all(
      pending.map(async (request) => {
        const order = (request.tool!.args as { order: string }).order;
        return (await api(`/api/approvals/${request.id}`, { token: anaToken, method: 'POST', body: JSON.stringify(answerFor(order)) })).status;
      }),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
    const results = await Promise.all(runs);
    results.forEach(({ result, refunds, model }, i) => {
      const order = `O-${i}`;
      if (i % 3 === 0) expect(refunds).toEqual([{ order, amount: 30 + i / 3 }]);
      else expect(refunds).toEqual([]);
      if (i % 3 === 1) expect(model.requests[1]!.messages.at(-1)).toEqual({ role: 'user', content: `reply for ${order}`, name: 'user' });
      if (i % 3 === 2) expect(result.ended).toMatchObject({ cause: 'rejected', reason: `rejected by ana: no for ${order}` });
      expect(result.events.find((event) => event.type === 'human-input-received')).toMatchObject({ channel: 'web', by: 'ana', timedOut: false });
    });
    expect(server.pending).toEqual([]);
  });
});

function sample(id: string, prompt = 'Approve the refund?'): ApprovalRequest {
  return {
    id,
    runId: 'run-1',
    createdAt: '2026-01-01T00:00:00.000Z',
    agent: 'user',
    sender: 'assistant',
    prompt,
    message: { role: 'assistant', content: null },
    tool: { name: 'refund', args: { amount: 250 }, callId: 'call_1' },
    decision: { rule: 'large', reason: 'refund over 100', onNoInput: 'stop', policy: { name: 'refunds', hash: 'sha256:0' } },
  };
}
