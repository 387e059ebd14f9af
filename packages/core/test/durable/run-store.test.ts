// What an approval server given a store relies on, for both stores: listPendingApprovals lists
// the unanswered questions of every run, oldest first, and an answered one leaves the list.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { answerApproval, FileRunStore, MemoryRunStore, type ApprovalRequest, type RunStore } from '../../src/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const request = (id: string, runId: string, createdAt: string): ApprovalRequest => ({
  id,
  runId,
  createdAt,
  prompt: `question ${id}`,
  decision: { rule: 'large', reason: 'large refund', onNoInput: 'stop', policy: { name: 'refunds', hash: 'sha256:0' } },
});

function fileStore(): RunStore {
  const dir = mkdtempSync(join(tmpdir(), 'handrail-store-'));
  dirs.push(dir);
  return new FileRunStore(dir);
}

const stores: Array<[string, () => RunStore]> = [
  ['FileRunStore', fileStore],
  ['MemoryRunStore', () => new MemoryRunStore()],
];

describe.each(stores)('%s.listPendingApprovals', (_name, make) => {
  it('is empty for a new store', async () => {
    expect(await make().listPendingApprovals()).toEqual([]);
  });

  it('lists the unanswered questions of every run, oldest first; answered ones leave the list', async () => {
    const store = make();
    await store.putApproval(request('q-3', 'run-b', '2026-01-01T00:00:03.000Z'));
    await store.putApproval(request('q-1', 'run-a', '2026-01-01T00:00:01.000Z'));
    await store.putApproval(request('q-2', 'run-c', '2026-01-01T00:00:02.000Z'));
    await store.putApproval(request('q-1', 'run-a', '2026-01-01T00:00:01.000Z')); // idempotent
    expect((await store.listPendingApprovals()).map((pending) => [pending.id, pending.runId])).toEqual([
      ['q-1', 'run-a'],
      ['q-2', 'run-c'],
      ['q-3', 'run-b'],
    ]);
    expect(await answerApproval(store, 'q-2', { kind: 'approve', by: 'ana' })).toMatchObject({ status: 'answered' });
    expect(await answerApproval(store, 'q-3', { kind: 'timeout' }, { channel: 'timeout' })).toMatchObject({ status: 'answered' });
    expect(await store.listPendingApprovals()).toEqual([request('q-1', 'run-a', '2026-01-01T00:00:01.000Z')]);
  });
});
