// The supervisor with real parts: scripted and callback channels, a webhook over loopback, a real
// audit log and a real FileRunStore on disk.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy, sleep, verifyAuditLogFile, type AuditRecord, type Turn } from '@handrail/policy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerApproval, AuditLog, callbackChannel, createSupervisor, DurableRun, FileRunStore, ScriptedChannel, WebhookChannel, type PendingQuestion } from '../../src/index.js';
import { startWebhookReceiver } from '../../src/testing/index.js';

const policy = compilePolicy(`policy refunds version 1
rule huge:  when tool.name == "refund" and tool.args.amount > 1000 then stop "refunds over 1000 are not allowed"
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund" timeout 300ms else stop
rule done:  when content ends with "TERMINATE" then stop "finished"`);

const refund = (amount: number): Turn => ({ content: null, role: 'assistant', sender: 'clerk', tool: { name: 'refund', args: { amount } } });

let dir: string;
const cleanup: Array<() => Promise<void> | void> = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-supervisor-'));
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  rmSync(dir, { recursive: true, force: true });
});

describe('the answer table', () => {
  it('a step the policy lets through proceeds, unasked, and counts as an auto-reply', async () => {
    const channel = new ScriptedChannel();
    const supervisor = createSupervisor({ policy, channel });
    expect(await supervisor.check(refund(40))).toMatchObject({ kind: 'proceed', enforced: true, decision: { action: 'continue' } });
    expect(channel.requests).toEqual([]);
    expect(supervisor.autoReplies('clerk')).toBe(1);
  });

  it('approve proceeds, and the question says what a reject will do', async () => {
    const channel = new ScriptedChannel([{ kind: 'approve', by: 'ana' }]);
    const supervisor = createSupervisor({ policy, channel, name: 'proxy' });
    expect(await supervisor.check(refund(250))).toMatchObject({ kind: 'proceed', answer: { kind: 'approve', by: 'ana' } });
    expect(channel.requests[0]).toMatchObject({ agent: 'proxy', sender: 'clerk', prompt: 'large refund. Approve?', tool: { name: 'refund', args: { amount: 250 } }, decision: { rule: 'large', onNoInput: 'stop', onReject: 'refuse' } });
    expect(supervisor.autoReplies('clerk')).toBe(0);
  });

  it('reject refuses the step and tells the model not to retry it (refuse, the default)', async () => {
    const supervisor = createSupervisor({ policy, channel: new ScriptedChannel([{ kind: 'reject', message: 'not eligible' }]) });
    const verdict = await supervisor.check(refund(250));
    expect(verdict).toMatchObject({ kind: 'reject', message: 'not eligible' });
    expect(verdict.kind === 'reject' && verdict.toModel).toBe('Refused by a person: not eligible. Do not call refund again with the same arguments; go on without it, or ask the user what to do instead.');
  });

  it('reject ends the run when the rule says so, and the question says it beforehand', async () => {
    const channel = new ScriptedChannel([{ kind: 'reject', message: 'no', by: 'ana' }]);
    const supervisor = createSupervisor({ policy, channel, onReject: { default: 'refuse', rules: { large: 'end' } }, rejectionMessage: 'never used' });
    expect(await supervisor.check(refund(250))).toMatchObject({ kind: 'stop', reason: 'large refund; rejected by ana: no' });
    expect(channel.requests[0]!.decision.onReject).toBe('end');
  });

  it('a configured rejection template is filled in', async () => {
    const supervisor = createSupervisor({ policy, channel: new ScriptedChannel([{ kind: 'reject' }]), rejectionMessage: '{tool} refused ({reason}): {message}' });
    expect(await supervisor.check(refund(250))).toMatchObject({ kind: 'reject', toModel: 'refund refused (large refund): no reason given' });
  });

  it('reply gives the text instead of acting', async () => {
    const supervisor = createSupervisor({ policy, channel: callbackChannel(async () => ({ kind: 'reply', text: 'refund 90 instead' })) });
    expect(await supervisor.check(refund(250))).toMatchObject({ kind: 'reply', text: 'refund 90 instead' });
  });

  it('an edit is decided again: one the policy lets through runs with the edited arguments', async () => {
    const supervisor = createSupervisor({ policy, channel: new ScriptedChannel([{ kind: 'edit', args: { amount: 60 } }]) });
    expect(await supervisor.check(refund(250))).toMatchObject({ kind: 'proceed', args: { amount: 60 }, answer: { kind: 'edit' } });
  });

  it('an edit into something the policy stops is stopped, with the reason', async () => {
    const supervisor = createSupervisor({ policy, channel: new ScriptedChannel([{ kind: 'edit', args: { amount: 5000 } }]) });
    const verdict = await supervisor.check(refund(250));
    expect(verdict).toMatchObject({ kind: 'stop', reason: 'the edited call was stopped: refunds over 1000 are not allowed', decision: { rule: 'huge' } });
  });

  it('an edit into something the policy escalates is asked again, and approving it runs the edit', async () => {
    const channel = new ScriptedChannel([{ kind: 'edit', args: { amount: 500 } }, { kind: 'approve', by: 'bo' }]);
    const supervisor = createSupervisor({ policy, channel });
    expect(await supervisor.check(refund(250))).toMatchObject({ kind: 'proceed', args: { amount: 500 }, answer: { kind: 'approve', by: 'bo' } });
    expect(channel.requests.map((request) => request.tool?.args)).toEqual([{ amount: 250 }, { amount: 500 }]);
  });

  it('no answer in time applies the rule\'s else', async () => {
    const supervisor = createSupervisor({ policy, channel: new ScriptedChannel([{ silence: true }]) });
    expect(await supervisor.check(refund(250))).toMatchObject({ kind: 'stop', reason: 'large refund; nobody answered', answer: { kind: 'timeout' } });
  });

  it('a stop stops; nobody to ask stops; a failing channel stops', async () => {
    expect(await createSupervisor({ policy }).check({ content: 'done TERMINATE', role: 'assistant' })).toMatchObject({ kind: 'stop', reason: 'finished' });
    expect(await createSupervisor({ policy }).check(refund(250))).toMatchObject({ kind: 'stop', reason: 'large refund; no channel (default) to ask a person' });
    const broken = callbackChannel(async () => Promise.reject(new Error('slack is down')));
    expect(await createSupervisor({ policy, channel: broken }).check(refund(250))).toMatchObject({ kind: 'stop', reason: 'large refund; asking a person failed: slack is down' });
  });

  it('asks through a webhook over loopback', async () => {
    const secret = 'a-secret-of-at-least-16';
    const receiver = await startWebhookReceiver({ secret, onQuestion: (question, self) => void self.answer(question, { kind: 'edit', args: { amount: 80 }, by: 'ana' }) });
    const webhook = new WebhookChannel({ url: receiver.url, secret });
    await webhook.listen();
    cleanup.push(() => receiver.close(), () => webhook.close());
    // A round trip over HTTP on a loaded machine can outlast the other tests' 300 ms.
    const patient = compilePolicy('policy refunds version 1\nrule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund" timeout 1m else stop');
    const verdict = await createSupervisor({ policy: patient, channel: webhook }).check(refund(250));
    expect(verdict).toMatchObject({ kind: 'proceed', args: { amount: 80 }, answer: { kind: 'edit', by: 'ana' } });
  });
});

