// The offline run: what the scripted clerk says and what the scripted person answers.
import type { ScriptedReply } from '@handrail/core/testing';

export const clerkScript: ScriptedReply[] = [
  { toolCalls: [{ name: 'read_invoice', arguments: { id: 'INV-001' } }] },
  'INV-001 (Acme Tools): the lines add up to the stated 1200.00 EUR and the tax id is present. Approved for payment.',
  { toolCalls: [{ name: 'read_invoice', arguments: { id: 'INV-002' } }] },
  'NEEDS_REVIEW: INV-002 (Globex) lines add up to 940.00 EUR but the stated total is 990.00 EUR. Pay the stated total or the line sum?',
  { content: 'Understood: INV-002 will be paid at the line sum, 940.00 EUR, with the difference noted.', toolCalls: [{ name: 'read_invoice', arguments: { id: 'INV-003' } }] },
  'ERROR: INV-003 (Initech) has no vendor tax id, so it cannot be booked.',
  'Summary: INV-001 approved at 1200.00 EUR; INV-002 paid at the line sum of 940.00 EUR with the 50.00 EUR difference noted; INV-003 held and flagged to accounting for the missing tax id.\nTERMINATE',
];

/** The person's answers, in the order the policy asks. */
export const humanAnswers = ['Pay the line sum of 940.00 EUR and note the difference.', 'Hold INV-003 and flag it to accounting, then finish.'];
