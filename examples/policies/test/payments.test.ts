import { describe, expect, it } from 'vitest';
import type { Turn } from '@handrail/policy';
import { decider, loadExample } from './support.js';

const policy = await loadExample('payments');
const payments = decider(policy);

/** A turn that calls one tool, with the host's answer to `payee_known`. */
const call = (name: string, args: unknown, payeeKnown = true): Turn => ({
  content: `Calling ${name}`,
  role: 'assistant',
  tool: { name, args },
  facts: { payee_known: payeeKnown },
});

const byDefault = { action: 'continue', rule: null, held: [], reason: 'no rule matched', reset: [] };
const small = { action: 'continue', rule: 'small_payment', held: ['small_payment'], reason: 'rule small_payment', reset: [] };
const tenMinutesThenStop = { action: 'escalate', onNoInput: 'stop', timeoutMs: 600_000, channel: 'finance', reset: [] } as const;
const large = { ...tenMinutesThenStop, rule: 'large_payment', held: ['large_payment'], reason: 'payment over 100' };
const unclear = { ...tenMinutesThenStop, rule: 'unclear_amount', held: ['unclear_amount'], reason: 'payment without a positive amount' };
// Small transfers: small_payment fires as well, and escalate outranks continue.
const newPayee = { ...tenMinutesThenStop, rule: 'new_payee', held: ['new_payee', 'small_payment'], reason: 'transfer to a payee not paid before' };

