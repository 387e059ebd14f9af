// The `handrail-mcp` command: read the policy, start or reach the upstream server, and serve the
// gateway on stdio until the client goes away. Its stdout is the MCP channel: everything a person
// should read goes to stderr.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AuditLog } from '@handrail/core';
import { loadPolicy, PolicyError, type Policy } from '@handrail/policy';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { createMcpGateway, gatewayVersion } from './gateway.js';
import { connectUpstream, type Upstream } from './upstream.js';

/**
 * The command's help text.
 *
 * @example
 * process.stdout.write(gatewayUsage);
 */
export const gatewayUsage = `usage: handrail-mcp --policy FILE [--audit FILE] [--shadow] [--sender NAME] -- COMMAND [ARGS...]
       handrail-mcp --policy FILE [--audit FILE] [--shadow] [--sender NAME] --upstream-url URL [--header "NAME: VALUE"]...

A gateway MCP server on stdio, in front of another MCP server: the tools are the upstream's, and
every tools/call is decided by the policy first. continue forwards the call; stop answers with an
error result giving the reason; escalate asks the person at the client (an elicitation form:
approve, reject, answer in its place, or edit the arguments, which the policy decides again).
A client without elicitation, or a question nobody answers in the policy's time, never runs a
call the policy did not let through.

  --policy FILE       the policy (.policy, or compiled .json)
  --audit FILE        append every decision and answer to this audit log (JSON lines), signed
                      with the key in FILE.key (or $HANDRAIL_AUDIT_KEY_FILE)
  --shadow            decide and record, never enforce: every call is forwarded
  --sender NAME       who proposes the calls, as the policy's sender (default mcp-client)
  --upstream-url URL  the upstream server's Streamable HTTP endpoint (instead of a command)
  --header "N: V"     a header for every request to --upstream-url (repeatable)
  -- COMMAND ARGS     the upstream server's command, started with the gateway's environment
  -h, --help          print this help
  --version           print the version

Exit codes: 0 the client closed the connection, 1 invalid policy, unreadable file or an upstream
server that failed or exited, 2 wrong usage.
`;

/** Where the command writes, and the client's transport (stdio unless a test gives another). */
export interface GatewayCommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  transport?: Transport;
  /** The command as the user typed it, for messages: `handrail-mcp` (the default) or `handrail mcp`. */
  command?: string;
}

class UsageError extends Error {}

interface CommandLine {
  policy: string;
  audit?: string;
  shadow: boolean;
  sender?: string;
  upstream: Upstream;
}

function headersOf(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header ${JSON.stringify(line)}: write it as "NAME: VALUE"`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function parseCommandLine(argv: readonly string[]): CommandLine | 'help' | 'version' {
  const separator = argv.indexOf('--');
  const own = separator === -1 ? argv : argv.slice(0, separator);
  const command = separator === -1 ? [] : argv.slice(separator + 1);
  let values;
  try {
    ({ values } = parseArgs({
      args: [...own],
      strict: true,
      allowPositionals: false,
      options: {
        policy: { type: 'string' },
        audit: { type: 'string' },
        shadow: { type: 'boolean' },
        sender: { type: 'string' },
        'upstream-url': { type: 'string' },
        header: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    }));
  } catch (error) {
    const message = (error as Error).message;
    // node:util suggests '--' for a stray word; here the upstream command comes after it.
    throw new UsageError(/Unexpected argument/.test(message) ? `${message.split('.')[0]}: the upstream server's command goes after --` : message.split('\n')[0]!);
  }
  if (values.help) return 'help';
  if (values.version) return 'version';
  if (values.policy === undefined) throw new UsageError('--policy FILE is required');
  const url = values['upstream-url'];
  if (url !== undefined && command.length) throw new UsageError('give the upstream server either as a command after -- or as --upstream-url, not both');
  if (url === undefined && !command.length) throw new UsageError('no upstream server: give its command after --, or --upstream-url URL');
  if (values.header && url === undefined) throw new UsageError('--header is for --upstream-url');
  let upstream: Upstream;
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--upstream-url ${JSON.stringify(url)} is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--upstream-url must be http: or https:, not ${parsed.protocol}`);
    upstream = { url: parsed, ...(values.header ? { headers: headersOf(values.header) } : {}) };
  } else upstream = { command: command[0]!, args: command.slice(1) };
  return { policy: values.policy, ...(values.audit !== undefined ? { audit: values.audit } : {}), shadow: values.shadow ?? false, ...(values.sender !== undefined ? { sender: values.sender } : {}), upstream };
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

async function readPolicy(file: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${reasonOf(error)}`);
  }
  return loadPolicy(text, { file });
}

function describe(upstream: Upstream): string {
  return 'command' in upstream ? [upstream.command, ...(upstream.args ?? [])].join(' ') : String(upstream.url);
}

/**
 * Runs `handrail-mcp` with `argv` (without `node` and the script): serves the gateway until the
 * client closes the connection or the upstream server goes away, and returns the exit code.
 *
 * @example
 * process.exitCode = await runGatewayCommand(['--policy', 'refunds.policy', '--', 'node', 'server.js'], { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
 */
export async function runGatewayCommand(argv: readonly string[], io: GatewayCommandIo): Promise<number> {
  const name = io.command ?? 'handrail-mcp';
  let line: ReturnType<typeof parseCommandLine>;
  try {
    line = parseCommandLine(argv);
  } catch (error) {
    io.stderr(`${name}: ${(error as Error).message}\nRun ${name} --help for usage.\n`);
    return 2;
  }
  if (line === 'help') {
    io.stdout(gatewayUsage.replaceAll('handrail-mcp', name));
    return 0;
  }
  if (line === 'version') {
    io.stdout(`${name} ${gatewayVersion()}\n`);
    return 0;
  }
  let policy: Policy;
  let audit: AuditLog | undefined;
  try {
    policy = await readPolicy(line.policy);
    if (line.audit !== undefined) audit = await AuditLog.open(line.audit);
  } catch (error) {
    io.stderr(PolicyError.isInstance(error) ? `${error.format()}\n` : `${name}: ${reasonOf(error)}\n`);
    return 1;
  }
  let upstream: Client;
  try {
    upstream = await connectUpstream(line.upstream);
  } catch (error) {
    io.stderr(`${name}: cannot connect to the upstream server (${describe(line.upstream)}): ${reasonOf(error)}\n`);
    return 1;
  }
  const gateway = createMcpGateway({ upstream, policy, shadow: line.shadow, ...(audit ? { audit } : {}), ...(line.sender !== undefined ? { sender: line.sender } : {}) });
  const transport = io.transport ?? new StdioServerTransport();
  const ended = new Promise<number>((resolve) => {
    // Whichever side goes first ends the other: no upstream process outlives its client.
    upstream.onclose = () => {
      io.stderr(`${name}: the upstream server (${describe(line.upstream)}) closed the connection\n`);
      resolve(1);
    };
    gateway.server.onclose = () => resolve(0);
    if (!io.transport) process.stdin.once('end', () => resolve(0));
  });
  await gateway.connect(transport);
  const code = await ended;
  upstream.onclose = undefined;
  gateway.server.onclose = undefined;
  await Promise.allSettled([gateway.close(), upstream.close()]);
  return code;
}
