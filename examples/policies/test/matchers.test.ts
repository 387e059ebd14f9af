// The same kind of checks as the policy test files, written beside code with the vitest matchers
// of @handrail/policy/testing. Importing the module registers the matchers.
import '@handrail/policy/testing';
import { describe, expect, it } from 'vitest';
import { decide, decideSync } from '@handrail/policy';
import { loadExample } from './support.js';

const payments = await loadExample('payments');
const invoices = await loadExample('invoices');

describe('vitest matchers on example policies', () => {
  it('toEscalate checks the action and every field given', async () => {
    const decision = await decide(payments, { tool: { name: 'refund', args: { amount: 250 } }, facts: { payee_known: true } });
    expect(decision).toEscalate({ rule: 'large_payment', onNoInput: 'stop', timeoutMs: '10m', channel: 'finance' });
    expect(decision).toEscalate({ reason: expect.stringContaining('over 100') });
    expect(decision).not.toContinue();
  });

  it('toContinue with rule null is the default', async () => {
    expect(await decide(payments, { content: 'Looking up the order', facts: { payee_known: true } })).toContinue({ rule: null, reason: 'no rule matched' });
    expect(await decide(payments, { tool: { name: 'refund', args: { amount: 40 } }, facts: { payee_known: true } })).toContinue({ rule: 'small_payment' });
  });

  it('toStop, and toDecide for any action', () => {
    const decision = decideSync(invoices, { content: 'All invoices booked. TERMINATE', role: 'assistant' }, { explain: 'all' });
    expect(decision).toStop({ rule: 'done', reason: 'the invoice run is finished', held: ['done'] });
    expect(decision).toDecide({ action: 'stop', rule: 'done' });
  });

  it('checks a decision that failed closed by its error code', async () => {
    expect(await decide(payments, { tool: { name: 'transfer_funds', args: { amount: 20 } } })).toEscalate({ rule: null, error: 'MISSING_FACT', onNoInput: 'stop' });
  });

  it('says what differs, and shows the explanation, when a decision is not the expected one', async () => {
    const decision = await decide(invoices, { content: 'Invoice 9 needs a look', role: 'assistant' }, { explain: 'all' });
    let message = '';
    try {
      expect(decision).toEscalate({ rule: 'review' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('expected: escalate  (rule review)');
    expect(message).toContain('actual:   continue  (default) no rule matched');
    expect(message).toContain('rule: expected "review", got null');
    expect(message).toContain('✗ content contains "NEEDS_REVIEW"  saw "Invoice 9 needs a look"');
  });

  it('tells a promise from a decision', async () => {
    const pending = decide(invoices, { content: 'x' });
    expect(() => expect(pending).toContinue()).toThrow(/await decide/);
    await pending;
  });
});
