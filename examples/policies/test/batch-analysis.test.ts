import { describe, expect, it } from 'vitest';
import { decider, loadExample } from './support.js';

const policy = await loadExample('batch-analysis');
const batch = decider(policy);

const carryOn = { action: 'continue', rule: null, held: [], reason: 'no rule matched', reset: [] };
const atLimit = {
  action: 'stop',
  rule: 'never.limit_reached',
  held: ['never.limit_reached'],
  reason: 'reached the limit of consecutive auto-replies',
  reset: [],
};

describe('batch-analysis.policy (NEVER, 15 auto-replies)', () => {
  it('carries on by itself, asking nobody', async () => {
    expect(await batch.decide({ content: 'Loaded 1.2M rows; computing the cohorts.', role: 'assistant', autoReplies: 3 })).toEqual(carryOn);
  });

  describe('the safety valve of 15 consecutive auto-replies', () => {
    it('carries on at 14', async () => {
      expect(await batch.decide({ content: 'Next chart', role: 'assistant', autoReplies: 14 })).toEqual(carryOn);
    });

    it('stops at 15 and after', async () => {
      expect(await batch.decide({ content: 'Next chart', role: 'assistant', autoReplies: 15 })).toEqual(atLimit);
      expect(await batch.decide({ content: 'Next chart', role: 'assistant', autoReplies: 16 })).toEqual(atLimit);
    });

    it('gives way to a limit the host passes with the turn', async () => {
      expect(await batch.decide({ content: 'Next chart', role: 'assistant', autoReplies: 15, maxAutoReplies: 20 })).toEqual(carryOn);
      expect(await batch.decide({ content: 'Next chart', role: 'assistant', autoReplies: 5, maxAutoReplies: 5 })).toEqual(atLimit);
    });
  });

  describe('termination', () => {
    const terminated = { action: 'stop', rule: 'never.termination', held: ['never.termination'], reason: 'termination message', reset: [] };

    it('ends on a message that is exactly TERMINATE', async () => {
      expect(await batch.decide({ content: 'TERMINATE', role: 'assistant' })).toEqual(terminated);
    });

    it('does not end on TERMINATE inside a longer message (AutoGen’s default test)', async () => {
      expect(await batch.decide({ content: 'All done. TERMINATE', role: 'assistant' })).toEqual(carryOn);
    });

    it('follows the host’s own termination test when it gives one', async () => {
      expect(await batch.decide({ content: 'All done. TERMINATE', role: 'assistant', isTermination: true })).toEqual(terminated);
      expect(await batch.decide({ content: 'TERMINATE', role: 'assistant', isTermination: false })).toEqual(carryOn);
    });
  });

  describe('too_long', () => {
    it('allows exactly two hours', async () => {
      expect(await batch.decide({ content: 'Still fitting', role: 'assistant', elapsedMs: 2 * 3_600_000 })).toEqual(carryOn);
    });

    it('stops one millisecond later', async () => {
      expect(await batch.decide({ content: 'Still fitting', role: 'assistant', elapsedMs: 2 * 3_600_000 + 1 })).toEqual({
        action: 'stop',
        rule: 'too_long',
        held: ['too_long'],
        reason: 'the analysis ran for more than two hours',
        reset: [],
      });
    });

    it('does nothing when the host does not report the time', async () => {
      expect(await batch.decide({ content: 'Still fitting', role: 'assistant' })).toEqual(carryOn);
    });
  });

  describe('token_budget', () => {
    it('stops at 2 million tokens, not before', async () => {
      expect(await batch.decide({ content: 'More', role: 'assistant', tokens: { total: 1_999_999 } })).toEqual(carryOn);
      expect(await batch.decide({ content: 'More', role: 'assistant', tokens: { prompt: 1_500_000, completion: 500_000, total: 2_000_000 } })).toEqual({
        action: 'stop',
        rule: 'token_budget',
        held: ['token_budget'],
        reason: 'the analysis used its budget of 2 million tokens',
        reset: [],
      });
    });
  });

  describe('shell_code', () => {
    const shell = { action: 'stop', rule: 'shell_code', held: ['shell_code'], reason: 'the analysis produced shell code', reset: [] };

    it('lets Python through', async () => {
      expect(await batch.decide({ content: 'Run this:\n```python\ndf.describe()\n```\n', role: 'assistant' })).toEqual(carryOn);
    });

    it('stops on a sh or bash block found in the message', async () => {
      expect(await batch.decide({ content: 'Run this:\n```sh\nrm -rf /data\n```\n', role: 'assistant' })).toEqual(shell);
      expect(await batch.decide({ content: '```python\nx = 1\n```\nthen\n```bash\nls\n```\n', role: 'assistant' })).toEqual(shell);
    });

    it('reads the code blocks the host passes instead, when it does', async () => {
      expect(await batch.decide({ content: 'see attached', role: 'assistant', code: [{ language: 'sh', code: 'ls' }] })).toEqual(shell);
    });

    it('compares languages exactly: a block tagged "shell" is not "sh"', async () => {
      expect(await batch.decide({ content: '```shell\nls\n```\n', role: 'assistant' })).toEqual(carryOn);
    });
  });

  it('when several stops fire, the file’s own rule comes first (same priority, the mode’s rules after)', async () => {
    expect(await batch.decide({ content: 'TERMINATE', role: 'assistant', autoReplies: 15, elapsedMs: 3 * 3_600_000 })).toEqual({
      action: 'stop',
      rule: 'too_long',
      held: ['too_long', 'never.limit_reached', 'never.termination'],
      reason: 'the analysis ran for more than two hours',
      reset: [],
    });
  });

  it('exercises every rule', () => {
    expect(batch.unexercised()).toEqual([]);
  });
});