describe('audit and shadow', () => {
  it('audits every decision and answer, an edit\'s decision too', async () => {
    const audit = await AuditLog.open(join(dir, 'audit.jsonl'));
    cleanup.push(() => audit.close());
    const supervisor = createSupervisor({ policy, audit, runId: 'run-1', name: 'proxy', channel: new ScriptedChannel([{ kind: 'edit', args: { amount: 5000 }, by: 'ana' }]) });
    await supervisor.check(refund(40));
    await supervisor.check(refund(250));
    const text = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
    expect(await verifyAuditLogFile(join(dir, 'audit.jsonl'))).toMatchObject({ ok: true, anchored: text.split('\n').filter(Boolean).length });
    const records = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditRecord);
    expect(records.map((record) => (record.type === 'decision' ? `${record.action} ${record.rule}` : `${record.answer.kind} by ${record.by}`))).toEqual(['continue null', 'escalate large', 'edit by ana', 'stop huge']);
    expect(records.every((record) => record.runId === 'run-1')).toBe(true);
  });

  it('shadow mode decides and records, asks nobody and refuses nothing', async () => {
    const audit = await AuditLog.open(join(dir, 'audit.jsonl'));
    cleanup.push(() => audit.close());
    const channel = new ScriptedChannel();
    const supervisor = createSupervisor({ policy, audit, channel, shadow: true });
    const verdicts = [await supervisor.check(refund(40)), await supervisor.check(refund(250)), await supervisor.check(refund(5000))];
    expect(verdicts.map((verdict) => [verdict.kind, verdict.kind === 'proceed' && verdict.enforced, verdict.decision.action])).toEqual([
      ['proceed', false, 'continue'],
      ['proceed', false, 'escalate'],
      ['proceed', false, 'stop'],
    ]);
    expect(channel.requests).toEqual([]);
    const records = readFileSync(join(dir, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditRecord);
    expect(records.map((record) => record.type === 'decision' && record.action)).toEqual(['continue', 'escalate', 'stop']);
  });
});

