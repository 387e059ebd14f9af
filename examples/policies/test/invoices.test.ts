import { describe, expect, it } from 'vitest';
import { decider, loadExample, prompts } from './support.js';

const policy = await loadExample('invoices');
const invoices = decider(policy);

const carryOn = { action: 'continue', rule: null, held: [], reason: 'no rule matched', reset: [] };
const review = {
  action: 'escalate',
  rule: 'review',
  held: ['review'],
  reason: 'the agent flagged an invoice for review',
  onNoInput: 'stop',
  channel: 'accounts_payable',
  reset: [],
};
const errorState = {
  action: 'escalate',
  rule: 'error_state',
  held: ['error_state'],
  reason: 'the agent reported an error',
  onNoInput: 'stop',
  channel: 'accounts_payable',
  reset: [],
};
const done = { action: 'stop', rule: 'done', held: ['done'], reason: 'the invoice run is finished', reset: [] };

describe('invoices.policy (TERMINATE, 8 auto-replies)', () => {
  it('books invoices by itself', async () => {
    expect(await invoices.decide({ content: 'Booked invoice 41 (ACME, 120.00 EUR).', role: 'assistant', autoReplies: 2 })).toEqual(carryOn);
  });

  describe('review', () => {
    it('asks accounts payable; nothing happens until someone answers', async () => {
      expect(await invoices.decide({ content: 'Invoice 42 NEEDS_REVIEW: totals differ by 3.10', role: 'assistant' })).toEqual(review);
    });

    it('is case-sensitive: the marker is a keyword the agent was told to write', async () => {
      expect(await invoices.decide({ content: 'This one needs_review maybe', role: 'assistant' })).toEqual(carryOn);
    });
  });

  describe('error_state', () => {
    it('escalates on ERROR: in the content', async () => {
      expect(await invoices.decide({ content: 'ERROR: the PDF of invoice 43 is unreadable', role: 'assistant' })).toEqual(errorState);
    });

    it('escalates when a tool failed', async () => {
      expect(await invoices.decide({ content: 'Booking invoice 44', role: 'tool', error: 'ledger API timed out' })).toEqual(errorState);
    });

    it('needs the exact marker: "error:" in lower case or ERROR without a colon do not count', async () => {
      expect(await invoices.decide({ content: 'no error: all fine', role: 'assistant' })).toEqual(carryOn);
      expect(await invoices.decide({ content: 'ERROR count is 0', role: 'assistant' })).toEqual(carryOn);
    });
  });

  describe('done', () => {
    it('ends the run on a reply ending in TERMINATE, without asking', async () => {
      expect(await invoices.decide({ content: 'All 12 invoices booked. TERMINATE', role: 'assistant' })).toEqual(done);
      expect(await invoices.decide({ content: 'All 12 invoices booked.\nTERMINATE\n', role: 'assistant' })).toEqual(done);
    });

    it('wins over the preset’s question on a bare TERMINATE: stop outranks escalate', async () => {
      expect(await invoices.decide({ content: 'TERMINATE', role: 'assistant' })).toEqual({ ...done, held: ['done', 'terminate.ask_on_termination'] });
    });

    it('needs TERMINATE as a word at the end', async () => {
      expect(await invoices.decide({ content: 'TERMINATED the import early', role: 'assistant' })).toEqual(carryOn);
      expect(await invoices.decide({ content: 'Say TERMINATE when done.', role: 'assistant' })).toEqual(carryOn);
      expect(await invoices.decide({ content: 'EXTERMINATE', role: 'assistant' })).toEqual(carryOn);
    });

    it('does not end a run with an invoice under review or an error', async () => {
      expect(await invoices.decide({ content: 'Invoice 7 NEEDS_REVIEW. TERMINATE', role: 'assistant' })).toEqual(review);
      expect(await invoices.decide({ content: 'ERROR: ledger down. TERMINATE', role: 'assistant' })).toEqual(errorState);
      expect(await invoices.decide({ content: 'TERMINATE', role: 'tool', error: 'ledger API timed out' })).toEqual({
        ...errorState,
        held: ['error_state', 'terminate.ask_on_termination'],
      });
    });
  });

  describe('the limit of 8 consecutive auto-replies', () => {
    const askAtLimit = {
      action: 'escalate',
      rule: 'terminate.ask_at_limit',
      held: ['terminate.ask_at_limit'],
      reason: 'reached the limit of consecutive auto-replies',
      onNoInput: 'continue',
      prompt: prompts.atLimit,
      reset: [],
    };

    it('carries on at 7', async () => {
      expect(await invoices.decide({ content: 'Booked invoice 50', role: 'assistant', autoReplies: 7 })).toEqual(carryOn);
    });

    it('asks a person at 8; Enter means carry on', async () => {
      expect(await invoices.decide({ content: 'Booked invoice 51', role: 'assistant', autoReplies: 8 })).toEqual(askAtLimit);
      expect(await invoices.decide({ content: 'Booked invoice 52', role: 'assistant', autoReplies: 9 })).toEqual(askAtLimit);
    });

    it('lets a review at the limit decide, so an unanswered review still stops (priority 2)', async () => {
      expect(await invoices.decide({ content: 'Invoice 53 NEEDS_REVIEW', role: 'assistant', autoReplies: 8 })).toEqual({
        ...review,
        held: ['review', 'terminate.ask_at_limit'],
      });
    });

    it('with a limit of 0, asks every time and sends an empty answer as the reply', async () => {
      expect(await invoices.decide({ content: 'Booked invoice 54', role: 'assistant', maxAutoReplies: 0 })).toEqual({
        action: 'escalate',
        rule: 'terminate.ask_at_zero_limit',
        held: ['terminate.ask_at_zero_limit'],
        reason: 'the limit of consecutive auto-replies is 0',
        onNoInput: 'reply',
        prompt: prompts.atLimit,
        reset: [],
      });
    });
  });

  it('asks before ending when the host’s own termination test matched something else', async () => {
    expect(await invoices.decide({ content: 'DONE', role: 'assistant', isTermination: true })).toEqual({
      action: 'escalate',
      rule: 'terminate.ask_on_termination',
      held: ['terminate.ask_on_termination'],
      reason: 'termination message',
      onNoInput: 'stop',
      prompt: prompts.onTermination,
      reset: [],
    });
  });

  it('exercises every rule', () => {
    expect(invoices.unexercised()).toEqual([]);
  });
});
