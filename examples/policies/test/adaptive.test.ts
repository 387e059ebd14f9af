import { describe, expect, it } from 'vitest';
import { decider, loadExample, prompts } from './support.js';

const policy = await loadExample('adaptive');
const adaptive = decider(policy);

const carryOn = { action: 'continue', rule: null, held: [], reason: 'no rule matched', reset: [] };
const sensitive = {
  action: 'escalate',
  rule: 'sensitive_keyword',
  held: ['sensitive_keyword'],
  reason: 'sensitive keyword',
  onNoInput: 'stop',
  reset: ['auto_replies'],
};
const checkpoint = {
  action: 'escalate',
  rule: 'checkpoint',
  held: ['checkpoint'],
  reason: 'checkpoint every 5 auto-replies',
  onNoInput: 'continue',
  timeoutMs: 15 * 60_000,
  reset: [],
};

describe('adaptive.policy', () => {
  it('carries on by itself between checkpoints', async () => {
    expect(await adaptive.decide({ content: 'Summarised the logs.', role: 'assistant', autoReplies: 1 })).toEqual(carryOn);
  });

  describe('sensitive_keyword', () => {
    it('escalates on each keyword, in any case, and resets the auto-reply count', async () => {
      for (const content of ['I will delete the temp files', 'DROP TABLE users;', 'Shall I Send Email to the team?', 'Deploying to PRODUCTION'])
        expect(await adaptive.decide({ content, role: 'assistant', autoReplies: 2 }), content).toEqual(sensitive);
    });

    it('matches inside longer words too', async () => {
      expect(await adaptive.decide({ content: 'Rows deleted: 3', role: 'assistant' })).toEqual(sensitive);
    });

    it('needs the phrase as written', async () => {
      for (const content of ['drop  table users', 'drop the table', 'send an email', 'send e-mail', 'prod is fine'])
        expect(await adaptive.decide({ content, role: 'assistant', autoReplies: 2 }), content).toEqual(carryOn);
    });

    it('reads only the content, not the tool arguments', async () => {
      expect(await adaptive.decide({ content: 'Running the cleanup', role: 'assistant', tool: { name: 'sql', args: { query: 'DELETE FROM t' } } })).toEqual(carryOn);
    });

    it('wins over a checkpoint at the same moment, so the count is reset and silence stops (priority 2)', async () => {
      expect(await adaptive.decide({ content: 'Now delete the backups', role: 'assistant', autoReplies: 10 })).toEqual({
        ...sensitive,
        held: ['sensitive_keyword', 'checkpoint'],
      });
    });

    it('wins over the preset at the limit and on termination', async () => {
      expect(await adaptive.decide({ content: 'Push to production', role: 'assistant', autoReplies: 100 })).toEqual({
        ...sensitive,
        held: ['sensitive_keyword', 'checkpoint', 'terminate.ask_at_limit'],
      });
      expect(await adaptive.decide({ content: 'Deleted. TERMINATE', role: 'assistant', isTermination: true })).toEqual({
        ...sensitive,
        held: ['sensitive_keyword', 'terminate.ask_on_termination'],
      });
    });
  });

  describe('checkpoint', () => {
    it('asks at 5, 10 and 15 consecutive auto-replies; silence for 15 minutes carries on', async () => {
      for (const autoReplies of [5, 10, 15]) expect(await adaptive.decide({ content: 'Working', role: 'assistant', autoReplies }), `${autoReplies}`).toEqual(checkpoint);
    });

    it('does not ask at 0, 4, 6 or 9', async () => {
      for (const autoReplies of [0, 4, 6, 9]) expect(await adaptive.decide({ content: 'Working', role: 'assistant', autoReplies }), `${autoReplies}`).toEqual(carryOn);
    });
  });

  describe('the terminate preset', () => {
    it('asks before ending on TERMINATE', async () => {
      expect(await adaptive.decide({ content: 'TERMINATE', role: 'assistant' })).toEqual({
        action: 'escalate',
        rule: 'terminate.ask_on_termination',
        held: ['terminate.ask_on_termination'],
        reason: 'termination message',
        onNoInput: 'stop',
        prompt: prompts.onTermination,
        reset: [],
      });
    });

    it('gives way to the checkpoint at the default limit of 100 (same priority: the file’s own rule first)', async () => {
      expect(await adaptive.decide({ content: 'Working', role: 'assistant', autoReplies: 100 })).toEqual({
        ...checkpoint,
        held: ['checkpoint', 'terminate.ask_at_limit'],
      });
    });

    it('asks at the default limit of 100 when no checkpoint falls there', async () => {
      expect(await adaptive.decide({ content: 'Working', role: 'assistant', autoReplies: 101 })).toEqual({
        action: 'escalate',
        rule: 'terminate.ask_at_limit',
        held: ['terminate.ask_at_limit'],
        reason: 'reached the limit of consecutive auto-replies',
        onNoInput: 'continue',
        prompt: prompts.atLimit,
        reset: [],
      });
    });

    it('asks every time with a limit of 0', async () => {
      expect(await adaptive.decide({ content: 'Working', role: 'assistant', maxAutoReplies: 0 })).toEqual({
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

  it('exercises every rule', () => {
    expect(adaptive.unexercised()).toEqual([]);
  });
});
