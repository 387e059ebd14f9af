// History rules through the supervisor: it keeps the run's history turn by turn, a durable run
// restored in another supervisor rebuilds it, and a pending question resumed elsewhere carries it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy, type Turn } from '@handrail/policy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerApproval, createSupervisor, DurableRun, FileRunStore, ScriptedChannel, type PendingQuestion } from '../../src/index.js';

const policy = compilePolicy(`policy mail
rule tainted: when tool.name == "send_email" and history.tools contains "read_inbox" then escalate "sending after reading the inbox"
rule burst:   when tool.name == "refund" and history.calls.refund >= 2 over the last 5 steps then stop "more than 2 refunds in 5 steps"
rule flaky:   when history.errors >= 2 then stop "too many tool errors"`);

const call = (name: string, args: Record<string, unknown> = {}): Turn => ({ content: null, role: 'assistant', sender: 'clerk', tool: { name, args } });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-history-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the supervisor keeps the run\'s history', () => {
  it('escalates send_email only after read_inbox was called in an earlier turn', async () => {
    const channel = new ScriptedChannel([{ kind: 'reject', message: 'no' }]);
    const supervisor = createSupervisor({ policy, channel });
    expect(await supervisor.check(call('send_email', { to: 'a@example.com' }))).toMatchObject({ kind: 'proceed' });
    expect(await supervisor.check(call('read_inbox'))).toMatchObject({ kind: 'proceed' });
    expect(await supervisor.check(call('send_email', { to: 'a@example.com' }))).toMatchObject({ kind: 'reject', decision: { rule: 'tainted' } });
    expect(channel.requests).toHaveLength(1);
  });

  it('counts calls in a window of steps, and errors over the run; reset starts a new run', async () => {
    const supervisor = createSupervisor({ policy, channel: new ScriptedChannel() });
    expect((await supervisor.check(call('refund'))).kind).toBe('proceed');
    expect((await supervisor.check(call('refund'))).kind).toBe('proceed');
    expect(await supervisor.check(call('refund'))).toMatchObject({ kind: 'stop', reason: 'more than 2 refunds in 5 steps' });
    for (let i = 0; i < 5; i++) await supervisor.check({ content: 'thinking', role: 'assistant', sender: 'clerk' });
    // The three refunds are more than 5 turns back now.
    expect((await supervisor.check(call('refund'))).kind).toBe('proceed');
    await supervisor.check({ content: '', role: 'tool', sender: 'clerk', error: 'timeout' });
    await supervisor.check({ content: '', role: 'tool', sender: 'clerk', error: 'timeout' });
    expect(await supervisor.check({ content: 'ok', role: 'assistant', sender: 'clerk' })).toMatchObject({ kind: 'stop', reason: 'too many tool errors' });
    supervisor.reset();
    expect((await supervisor.check({ content: 'ok', role: 'assistant', sender: 'clerk' })).kind).toBe('proceed');
  });

  it('a restored durable run has the same history, and a question resumed by another supervisor carries it', async () => {
    const store = new FileRunStore(join(dir, 'store'));
    const first = await DurableRun.open(store, 'mail-1');
    const before = createSupervisor({ policy, run: first, wait: 'suspend', name: 'proxy' });
    expect((await before.check(call('read_inbox'))).kind).toBe('proceed');
    const verdict = await before.check(call('send_email', { to: 'a@example.com' }));
    expect(verdict).toMatchObject({ kind: 'suspended', decision: { rule: 'tainted' } });
    const pending = JSON.parse(JSON.stringify(verdict.kind === 'suspended' && verdict.pending)) as PendingQuestion;
    expect(pending.turn.history).toMatchObject({ turns: 1, tools: ['read_inbox'] });
    await first.close();

    // Another process resumes the question it was handed: the edit is decided again with the
    // run's history (asked about, not let through), and its later turns go on from that history.
    const channel = new ScriptedChannel([{ kind: 'reject', message: 'not now' }, { kind: 'reject', message: 'still no' }]);
    const elsewhere = createSupervisor({ policy, channel, name: 'proxy' });
    expect(await elsewhere.resume(pending, { kind: 'edit', args: { to: 'b@example.com' }, at: new Date().toISOString() })).toMatchObject({ kind: 'reject', decision: { rule: 'tainted' } });
    expect(channel.requests[0]).toMatchObject({ tool: { name: 'send_email', args: { to: 'b@example.com' } } });
    expect(await elsewhere.check(call('send_email', { to: 'c@example.com' }))).toMatchObject({ kind: 'reject', decision: { rule: 'tainted' } });

    // Replaying the loop from the journal rebuilds the history too: a new send_email after it is asked about.
    expect(await answerApproval(store, pending.request.id, { kind: 'approve', by: 'ana' })).toMatchObject({ status: 'answered' });
    const replayed = await DurableRun.restore(store, 'mail-1');
    const again = createSupervisor({ policy, run: replayed, wait: 'suspend', name: 'proxy' });
    expect((await again.check(call('read_inbox'))).kind).toBe('proceed');
    expect(await again.check(call('send_email', { to: 'a@example.com' }))).toMatchObject({ kind: 'proceed', answer: { kind: 'approve' } });
    expect(await again.check(call('send_email', { to: 'c@example.com' }))).toMatchObject({ decision: { rule: 'tainted' } });
    await replayed.close();
  });
});
