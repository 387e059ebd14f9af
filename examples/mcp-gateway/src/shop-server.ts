// The shop's own MCP server, knowing nothing of Handrail: look orders up, refund them, delete
// customers. It speaks MCP on stdio; handrail-mcp starts it and stands in front of it.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const refunds: string[] = [];
const server = new Server({ name: 'shop', version: '1.0.0' }, { capabilities: { tools: {} } });

server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: [
    { name: 'lookup', description: 'Look an order up', inputSchema: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] } },
    { name: 'refund', description: 'Refund (part of) an order', inputSchema: { type: 'object', properties: { order: { type: 'string' }, amount: { type: 'number' } }, required: ['order', 'amount'] } },
    { name: 'delete_customer', description: 'Delete a customer and their data', inputSchema: { type: 'object', properties: { customer: { type: 'string' } }, required: ['customer'] } },
  ],
}));

server.setRequestHandler(CallToolRequestSchema, (request) => {
  const args = request.params.arguments ?? {};
  switch (request.params.name) {
    case 'lookup':
      return { content: [{ type: 'text', text: `order ${String(args.order)}: delivered, paid 900.00` }] };
    case 'refund':
      refunds.push(`${String(args.order)} ${Number(args.amount).toFixed(2)}`);
      return { content: [{ type: 'text', text: `refunded ${Number(args.amount).toFixed(2)} on ${String(args.order)} (refunds so far: ${refunds.join(', ')})` }] };
    case 'delete_customer':
      return { content: [{ type: 'text', text: `deleted ${String(args.customer)}` }] };
    default:
      return { content: [{ type: 'text', text: `no tool ${request.params.name}` }], isError: true };
  }
});

await server.connect(new StdioServerTransport());
