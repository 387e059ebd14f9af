import { describe, expect, it } from 'vitest';
import { historyOfTurns, type Turn } from '@handrail/policy';
import { decider, loadExample } from './support.js';

const policy = await loadExample('assistant-tools');
const assistant = decider(policy);
const workingDirectory = '/srv/assistant';

const call = (name: string, args: Record<string, unknown> = {}): Turn => ({ content: null, role: 'assistant', tool: { name, args } });
const say = (content: string): Turn => ({ content, role: 'assistant' });
/** Decides `turn` after `earlier` turns of the same run, as a supervisor would. */
const after = (earlier: Turn[], turn: Turn) => assistant.decide({ ...turn, history: historyOfTurns(earlier) }, { workingDirectory });
const quiet = (n: number) => Array.from({ length: n }, (_, i) => say(`step ${i}`));

const byDefault = { action: 'continue', rule: null, held: [], reason: 'no rule matched', reset: [] };

describe('assistant-tools.policy', () => {
  it('mail_after_inbox: mail goes out alone until the inbox was read in this run', async () => {
    expect(await after([], call('send_email', { to: 'ana@example.com' }))).toEqual(byDefault);
    expect(await after([call('read_inbox'), say('Drafting.')], call('send_email', { to: 'ana@example.com' }))).toEqual({
      action: 'escalate', rule: 'mail_after_inbox', held: ['mail_after_inbox'], reason: 'sending mail after reading the inbox', reset: [], onNoInput: 'stop', timeoutMs: 1_800_000,
    });
  });

  it('write_outside_workspace: files stay under ./workspace, resolved lexically', async () => {
    for (const path of ['workspace/a.md', './workspace/notes/../b.md', '/srv/assistant/workspace/c.md']) expect(await after([], call('write_file', { path })), path).toEqual(byDefault);
    for (const path of ['workspace/../../etc/passwd', './workspace-old/x', '/tmp/x', '/srv/assistant/workspace/../secrets'])
      expect(await after([], call('delete_file', { path })), path).toMatchObject({ action: 'stop', rule: 'write_outside_workspace' });
    expect(await after([], call('write_file', { path: '~/x' }))).toMatchObject({ action: 'escalate', rule: null, error: 'MISTYPED_FACT' });
  });

  it('refund_burst and many_refunds: rate rules over a window and over the run', async () => {
    expect(await after([call('refund'), call('refund')], call('refund'))).toMatchObject({ action: 'stop', rule: 'refund_burst' });
    const spaced = [call('refund'), ...quiet(10), call('refund'), ...quiet(10), call('refund'), ...quiet(10)];
    expect(await after(spaced.slice(0, 22), call('refund'))).toEqual(byDefault);
    expect(await after(spaced, call('refund'))).toMatchObject({ action: 'escalate', rule: 'many_refunds', timeoutMs: 1_800_000 });
  });

  it('failing_tools: three tool errors within five steps', async () => {
    const error: Turn = { content: '', role: 'tool', error: 'timeout' };
    expect(await after([error, error, say('again'), error], say('once more'))).toMatchObject({ action: 'escalate', rule: 'failing_tools' });
    expect(await after([error, error, ...quiet(3), error], say('once more'))).toEqual(byDefault);
  });

  it('exercised every rule', () => {
    expect(assistant.unexercised()).toEqual([]);
  });
});
