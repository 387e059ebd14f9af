// A durable run in a child process escalates its tool call and waits; an approval server in this
// process, given the same FileRunStore directory, lists the question (API and page), takes the
// answer over HTTP, and the child goes on: the tool runs exactly once.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAuditLogFile, type AuditRecord } from '@handrail/policy';
import { FileRunStore, startApprovalServer, type ApprovalRequest, type ApprovalServer } from '../../src/index.js';
import { startRefundChat } from './fixtures/refund-child.js';

// The child loads the TypeScript sources through tsx: seconds on a busy machine.
const timeout = 120_000;
const anaToken = 'ana-token-0123456789abcdef';
const boToken = 'bo-token-0123456789abcdefgh';

let dir: string;
let server: ApprovalServer | undefined;
let child: ChildProcess | undefined;
const path = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-server-store-'));
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const fileLines = (name: string) => (existsSync(path(name)) ? readFileSync(path(name), 'utf8').split('\n').filter(Boolean) : []);

/** Starts the refund chat in a child process. */
function startChild() {
  const run = startRefundChat(dir, 'refund-7');
  child = run.process;
  return run;
}

const api = (route: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${server!.url}${route}`, { ...init, headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });

it('an approval server in another process lists a durable run’s question and answers it; the run goes on and its tool runs once', { timeout }, async () => {
  // The server knows nothing of the run but the store's directory (its own FileRunStore object).
  server = await startApprovalServer({ approvers: { ana: anaToken, bo: boToken }, store: new FileRunStore(path('store')) });

  // 1. The child asks and waits.
  const run = startChild();
  expect(await run.line((value) => 'opened' in value)).toEqual({ opened: 'refund-7', replaying: false, status: 'running' });
  const { asked: id } = (await run.line((value) => 'asked' in value)) as { asked: string };

  // 2. The JSON API lists it (with a token only), and shows it alone.
  expect((await api('/api/approvals')).status).toBe(401);
  expect((await api('/api/approvals', { token: 'not-a-valid-token-at-all' })).status).toBe(401);
  const listing = await api('/api/approvals', { token: anaToken });
  expect(listing.status).toBe(200);
  const { approvals } = (await listing.json()) as { approvals: ApprovalRequest[] };
  expect(approvals).toHaveLength(1);
  expect(approvals[0]).toMatchObject({ id, runId: 'refund-7', agent: 'user', sender: 'assistant', tool: { name: 'refund', args: { amount: 250 } }, decision: { rule: 'large', reason: 'large refund' } });
  expect(await (await api(`/api/approvals/${id}`, { token: boToken })).json()).toEqual({ request: approvals[0] });
  expect(server.pending).toEqual([]); // nothing was asked of this process

  // 3. The page shows it to a signed-in approver.
  expect((await fetch(server.url, { redirect: 'manual' })).headers.get('location')).toBe('/login');
  const login = await fetch(`${server.url}/login`, { method: 'POST', body: new URLSearchParams({ token: boToken }), redirect: 'manual' });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const html = await (await fetch(server.url, { headers: { cookie } })).text();
  expect(html).toContain(`action="/approvals/${id}"`);
  expect(html).toContain('<span class="count">1</span> waiting');
  for (const shown of ['refund-7', 'large refund', 'refunds', '&quot;amount&quot;: 250']) expect(html).toContain(shown);
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;

  // 4. Refusals change nothing: no token, an unknown id.
  expect((await api(`/api/approvals/${id}`, { method: 'POST', body: JSON.stringify({ kind: 'approve' }) })).status).toBe(401);
  const unknown = await api('/api/approvals/no-such-approval', { token: anaToken, method: 'POST', body: JSON.stringify({ kind: 'approve' }) });
  expect(unknown.status).toBe(404);
  expect(await unknown.json()).toMatchObject({ id: 'no-such-approval' });
  expect((await api('/api/approvals/no-such-approval', { token: anaToken })).status).toBe(404);
  expect((await fetch(`${server.url}/approvals/no-such-approval`, { method: 'POST', body: new URLSearchParams({ kind: 'approve', csrf }), headers: { cookie }, redirect: 'manual' })).status).toBe(404);
  expect(fileLines('tool.log')).toEqual([]);

  // 5. Ana approves over HTTP; the child takes the answer from the store and finishes.
  const approved = await api(`/api/approvals/${id}`, { token: anaToken, method: 'POST', body: JSON.stringify({ kind: 'approve' }) });
  expect(approved.status).toBe(200);
  expect(await approved.json()).toMatchObject({ status: 'answered', id, answer: { kind: 'approve', by: 'ana', channel: 'web' } });
  expect(await run.line((value) => 'done' in value)).toEqual({
    done: true,
    ended: { cause: 'stop', agent: 'user', reason: 'refund finished', rule: 'done' },
    history: ['Refund order 42.', null, '{"refunded":250}', 'Refunded 250 EUR. TERMINATE'],
  });
  expect(await run.exited).toEqual({ code: 0, signal: null });
  expect(fileLines('tool.log')).toEqual(['refunded 250']);

  // 6. Later answers: the same one is 200 with the recorded answer; a different one is 409, by
  //    the API and by the page. Nothing runs again; nothing waits any more.
  const same = await api(`/api/approvals/${id}`, { token: boToken, method: 'POST', body: JSON.stringify({ kind: 'approve' }) });
  expect(same.status).toBe(200);
  expect(await same.json()).toMatchObject({ status: 'already-answered', answer: { kind: 'approve', by: 'ana' } });
  const different = await api(`/api/approvals/${id}`, { token: boToken, method: 'POST', body: JSON.stringify({ kind: 'reject', message: 'too late' }) });
  expect(different.status).toBe(409);
  expect(await different.json()).toMatchObject({ reason: 'already-answered', answer: { kind: 'approve', by: 'ana' } });
  const form = await fetch(`${server.url}/approvals/${id}`, { method: 'POST', body: new URLSearchParams({ kind: 'reject', csrf }), headers: { cookie }, redirect: 'manual' });
  expect(form.status).toBe(409);
  expect(await form.text()).toContain('It was already answered: approve by ana.');
  expect(await (await api('/api/approvals', { token: anaToken })).json()).toEqual({ approvals: [] });
  expect(await (await api(`/api/approvals/${id}`, { token: anaToken })).json()).toMatchObject({ answer: { kind: 'approve', by: 'ana' } });
  expect(fileLines('tool.log')).toEqual(['refunded 250']);

  // The audit log of the child names who answered, and where.
  const auditText = readFileSync(path('audit.jsonl'), 'utf8');
  expect(await verifyAuditLogFile(path('audit.jsonl'))).toMatchObject({ ok: true });
  const answers = auditText
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord)
    .filter((record) => record.type === 'answer');
  expect(answers).toMatchObject([{ approvalId: id, by: 'ana', channel: 'web', answer: { kind: 'approve' } }]);
});
