// A gateway MCP server in front of another: `tools/list` passes through, and every `tools/call`
// is one step of the supervisor (docs/supervisor.md) — forwarded when the verdict is `proceed`,
// answered with an `isError` result naming why when it is anything else.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSupervisor, type ApprovalChannel, type SettledVerdict, type Supervisor, type SupervisorOptions } from '@handrail/core';
import { ConfigurationError, maxTimerDelayMs } from '@handrail/policy';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolRequestSchema, CallToolResultSchema, ListToolsRequestSchema, ListToolsResultSchema, ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { elicitationChannel } from './elicitation-channel.js';

/**
 * The supervisor's options (in-process waiting only: an MCP request is answered while its client
 * waits), the upstream client, and where escalations go.
 *
 * @example
 * const options: McpGatewayOptions = { upstream, policy, audit: await AuditLog.open('audit.jsonl') };
 */
export interface McpGatewayOptions extends Omit<SupervisorOptions, 'run' | 'wait'> {
  /** A client connected to the server the gateway stands in front of. */
  upstream: Client;
  /**
   * Where escalations go when the deciding rule names no channel. By default the person at the
   * MCP client, through elicitation; a client without elicitation stops every escalated call.
   */
  channel?: ApprovalChannel;
  /** `false`: never ask through the client's elicitation (only `channel` / `channels`). */
  elicitation?: boolean;
  /** Who proposes the calls, as the policy's `sender` and `{sender}` in prompts; `mcp-client` by default. */
  sender?: string;
}

/**
 * A gateway: an MCP server to connect to the client's transport, in front of `upstream`.
 *
 * @example
 * const gateway = createMcpGateway({ upstream, policy });
 * await gateway.connect(new StdioServerTransport());
 */
export interface McpGateway {
  /** The low-level MCP server the client talks to. */
  readonly server: Server;
  /** The supervisor that decides each call (its counters run for the client's session). */
  readonly supervisor: Supervisor<SettledVerdict>;
  connect(transport: Transport): Promise<void>;
  /** Closes the server side; the upstream client is the caller's to close. */
  close(): Promise<void>;
}

/** The package's version (two levels up from src/mcp and from dist/mcp alike). */
export function gatewayVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

function plainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What the client gets for a call that did not run: always `isError`, so it is never taken for the tool's output. */
function notRun(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

function refusal(verdict: Exclude<SettledVerdict, { kind: 'proceed' }>, tool: string): CallToolResult {
  switch (verdict.kind) {
    case 'stop':
      return notRun(`Stopped by policy: ${verdict.reason}. The call to ${tool} did not run.`);
    case 'reject':
      return notRun(verdict.toModel);
    case 'reply':
      return notRun(verdict.text === '' ? `A person was asked about this call and gave no answer; ${tool} did not run.` : verdict.text);
  }
}

/**
 * Creates a gateway MCP server in front of `upstream`: the tools are the upstream's, and every
 * call is decided by the policy first. `continue` forwards the call (once); `stop` answers with an
 * `isError` result giving the reason; `escalate` asks a person — the client's, through
 * elicitation, or a Handrail channel — and maps the answer through the supervisor's answer table
 * (an edit is decided again). With `shadow: true` every call is forwarded and only recorded.
 *
 * @example
 * const upstream = await connectUpstream({ command: 'node', args: ['server.js'] });
 * const gateway = createMcpGateway({ upstream, policy: await loadPolicyFile('refunds.policy') });
 * await gateway.connect(new StdioServerTransport());
 */
export function createMcpGateway(options: McpGatewayOptions): McpGateway {
  const { upstream, channel, elicitation, sender = 'mcp-client', ...supervision } = options;
  const capabilities = upstream.getServerCapabilities();
  if (!capabilities) throw new ConfigurationError('createMcpGateway needs a connected upstream client: await client.connect(transport) first');
  const instructions = upstream.getInstructions();
  const server = new Server(
    { name: 'handrail-mcp', version: gatewayVersion() },
    { capabilities: { tools: capabilities.tools?.listChanged ? { listChanged: true } : {} }, ...(instructions !== undefined ? { instructions } : {}) },
  );
  // An escalated call's question is withdrawn when its client cancels the call.
  const cancelled = new Map<string, AbortSignal>();
  const askClient = elicitation === false ? undefined : elicitationChannel(server, { signalOf: (request) => cancelled.get(request.tool?.callId ?? '') });
  const defaultChannel = channel ?? askClient;
  const supervisor = createSupervisor({ ...supervision, ...(defaultChannel ? { channel: defaultChannel } : {}), wait: 'in-process' });

  server.setRequestHandler(ListToolsRequestSchema, (request, extra) => upstream.request({ method: 'tools/list', params: request.params }, ListToolsResultSchema, { signal: extra.signal }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name } = request.params;
    const args = request.params.arguments ?? {};
    const callId = randomUUID();
    cancelled.set(callId, extra.signal);
    let verdict: SettledVerdict;
    try {
      verdict = await supervisor.check({ content: null, role: 'assistant', sender, tool: { name, args } }, { tools: [{ name, args, callId }] });
    } finally {
      cancelled.delete(callId);
    }
    if (verdict.kind !== 'proceed') return refusal(verdict, name);
    // A call its client gave up on while a person was asked is not run behind its back.
    if (extra.signal.aborted) return notRun(`The request was cancelled; ${name} did not run.`);
    const forwarded = verdict.args ?? args;
    if (!plainObject(forwarded)) return notRun(`The edited arguments are not a JSON object; ${name} did not run.`);
    const progressToken = request.params._meta?.progressToken;
    return upstream.request({ method: 'tools/call', params: { ...request.params, arguments: forwarded } }, CallToolResultSchema, {
      signal: extra.signal,
      // The client's own time limit and cancellation govern a long tool, as they would without the gateway.
      timeout: maxTimerDelayMs,
      ...(progressToken !== undefined
        ? { resetTimeoutOnProgress: true, onprogress: (progress) => void extra.sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken } }).catch(() => undefined) }
        : {}),
    });
  });

  // Clients built on @modelcontextprotocol/sdk 1.x ignore the cancellation of request id 0, the
  // first a server sends: a ping takes that id, so every question the gateway puts can be withdrawn.
  server.oninitialized = () => void server.ping().catch(() => undefined);

  if (capabilities.tools?.listChanged) {
    upstream.setNotificationHandler(ToolListChangedNotificationSchema, () => server.sendToolListChanged().catch(() => undefined));
  }

  return {
    server,
    supervisor,
    connect: (transport) => server.connect(transport),
    close: () => server.close(),
  };
}
