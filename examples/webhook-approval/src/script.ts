// The offline run: what the scripted clerk asks for.
import type { ScriptedReply } from '@handrail/core/testing';

export const task = 'Refund orders A-1001 (250 EUR, damaged) and A-1002 (4800 EUR, never delivered).';

export const clerkScript: ScriptedReply[] = [
  { toolCalls: [{ name: 'refund', arguments: { order: 'A-1001', amount: 250 } }] },
  { toolCalls: [{ name: 'refund', arguments: { order: 'A-1002', amount: 4800 } }] },
  'Both refunds are done. TERMINATE',
];
