// What the scripted clerk says, offline: a small refund, a large one, then the answer.
import type { ScriptedReply } from '@handrail/core/testing';

export const clerkScript: ScriptedReply[] = [
  { toolCalls: [{ name: 'refund', arguments: { order: 'A-1001', amount: 40 } }] },
  { toolCalls: [{ name: 'refund', arguments: { order: 'A-1002', amount: 250 } }] },
  'Both refunds are done: 40 EUR on A-1001 and 250 EUR on A-1002.',
];
