// The approval server given a RunStore: it lists the store's unanswered questions (every run's)
// next to those asked of it in process, answers them through the store (the first answer stored
// wins), and the waiting durable run goes on. The same with a child process is in
// test/durable/approval-server-across-processes.test.ts.
import { afterEach, describe, expect, test } from 'vitest';
import { answerApproval, DurableRun, MemoryRunStore, startApprovalServer, type ApprovalRequest, type ApprovalRequestInput, type ApprovalServer } from '../../src/index.js';

const anaToken = 'ana-token-0123456789abcdef';
const boToken = 'bo-token-0123456789abcdefgh';
let server: ApprovalServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const question = (prompt: string, extra: Partial<ApprovalRequestInput> = {}): ApprovalRequestInput => ({
  prompt,
  tool: { name: 'refund', args: { amount: 250 }, callId: 'call_1' },
  decision: { rule: 'large', reason: 'large refund', onNoInput: 'stop', policy: { name: 'refunds', hash: 'sha256:0' } },
  ...extra,
});

const api = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${server!.url}${path}`, { ...init, headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });

const listed = async (token = anaToken) => ((await (await api('/api/approvals', { token })).json()) as { approvals: ApprovalRequest[] }).approvals;

async function pendingOf(store: MemoryRunStore, runId: string): Promise<ApprovalRequest> {
  for (;;) {
    const found = (await store.listPendingApprovals()).find((request) => request.runId === runId);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('approval server with a store', () => {
  test('lists stored questions of every run with those asked in process; answers go through the store and the run goes on', async () => {
    const store = new MemoryRunStore();
    server = await startApprovalServer({ approvers: { ana: anaToken, bo: boToken }, store });
    const first = await DurableRun.open(store, 'run-a');
    const second = await DurableRun.open(store, 'run-b');
    const waitingA = first.awaitApproval(question('Refund A?', { createdAt: '2026-01-01T00:00:01.000Z' }));
    const waitingB = second.awaitApproval(question('Refund B?', { createdAt: '2026-01-01T00:00:03.000Z' }));
    const a = await pendingOf(store, 'run-a');
    await pendingOf(store, 'run-b');
    const local = server.ask({ ...a, id: 'local-1', runId: 'run-local', prompt: 'Local?', createdAt: '2026-01-01T00:00:02.000Z' }, { signal: new AbortController().signal });

    expect((await listed()).map((request) => [request.runId, request.prompt])).toEqual([
      ['run-a', 'Refund A?'],
      ['run-local', 'Local?'],
      ['run-b', 'Refund B?'],
    ]);
    expect(server.pending.map((request) => request.id)).toEqual(['local-1']);
    expect(await (await api(`/api/approvals/${a.id}`, { token: boToken })).json()).toEqual({ request: a });

    const ok = await api(`/api/approvals/${a.id}`, { token: anaToken, method: 'POST', body: JSON.stringify({ kind: 'reply', text: 'half now', by: 'mallory' }) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'answered', id: a.id, answer: { kind: 'reply', text: 'half now', by: 'ana', channel: 'web' } });
    expect(await waitingA).toMatchObject({ kind: 'reply', text: 'half now', by: 'ana' });
    expect((await store.getApproval(a.id))?.answer).toMatchObject({ channel: 'web', answer: { kind: 'reply', by: 'ana' } });
    expect(await (await api(`/api/approvals/${a.id}`, { token: boToken })).json()).toMatchObject({ request: a, answer: { kind: 'reply', by: 'ana' } });

    // The same answer again is 200 with the recorded one; a different one is 409; the store agrees.
    const again = await api(`/api/approvals/${a.id}`, { token: boToken, method: 'POST', body: JSON.stringify({ kind: 'reply', text: 'half now' }) });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'already-answered', answer: { kind: 'reply', by: 'ana' } });
    const conflict = await api(`/api/approvals/${a.id}`, { token: boToken, method: 'POST', body: JSON.stringify({ kind: 'approve' }) });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ reason: 'already-answered', answer: { kind: 'reply', by: 'ana' } });
    // An answer stored by another process first wins over the page.
    const b = await pendingOf(store, 'run-b');
    expect(await answerApproval(store, b.id, { kind: 'reject', message: 'no', by: 'ops' }, { channel: 'script' })).toMatchObject({ status: 'answered' });
    expect((await api(`/api/approvals/${b.id}`, { token: anaToken, method: 'POST', body: JSON.stringify({ kind: 'approve' }) })).status).toBe(409);
    expect(await waitingB).toMatchObject({ kind: 'reject', by: 'ops' });

    // Questions asked in process are answered as before.
    expect((await api('/api/approvals/local-1', { token: anaToken, method: 'POST', body: JSON.stringify({ kind: 'approve' }) })).status).toBe(200);
    expect(await local).toMatchObject({ kind: 'approve', by: 'ana' });
    expect(await listed()).toEqual([]);
    expect((await api('/api/approvals/unknown-id', { token: anaToken, method: 'POST', body: JSON.stringify({ kind: 'approve' }) })).status).toBe(404);
    expect((await api('/api/approvals/unknown-id', { token: anaToken })).status).toBe(404);
    await first.close();
    await second.close();
  });

  test('a durable run that asks this server with its store is listed once and answered once', async () => {
    const store = new MemoryRunStore();
    server = await startApprovalServer({ approvers: { ana: anaToken }, store });
    const run = await DurableRun.open(store, 'run-c');
    const waiting = run.awaitApproval(question('Refund C?'), { channel: server });
    const request = await pendingOf(store, 'run-c');
    for (let tries = 0; !server.pending.length && tries < 200; tries++) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(server.pending.map((pending) => pending.id)).toEqual([request.id]);
    expect((await listed()).map((pending) => pending.id)).toEqual([request.id]);

    // Signed in, on the page: one card, answered with its form.
    const login = await fetch(`${server.url}/login`, { method: 'POST', body: new URLSearchParams({ token: anaToken }), redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const html = await (await fetch(server.url, { headers: { cookie } })).text();
    expect(html.split(`action="/approvals/${request.id}"`).length - 1).toBeGreaterThan(0);
    expect(html).toContain('<span class="count">1</span> waiting');
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const answered = await fetch(`${server.url}/approvals/${request.id}`, { method: 'POST', body: new URLSearchParams({ kind: 'approve', csrf }), headers: { cookie }, redirect: 'manual' });
    expect(answered.status).toBe(303);
    expect(await waiting).toMatchObject({ kind: 'approve', by: 'ana', channel: 'web' });
    expect(server.approvals.get(request.id)?.answer).toMatchObject({ kind: 'approve', by: 'ana' });
    expect(await listed()).toEqual([]);
    const late = await fetch(`${server.url}/approvals/${request.id}`, { method: 'POST', body: new URLSearchParams({ kind: 'reject', csrf }), headers: { cookie }, redirect: 'manual' });
    expect(late.status).toBe(409);
    expect(await late.text()).toContain('It was already answered: approve by ana.');
    await run.close();
  });

  test('a stored question whose time ran out is not listed, and an answer to it is a conflict with the timeout', async () => {
    const store = new MemoryRunStore();
    server = await startApprovalServer({ approvers: { ana: anaToken }, store });
    // Asked by a run whose process is gone: nobody stored the timeout yet.
    const request: ApprovalRequest = { ...question('Too late?', { expiresAt: '2026-01-01T00:10:00.000Z' }), id: 'expired-1', runId: 'run-gone', createdAt: '2026-01-01T00:00:00.000Z' };
    await store.putApproval(request);
    expect(await listed()).toEqual([]);
    const late = await api('/api/approvals/expired-1', { token: anaToken, method: 'POST', body: JSON.stringify({ kind: 'approve' }) });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ error: 'the question timed out before this answer', answer: { kind: 'timeout' } });
    expect((await store.getApproval('expired-1'))?.answer).toMatchObject({ channel: 'timeout', answer: { kind: 'timeout' } });
  });
});
