// The presets reproduce the check AutoGen's agents make before auto-replying (shared AUTOGEN.md,
// "The check a receiving agent makes"): which prompt, and what an empty answer means.
import { describe, expect, it } from 'vitest';
import { compilePolicy, decideSync, presetPolicy, type Decision, type Turn } from '../src/index.js';

const promptA = "Replying as {name}. Provide feedback to {sender}. Press enter to skip and use auto-reply, or type 'exit' to end the conversation: ";
const promptL = "Please give feedback to {sender}. Press enter to skip and use auto-reply, or type 'exit' to stop the conversation: ";
const promptS = "Please give feedback to {sender}. Press enter or type 'exit' to stop the conversation: ";

type Expected = { action: 'continue' } | { action: 'stop' } | { action: 'escalate'; prompt: string; onNoInput: 'continue' | 'stop' | 'reply' };

function outcome(decision: Decision): Expected {
  if (decision.action === 'escalate') return { action: 'escalate', prompt: decision.prompt!, onNoInput: decision.onNoInput };
  return { action: decision.action };
}

const cases: Array<[string, Turn, Expected]> = [
  // ALWAYS: ask every time; the limit plays no part; empty answer on a termination message exits.
  ['always', { content: 'a1', autoReplies: 0, maxAutoReplies: 100 }, { action: 'escalate', prompt: promptA, onNoInput: 'continue' }],
  ['always', { content: 'a1', autoReplies: 500, maxAutoReplies: 2 }, { action: 'escalate', prompt: promptA, onNoInput: 'continue' }],
  ['always', { content: 'TERMINATE', autoReplies: 0 }, { action: 'escalate', prompt: promptA, onNoInput: 'stop' }],
  ['always', { content: 'a1', maxAutoReplies: 0 }, { action: 'escalate', prompt: promptA, onNoInput: 'reply' }],
  ['always', { content: 'TERMINATE', maxAutoReplies: 0 }, { action: 'escalate', prompt: promptA, onNoInput: 'stop' }],
  // NEVER: exit at the limit or on a termination message; otherwise auto-reply.
  ['never', { content: 'a1', autoReplies: 0, maxAutoReplies: 2 }, { action: 'continue' }],
  ['never', { content: 'a1', autoReplies: 1, maxAutoReplies: 2 }, { action: 'continue' }],
  ['never', { content: 'a1', autoReplies: 2, maxAutoReplies: 2 }, { action: 'stop' }],
  ['never', { content: 'TERMINATE', autoReplies: 0 }, { action: 'stop' }],
  ['never', { content: 'a1', maxAutoReplies: 0 }, { action: 'stop' }],
  ['never', { content: 'All done. TERMINATE' }, { action: 'continue' }],
  // TERMINATE: auto-reply until the limit (prompt L) or a termination message (prompt S).
  ['terminate', { content: 'a1', autoReplies: 0, maxAutoReplies: 2 }, { action: 'continue' }],
  ['terminate', { content: 'a1', autoReplies: 2, maxAutoReplies: 2 }, { action: 'escalate', prompt: promptL, onNoInput: 'continue' }],
  ['terminate', { content: 'a1', autoReplies: 3, maxAutoReplies: 2 }, { action: 'escalate', prompt: promptL, onNoInput: 'continue' }],
  ['terminate', { content: 'TERMINATE', autoReplies: 0, maxAutoReplies: 2 }, { action: 'escalate', prompt: promptS, onNoInput: 'stop' }],
  ['terminate', { content: 'TERMINATE', autoReplies: 2, maxAutoReplies: 2 }, { action: 'escalate', prompt: promptS, onNoInput: 'stop' }],
  ['terminate', { content: 'a1', maxAutoReplies: 0 }, { action: 'escalate', prompt: promptL, onNoInput: 'reply' }],
  ['terminate', { content: 'a1', autoReplies: 1, maxAutoReplies: 1 }, { action: 'escalate', prompt: promptL, onNoInput: 'continue' }],
  ['terminate', { content: 'All done. TERMINATE' }, { action: 'continue' }],
  ['terminate', { content: 'terminate' }, { action: 'continue' }],
  ['terminate', { content: 'All done. TERMINATE', isTermination: true }, { action: 'escalate', prompt: promptS, onNoInput: 'stop' }],
  ['terminate', { content: 'TERMINATE', isTermination: false }, { action: 'continue' }],
  ['terminate', { content: 'a1', autoReplies: 99 }, { action: 'continue' }],
  ['terminate', { content: 'a1', autoReplies: 100 }, { action: 'escalate', prompt: promptL, onNoInput: 'continue' }],
];

describe('the presets', () => {
  it.each(cases)('%s on %j decides %j', (mode, turn, expected) => {
    expect(outcome(decideSync(presetPolicy(mode as 'always'), turn))).toEqual(expected);
  });

  it('are ordinary policies, included by a mode line after the file’s own rules', () => {
    const policy = compilePolicy('policy mine\nmode terminate\nrule review: when content contains "NEEDS_REVIEW" then escalate "review"');
    expect(policy.document.rules.map((rule) => rule.name)).toEqual(['review', 'terminate.ask_on_termination', 'terminate.ask_at_zero_limit', 'terminate.ask_at_limit']);
    expect(decideSync(policy, { content: 'TERMINATE' }).rule).toBe('terminate.ask_on_termination');
    expect(decideSync(policy, { content: 'NEEDS_REVIEW' }).rule).toBe('review');
    // At the limit both escalate with the same priority: the file's own rule decides.
    expect(decideSync(policy, { content: 'NEEDS_REVIEW', autoReplies: 100 })).toMatchObject({ rule: 'review', onNoInput: 'stop' });
  });

  it('take the limit from the policy when the turn does not give it', () => {
    const policy = compilePolicy('policy batch\nmode never\nmax auto_replies 15');
    expect(decideSync(policy, { content: 'x', autoReplies: 14 }).action).toBe('continue');
    expect(decideSync(policy, { content: 'x', autoReplies: 15 })).toMatchObject({ action: 'stop', rule: 'never.limit_reached' });
    expect(decideSync(policy, { content: 'x', autoReplies: 15, maxAutoReplies: 20 }).action).toBe('continue');
  });
});
