// The offline run: what each scripted model says, who the manager's model picks, and the
// approver's answers.
import type { ScriptedReply } from '@handrail/core/testing';

export const task = 'Write a one-paragraph brief on heat pumps for the newsletter, based on our research notes.';

export const scripts: Record<'researcher' | 'writer' | 'manager', ScriptedReply[]> = {
  researcher: [
    { toolCalls: [{ name: 'search_notes', arguments: { topic: 'heat pumps' } }] },
    'Findings: heat pumps give 3 to 4 units of heat per unit of electricity; a house costs 8,000 to 15,000 EUR to equip; grants can cover up to 70%.',
  ],
  writer: [
    'DRAFT: Heat pumps turn one unit of electricity into three or four units of heat, which makes them the most efficient way to warm a home. Equipping a house costs 8,000 to 15,000 EUR.\n\nAPPROVAL NEEDED',
    'DRAFT: Heat pumps turn one unit of electricity into three or four units of heat, which makes them the most efficient way to warm a home. Equipping a house costs 8,000 to 15,000 EUR, and in Germany a federal grant covers up to 70% of it.\n\nAPPROVAL NEEDED',
  ],
  // The manager's model is asked only when no tool call decides who speaks next.
  manager: ['researcher', 'researcher', 'writer', 'approver', 'writer', 'approver'],
};

export const humanAnswers = ['Mention the installation grant.', ''];