describe('payments.policy', () => {
  describe('small_payment', () => {
    it('lets payments of up to 100 through', async () => {
      expect(await payments.decide(call('refund', { amount: 25 }))).toEqual(small);
      expect(await payments.decide(call('transfer_funds', { amount: 100 }))).toEqual(small);
      expect(await payments.decide(call('transfer_funds', { amount: 0.01 }))).toEqual(small);
    });

    it('reads arguments given as the JSON text a model produced', async () => {
      expect(await payments.decide(call('refund', '{"amount": 99.99, "order": "A-17"}'))).toEqual(small);
    });
  });

  describe('large_payment', () => {
    it('waits up to 10 minutes for finance, then stops', async () => {
      expect(await payments.decide(call('transfer_funds', { amount: 100.01 }))).toEqual(large);
      expect(await payments.decide(call('refund', '{"amount": 250}'))).toEqual(large);
    });

    it('decides before new_payee when both fire: same severity and priority, earlier in the file', async () => {
      expect(await payments.decide(call('transfer_funds', { amount: 5000 }, false))).toEqual({ ...large, held: ['large_payment', 'new_payee'] });
    });
  });

  describe('unclear_amount', () => {
    it('escalates a payment with no amount, zero or a negative amount', async () => {
      expect(await payments.decide(call('refund', {}))).toEqual(unclear);
      expect(await payments.decide(call('refund', ''))).toEqual(unclear);
      expect(await payments.decide(call('refund', { amount: 0 }))).toEqual(unclear);
      expect(await payments.decide(call('refund', { amount: -40 }))).toEqual(unclear);
      expect(await payments.decide(call('transfer_funds', { amount: null }))).toEqual(unclear);
    });

    it('fails closed on an amount written as text, or an argument the declaration does not name', async () => {
      const invalid = { action: 'escalate', rule: null, held: [], onNoInput: 'stop', error: 'INVALID_TOOL_CALL' };
      expect(await payments.decide(call('refund', { amount: '500' }))).toMatchObject({ ...invalid, reason: 'could not decide: tool "refund": argument amount must be number, but the call gave "500" (string)' });
      expect(await payments.decide(call('refund', { amount: 'lots' }))).toMatchObject(invalid);
      expect(await payments.decide(call('transfer_funds', { amount: 20, payee: 'ACME GmbH', memo: 'rush' }))).toMatchObject({
        ...invalid,
        reason: 'could not decide: tool "transfer_funds": the call gives "memo", which the declaration does not name (end it with `...` to allow other arguments)',
      });
    });
  });

  describe('new_payee', () => {
    it('escalates even a small transfer to a payee not paid before', async () => {
      expect(await payments.decide(call('transfer_funds', { amount: 20 }, false))).toEqual(newPayee);
    });

    it('does not apply to refunds', async () => {
      expect(await payments.decide(call('refund', { amount: 20 }, false))).toEqual(small);
    });

    it('treats a payee_known the host left undefined as not known', async () => {
      expect(await payments.decide({ ...call('transfer_funds', { amount: 20 }), facts: { payee_known: undefined } })).toEqual(newPayee);
    });

    it('reads payee_known from a function of the turn, sync or async', async () => {
      const knownPayees = new Set(['ACME GmbH']);
      const payeeKnown = (turn: Turn) => knownPayees.has((turn.tool?.args as { payee?: string }).payee ?? '');
      const transfer = (payee: string): Turn => ({ role: 'assistant', tool: { name: 'transfer_funds', args: { amount: 20, payee } }, facts: { payee_known: payeeKnown } });
      expect(await payments.decide(transfer('ACME GmbH'))).toEqual(small);
      expect(await payments.decide(transfer('Someone Else'))).toEqual(newPayee);
      expect(await payments.decide({ ...transfer('ACME GmbH'), facts: { payee_known: async () => false } })).toEqual(newPayee);
    });
  });

  describe('everything else', () => {
    it('continues by default: other tools, or no tool at all', async () => {
      expect(await payments.decide(call('lookup_order', { amount: 10_000 }))).toEqual(byDefault);
      expect(await payments.decide({ content: 'Here is the summary.', role: 'assistant', facts: { payee_known: false } })).toEqual(byDefault);
    });

    it('matches tool names exactly', async () => {
      expect(await payments.decide(call('Refund', { amount: 10_000 }))).toEqual(byDefault);
    });
  });

  it('decides on every tool call of a message; the most severe decides', async () => {
    const turn: Turn = {
      role: 'assistant',
      toolCalls: [
        { name: 'refund', args: { amount: 10 } },
        { name: 'transfer_funds', args: { amount: 900 } },
      ],
      facts: { payee_known: true },
    };
    // The explanation is of the call that decided: the transfer, for which small_payment does not hold.
    expect(await payments.decide(turn)).toEqual(large);
  });

  describe('failing closed', () => {
    const cannotDecide = (code: string, message: string) => ({
      action: 'escalate',
      rule: null,
      held: [],
      reason: `could not decide: ${message}`,
      onNoInput: 'stop',
      reset: [],
      error: code,
    });

    it('escalates, and stops if nobody answers, when the host does not give payee_known', async () => {
      const turn: Turn = { role: 'assistant', tool: { name: 'refund', args: { amount: 5 } } };
      const message = 'policy payments reads the fact "payee_known", but the host did not provide it';
      expect(await payments.decide(turn)).toEqual(cannotDecide('MISSING_FACT', message));
    });

    it('stops outright when no person can be asked', async () => {
      const turn: Turn = { role: 'assistant', tool: { name: 'refund', args: { amount: 5 } } };
      const decision = await payments.decide(turn, { humanAvailable: false });
      expect(decision).toEqual({
        action: 'stop',
        rule: null,
        held: [],
        reason: 'could not decide: policy payments reads the fact "payee_known", but the host did not provide it',
        reset: [],
        error: 'MISSING_FACT',
      });
    });

    it('escalates when payee_known is not true or false, or its function fails', async () => {
      expect(await payments.decide({ ...call('refund', { amount: 5 }), facts: { payee_known: 'yes' } })).toEqual(
        cannotDecide('INVALID_FACT', 'fact "payee_known" must be boolean, but the host gave string'),
      );
      const lookupFails = () => Promise.reject(new Error('payee service unavailable'));
      expect(await payments.decide({ ...call('refund', { amount: 5 }), facts: { payee_known: lookupFails } })).toEqual(
        cannotDecide('FACT_FAILED', 'fact "payee_known" failed: payee service unavailable'),
      );
    });

    it('escalates when the tool arguments are not valid JSON', async () => {
      expect(await payments.decide(call('transfer_funds', '{"amount": 5'))).toEqual(
        cannotDecide('INVALID_TURN', 'invalid turn: the arguments of tool transfer_funds are not valid JSON'),
      );
    });
  });

  it('exercises every rule', () => {
    expect(payments.unexercised()).toEqual([]);
  });
});
