// Sample turns for the benchmark: ~1 KB messages. `quiet` matches no rule (the common case);
// the others fire one or more rules, so resolution (severity, priority, file order) is exercised.
import type { Turn } from '../packages/policy/src/index.js';

/** About 1 KB of ordinary assistant text that no rule of either benchmark policy matches. */
export const body = [
  'I have gone through the March invoices for the northern region and reconciled them against the',
  'purchase orders in the ledger. Of the 214 invoices, 209 match their orders exactly: same supplier,',
  'same quantities, same unit prices and the same tax rate. The remaining five differ only in rounding',
  'of the tax amount, by at most two cents each, which is within the tolerance we agreed on last week.',
  'I grouped the invoices by supplier and by cost centre and attached the summary table below, with',
  'the totals per supplier, the number of lines per invoice and the date each one was received. The',
  'largest supplier this month is Northwind Traders with 38 invoices; the smallest is Contoso Ltd with',
  'a single invoice for office furniture. Payment terms are net 30 for all but two suppliers, who',
  'offer a small discount for payment within ten days. I would suggest we take that discount, as the',
  'cash position allows it. Next I will compare the totals with the budget for the quarter and flag any',
  'cost centre that is more than five percent over its plan, then prepare the monthly report draft.',
].join(' ');

export interface Sample {
  name: string;
  turn: Turn;
}

const middle = Math.floor(body.length / 2);
const insert = (text: string) => `${body.slice(0, middle)} ${text} ${body.slice(middle)}`;

export const samples: readonly Sample[] = [
  { name: 'quiet', turn: { content: body, role: 'assistant', sender: 'accountant', step: 7, autoReplies: 3 } },
  {
    name: 'plan + keyword',
    turn: { content: `PLAN: ${insert('After that we could drop table staging_invoices to start afresh.')}`, role: 'assistant', sender: 'accountant', step: 2, autoReplies: 0 },
  },
  {
    name: 'large payment',
    turn: { content: `${body} I will send email to the supplier once it is paid.`, role: 'assistant', sender: 'accountant', step: 9, autoReplies: 4, tool: { name: 'transfer_funds', args: { amount: 250, currency: 'EUR', to: 'Northwind Traders' } } },
  },
  {
    name: 'small payment',
    turn: { content: body, role: 'assistant', sender: 'accountant', step: 11, autoReplies: 5, tool: { name: 'refund', args: { amount: 40, currency: 'USD' } } },
  },
  {
    name: 'credential + done',
    turn: { content: `${body} For the export use api_key = 7f3a9c0e1b2d. TERMINATE`, role: 'assistant', sender: 'accountant', step: 12, autoReplies: 1 },
  },
  { name: 'tool output', turn: { content: body.replace('I have gone', 'The tool has gone'), role: 'tool', sender: 'ledger', step: 13, autoReplies: 2 } },
  { name: 'checkpoint', turn: { content: body, role: 'assistant', sender: 'accountant', step: 50, autoReplies: 5 } },
  {
    name: 'stuck',
    turn: { content: `I'm not sure the totals are right. ${insert('I apologize for the confusion; let me try again with the corrected rates.')}`, role: 'assistant', sender: 'accountant', step: 14, autoReplies: 4 },
  },
  { name: 'limit', turn: { content: `NEEDS_REVIEW ${body}`, role: 'assistant', sender: 'accountant', step: 15, autoReplies: 8 } },
];

/** What each sample must decide (action and rule) under the 20-rule policy. */
export const expected: Readonly<Record<string, { action: string; rule: string | null }>> = {
  quiet: { action: 'continue', rule: null },
  'plan + keyword': { action: 'escalate', rule: 'sensitive' },
  'large payment': { action: 'escalate', rule: 'large_payment' },
  'small payment': { action: 'continue', rule: 'small_payment' },
  'credential + done': { action: 'stop', rule: 'leaked_credential' },
  'tool output': { action: 'continue', rule: 'tool_result' },
  checkpoint: { action: 'escalate', rule: 'checkpoint' },
  stuck: { action: 'escalate', rule: 'stuck' },
  limit: { action: 'stop', rule: 'limit' },
};
