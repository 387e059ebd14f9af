// An MCP client — here a scripted assistant — talking to the shop through handrail-mcp, with a
// person who answers the gateway's questions in the client (MCP elicitation).
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';

/** The calls the assistant makes, in order. */
export const assistantCalls: ReadonlyArray<{ name: string; arguments: Record<string, unknown> }> = [
  { name: 'lookup', arguments: { order: 'A-1001' } },
  { name: 'refund', arguments: { order: 'A-1001', amount: 40 } },
  { name: 'refund', arguments: { order: 'A-1002', amount: 250 } },
  { name: 'refund', arguments: { order: 'A-1003', amount: 900 } },
  { name: 'refund', arguments: { order: 'A-1004', amount: 300 } },
  { name: 'refund', arguments: { order: 'A-1005', amount: 5000 } },
  { name: 'delete_customer', arguments: { customer: 'c-77' } },
];

/** What the person in the client answers, by order: the form's fields. */
const personAnswers: Readonly<Record<string, { answer: string; message?: string; arguments?: string }>> = {
  'A-1002': { answer: 'approve' },
  'A-1003': { answer: 'edit', arguments: '{"order":"A-1003","amount":90}' },
  'A-1004': { answer: 'reject', message: 'already refunded by phone' },
};

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The `handrail-mcp` executable of @handrail/adapters, as a client's configuration would name it. */
export function gatewayCommand(): { command: string; args: string[] } {
  const bin = fileURLToPath(import.meta.resolve('@handrail/adapters/package.json').replace(/package\.json$/, 'bin/handrail-mcp.js'));
  const shop = [process.execPath, '--import', import.meta.resolve('tsx'), here('./shop-server.ts')];
  return { command: process.execPath, args: [bin, '--policy', here('../refunds.policy'), '--', ...shop] };
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('');
}

/** Runs the assistant's calls through the gateway and returns what it saw, line by line. */
export async function runShop(print: (line: string) => void): Promise<void> {
  const client = new Client({ name: 'shop-assistant', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler(ElicitRequestSchema, (request): ElicitResult => {
    const order = /"order":"([^"]+)"/.exec(request.params.message)?.[1] ?? '';
    const answer = personAnswers[order];
    print(`  ? ${request.params.message.split('\n')[0]}`);
    if (!answer) return { action: 'decline' };
    print(`  ! the person answers: ${answer.answer}${answer.message ? ` (${answer.message})` : ''}${answer.arguments ? ` ${answer.arguments}` : ''}`);
    return { action: 'accept', content: answer };
  });
  await client.connect(new StdioClientTransport({ ...gatewayCommand(), stderr: 'inherit' }));
  try {
    const { tools } = await client.listTools();
    print(`tools through the gateway: ${tools.map((tool) => tool.name).join(', ')}`);
    for (const call of assistantCalls) {
      print(`→ ${call.name} ${JSON.stringify(call.arguments)}`);
      const result = (await client.callTool(call)) as CallToolResult;
      print(`  ${result.isError ? '✗' : '✓'} ${textOf(result)}`);
    }
  } finally {
    await client.close();
  }
}
