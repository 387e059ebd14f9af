// The invoices the clerk processes, and the one tool it has: reading an invoice.
import type { ToolDefinition } from '@handrail/core';

export interface Invoice {
  id: string;
  vendor: string;
  vendorTaxId: string | null;
  currency: string;
  lines: Array<{ item: string; amount: number }>;
  total: number;
}

export const invoices: Record<string, Invoice> = {
  'INV-001': { id: 'INV-001', vendor: 'Acme Tools', vendorTaxId: 'DE811907980', currency: 'EUR', lines: [{ item: 'Drill press', amount: 900 }, { item: 'Service plan', amount: 300 }], total: 1200 },
  'INV-002': { id: 'INV-002', vendor: 'Globex', vendorTaxId: 'FR40303265045', currency: 'EUR', lines: [{ item: 'Steel sheet', amount: 640 }, { item: 'Delivery', amount: 300 }], total: 990 },
  'INV-003': { id: 'INV-003', vendor: 'Initech', vendorTaxId: null, currency: 'EUR', lines: [{ item: 'Consulting', amount: 450 }], total: 450 },
};

/** The tool the clerk calls; the supervisor proxy executes it. */
export function readInvoice({ id }: Record<string, unknown>): Invoice {
  const invoice = invoices[String(id)];
  if (!invoice) throw new Error(`no invoice ${String(id)}`);
  return invoice;
}

export const readInvoiceTool: ToolDefinition = {
  type: 'function',
  function: {
    name: 'read_invoice',
    description: 'Read one invoice: vendor, tax id, lines and stated total.',
    parameters: { type: 'object', properties: { id: { type: 'string', description: 'The invoice id, e.g. INV-001' } }, required: ['id'] },
  },
};

export const clerkInstructions = `You are an accounts-payable clerk. Process the invoices you are given one at a time:
call read_invoice for each, check that the lines add up to the stated total and that the vendor has a tax id.
- When the lines do not add up, write a message starting with NEEDS_REVIEW: that states both amounts and asks what to pay.
- When an invoice cannot be booked (for example, no vendor tax id), write a message starting with ERROR: that says why.
- Otherwise state that the invoice is approved and move on.
When every invoice is done, write a one-paragraph summary and end your message with the word TERMINATE on its own.`;

export const task = 'Process the invoices INV-001, INV-002 and INV-003 for this week\'s payment run.';
