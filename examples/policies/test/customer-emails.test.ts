import { describe, expect, it } from 'vitest';
import { decider, loadExample, prompts } from './support.js';

const policy = await loadExample('customer-emails');
const emails = decider(policy);

const askEveryReply = {
  action: 'escalate',
  rule: 'always.ask',
  held: ['always.ask'],
  reason: 'human input mode ALWAYS',
  onNoInput: 'continue',
  prompt: prompts.always,
  reset: [],
};

describe('customer-emails.policy (ALWAYS)', () => {
  it('asks a person before every reply; Enter sends the draft as it is', async () => {
    expect(await emails.decide({ content: 'Dear Ms Lee, your order ships on Monday.', role: 'assistant', sender: 'drafter' })).toEqual(askEveryReply);
  });

  it('asks however many auto-replies there have been: the limit plays no part', async () => {
    expect(await emails.decide({ content: 'Second draft', role: 'assistant', autoReplies: 0 })).toEqual(askEveryReply);
    expect(await emails.decide({ content: 'Tenth draft', role: 'assistant', autoReplies: 500, maxAutoReplies: 3 })).toEqual(askEveryReply);
  });

  it('on a termination message, Enter ends the conversation', async () => {
    expect(await emails.decide({ content: 'TERMINATE', role: 'assistant' })).toEqual({
      action: 'escalate',
      rule: 'always.ask_on_termination',
      held: ['always.ask_on_termination'],
      reason: 'human input mode ALWAYS',
      onNoInput: 'stop',
      prompt: prompts.always,
      reset: [],
    });
  });

  it('with a limit of 0, the empty answer itself is sent as the reply', async () => {
    expect(await emails.decide({ content: 'Draft', role: 'assistant', maxAutoReplies: 0 })).toEqual({
      action: 'escalate',
      rule: 'always.ask_with_zero_limit',
      held: ['always.ask_with_zero_limit'],
      reason: 'human input mode ALWAYS',
      onNoInput: 'reply',
      prompt: prompts.always,
      reset: [],
    });
  });

  describe('sensitive_topic', () => {
    const sensitive = {
      action: 'escalate',
      rule: 'sensitive_topic',
      held: ['sensitive_topic', 'always.ask'],
      reason: 'the draft mentions legal action or money back',
      onNoInput: 'stop',
      channel: 'support_leads',
      prompt: "This draft to {sender} mentions legal action or money back. Approve it, edit it, or type 'exit': ",
      reset: [],
    };

    it('goes to the support leads, and nothing is sent without an answer', async () => {
      expect(await emails.decide({ content: 'We have issued a Refund of $40.', role: 'assistant' })).toEqual(sensitive);
    });

    it('matches in any case and inside longer words', async () => {
      expect(await emails.decide({ content: 'Our LEGAL ACTION team', role: 'assistant' })).toEqual(sensitive);
      expect(await emails.decide({ content: 'Your order was refunded.', role: 'assistant' })).toEqual(sensitive);
      expect(await emails.decide({ content: 'Please ask your lawyer.', role: 'assistant' })).toEqual(sensitive);
    });

    it('needs the words as written: "legal" alone or a split word does not count', async () => {
      expect(await emails.decide({ content: 'Our legal team reviewed the terms; no re fund is due.', role: 'assistant' })).toEqual(askEveryReply);
    });

    it('outranks the preset on a termination message too (priority 2)', async () => {
      const decision = await emails.decide({ content: 'Chargeback filed. TERMINATE', role: 'assistant', isTermination: true });
      expect(decision).toEqual({ ...sensitive, held: ['sensitive_topic', 'always.ask_on_termination'] });
    });
  });

  describe('card_number', () => {
    const stopped = {
      action: 'stop',
      rule: 'card_number',
      held: ['card_number', 'always.ask'],
      reason: 'the draft contains what looks like a card number',
      reset: [],
    };

    it('stops the run: a stop outranks every escalation', async () => {
      expect(await emails.decide({ content: 'Your card 4111 1111 1111 1111 was charged.', role: 'assistant' })).toEqual(stopped);
      expect(await emails.decide({ content: 'Card 4111-1111-1111-1111.', role: 'assistant' })).toEqual(stopped);
      expect(await emails.decide({ content: 'Card 4111111111111111.', role: 'assistant' })).toEqual(stopped);
    });

    it('wins over sensitive_topic even at its higher priority', async () => {
      expect(await emails.decide({ content: 'Refund to 4111 1111 1111 1111', role: 'assistant' })).toEqual({
        ...stopped,
        held: ['card_number', 'sensitive_topic', 'always.ask'],
      });
    });

    it('leaves order numbers and 15-digit numbers alone', async () => {
      expect(await emails.decide({ content: 'Order 4111 1111 1111 111 is on its way.', role: 'assistant' })).toEqual(askEveryReply);
      expect(await emails.decide({ content: 'Order 12345 is on its way.', role: 'assistant' })).toEqual(askEveryReply);
    });
  });

  it('exercises every rule', () => {
    expect(emails.unexercised()).toEqual([]);
  });
});
