// A gated hand-written loop waits for a person without holding the question in memory: the
// process is killed (SIGKILL) while suspended, another process receives the answer over HTTP
// (an approval server on the store), restores the run and finishes it; the tool runs once.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileRunStore } from '@handrail/core';
import { killChildren, startChild } from './fixtures/child-process.js';

const fixture = fileURLToPath(new URL('./fixtures/gated-loop.ts', import.meta.url));
const timeout = 120_000;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-gated-'));
});
afterAll(() => {
  killChildren();
  rmSync(dir, { recursive: true, force: true });
});

const start = (...args: string[]) => startChild(fixture, [join(dir, 'store'), join(dir, 'tool.log'), join(dir, 'model.log'), 'refund-42', ...args]);

const fileLines = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean) : []);

it('a suspended gated loop, killed, is resumed by another process that got the answer over HTTP; the tool runs once', { timeout }, async () => {
  const first = start('start');
  const { suspended: pending } = (await first.line('suspended')) as { suspended: { format: string; request: { id: string; tool: unknown; decision: { onReject: string } } } };
  expect(pending).toMatchObject({ format: 'handrail.pending/1', request: { tool: { name: 'refund', args: { amount: 250 }, callId: 'call_1' }, decision: { onReject: 'refuse' } } });
  first.child.kill('SIGKILL');
  expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
  expect(fileLines('tool.log')).toEqual([]);

  const second = start('serve', pending.request.id);
  const { url } = (await second.line('url')) as { url: string };
  const listed = await (await fetch(`${url}/api/approvals`, { headers: { authorization: 'Bearer ana-token-0123456789abcdef' } })).json();
  expect(JSON.stringify(listed)).toContain(pending.request.id);
  const answered = await fetch(`${url}/api/approvals/${pending.request.id}`, { method: 'POST', headers: { authorization: 'Bearer ana-token-0123456789abcdef', 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'approve' }) });
  expect(answered.status).toBe(200);
  expect(await second.line('done')).toMatchObject({ done: true, reason: 'refund finished' });
  expect(await second.exited).toEqual({ code: 0, signal: null });
  expect(fileLines('tool.log')).toEqual(['refunded 250']);
  // The model's first answer was journaled: it was not asked again for it.
  expect(fileLines('model.log')).toHaveLength(2);

  const journal = (await new FileRunStore(join(dir, 'store')).readJournal('refund-42'))!;
  expect(journal.filter((record) => record.type === 'approval-answered').map((record) => record.type === 'approval-answered' && record.answer)).toMatchObject([{ kind: 'approve', by: 'ana' }]);
  expect(journal.at(-1)).toMatchObject({ type: 'run-finished' });
});
