// The server behind the gateway: a command over stdio, or a Streamable HTTP endpoint.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { gatewayVersion } from './gateway.js';

/**
 * The upstream MCP server: a command the gateway starts and talks to over stdio, or the URL of a
 * Streamable HTTP endpoint.
 *
 * @example
 * const stdio: Upstream = { command: 'node', args: ['server.js'] };
 * const http: Upstream = { url: 'http://127.0.0.1:3001/mcp', headers: { authorization: 'Bearer …' } };
 */
export type Upstream =
  | { command: string; args?: readonly string[]; cwd?: string; env?: Readonly<Record<string, string>> }
  | { url: string | URL; headers?: Readonly<Record<string, string>> };

/**
 * Connects an MCP client to the upstream server. A command inherits the gateway's environment
 * (unless `env` is given) and its stderr, as it would if the client started it directly.
 *
 * @example
 * const upstream = await connectUpstream({ command: 'node', args: ['server.js'] });
 * const gateway = createMcpGateway({ upstream, policy });
 */
export async function connectUpstream(upstream: Upstream): Promise<Client> {
  const transport =
    'command' in upstream
      ? new StdioClientTransport({
          command: upstream.command,
          args: [...(upstream.args ?? [])],
          env: { ...(upstream.env ?? (Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined)) as Record<string, string>)) },
          stderr: 'inherit',
          ...(upstream.cwd !== undefined ? { cwd: upstream.cwd } : {}),
        })
      : new StreamableHTTPClientTransport(new URL(upstream.url), upstream.headers ? { requestInit: { headers: { ...upstream.headers } } } : {});
  const client = new Client({ name: 'handrail-mcp', version: gatewayVersion() });
  await client.connect(transport);
  return client;
}
