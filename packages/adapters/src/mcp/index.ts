// @handrail/adapters/mcp — a gateway MCP server in front of any MCP server: every tool call is
// decided by a policy before the upstream server sees it. The `handrail-mcp` command runs one.
export { elicitationChannel } from './elicitation-channel.js';
export type { ElicitationChannelOptions } from './elicitation-channel.js';
export { createMcpGateway } from './gateway.js';
export type { McpGateway, McpGatewayOptions } from './gateway.js';
export { connectUpstream } from './upstream.js';
export type { Upstream } from './upstream.js';
export { runGatewayCommand, gatewayUsage } from './command.js';
