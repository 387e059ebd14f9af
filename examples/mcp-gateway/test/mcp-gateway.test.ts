// The example as a user runs it: a real MCP client, handrail-mcp (the package's executable) and the
// shop's server, each its own process, talking over stdio.
import { expect, test } from 'vitest';
import { runShop } from '../src/demo.js';

test('lookups and small refunds go through; the person approves, edits and rejects; the rest never runs', async () => {
  const lines: string[] = [];
  await runShop((line) => lines.push(line));
  expect(lines).toEqual([
    'tools through the gateway: lookup, refund, delete_customer',
    '→ lookup {"order":"A-1001"}',
    '  ✓ order A-1001: delivered, paid 900.00',
    '→ refund {"order":"A-1001","amount":40}',
    '  ✓ refunded 40.00 on A-1001 (refunds so far: A-1001 40.00)',
    '→ refund {"order":"A-1002","amount":250}',
    '  ? The assistant wants to refund more than 100. Approve?',
    '  ! the person answers: approve',
    '  ✓ refunded 250.00 on A-1002 (refunds so far: A-1001 40.00, A-1002 250.00)',
    '→ refund {"order":"A-1003","amount":900}',
    '  ? The assistant wants to refund more than 100. Approve?',
    '  ! the person answers: edit {"order":"A-1003","amount":90}',
    '  ✓ refunded 90.00 on A-1003 (refunds so far: A-1001 40.00, A-1002 250.00, A-1003 90.00)',
    '→ refund {"order":"A-1004","amount":300}',
    '  ? The assistant wants to refund more than 100. Approve?',
    '  ! the person answers: reject (already refunded by phone)',
    '  ✗ Refused by a person: already refunded by phone. Do not call refund again with the same arguments; go on without it, or ask the user what to do instead.',
    '→ refund {"order":"A-1005","amount":5000}',
    '  ✗ Stopped by policy: refunds over 1000 go through finance. The call to refund did not run.',
    '→ delete_customer {"customer":"c-77"}',
    '  ✗ Stopped by policy: customers are never deleted by the agent. The call to delete_customer did not run.',
  ]);
}, 60_000);