describe('suspended', () => {
  it('returns the question as plain JSON; the answer given from outside is taken once, on a restored run', async () => {
    const store = new FileRunStore(join(dir, 'store'));
    const first = await DurableRun.open(store, 'refund-42');
    const verdict = await createSupervisor({ policy, run: first, wait: 'suspend', name: 'proxy' }).check(refund(250));
    expect(verdict.kind).toBe('suspended');
    const pending = JSON.parse(JSON.stringify(verdict.kind === 'suspended' && verdict.pending)) as PendingQuestion;
    expect(pending).toMatchObject({ format: 'handrail.pending/1', runId: 'refund-42', key: 'approval:proxy#1', request: { tool: { name: 'refund', args: { amount: 250 } }, decision: { onReject: 'refuse' } }, turn: { step: 1 } });
    expect((await store.listPendingApprovals()).map((request) => request.id)).toEqual([pending.request.id]);
    await first.close();

    // The question is still open: a restored run suspends on it again, asking nothing new.
    const again = await DurableRun.restore(store, 'refund-42');
    expect(await createSupervisor({ policy, run: again, wait: 'suspend', name: 'proxy' }).check(refund(250))).toMatchObject({ kind: 'suspended', pending: { request: { id: pending.request.id } } });
    await again.close();

    expect(await answerApproval(store, pending.request.id, { kind: 'edit', args: { amount: 90 }, by: 'ana' })).toMatchObject({ status: 'answered' });
    const resumed = await DurableRun.restore(store, 'refund-42');
    const supervisor = createSupervisor({ policy, run: resumed, wait: 'suspend', name: 'proxy' });
    expect(await supervisor.check(refund(250))).toMatchObject({ kind: 'proceed', args: { amount: 90 } });
    // A framework holding its own resume value gets the answer stored first.
    expect(await supervisor.resume(pending, { kind: 'reject', at: new Date().toISOString() })).toMatchObject({ kind: 'proceed', args: { amount: 90 } });
    await resumed.finish();
    const records = (await store.readJournal('refund-42'))!;
    expect(records.filter((record) => record.type === 'approval-answered')).toHaveLength(1);
    expect(records.filter((record) => record.type === 'approval-requested')).toHaveLength(1);
  });

  it('a question whose time ran out while nobody ran it applies the rule\'s else on resume', async () => {
    const store = new FileRunStore(join(dir, 'store'));
    const run = await DurableRun.open(store, 'late');
    expect((await createSupervisor({ policy, run, wait: 'suspend' }).check(refund(250))).kind).toBe('suspended');
    await run.close();
    await sleep(400);
    const restored = await DurableRun.restore(store, 'late');
    expect(await createSupervisor({ policy, run: restored, wait: 'suspend' }).check(refund(250))).toMatchObject({ kind: 'stop', reason: 'large refund; nobody answered', answer: { kind: 'timeout' } });
    await restored.close();
  });

  it('refuses to suspend without a run', () => {
    expect(() => createSupervisor({ policy, wait: 'suspend' })).toThrow(/needs a durable run/);
  });
});
