// The MCP gateway in process (linked in-memory transports) and the `handrail-mcp` command's
// options and errors: Handrail channels instead of elicitation, a client that cannot be asked,
// cancelled calls, edits that are no arguments, and an upstream reached over HTTP.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callbackChannel, type ApprovalChannel } from '@handrail/core';
import { compilePolicy, sleep } from '@handrail/policy';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, test } from 'vitest';
import { createMcpGateway, runGatewayCommand, type McpGatewayOptions } from '../src/mcp/index.js';
import { linkGateway, resultText, type Linked } from './fixtures/mcp-linked.js';
import { createRefundsServer, type ToolRun } from './fixtures/mcp-refunds-server.js';

const policy = compilePolicy(`policy mcp_refunds version 1
rule forbidden: when tool.name == "delete_account" then stop "accounts are never deleted"
rule huge: when tool.name == "refund" and tool.args.amount > 1000 then stop "refunds over 1000 are never made"
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund" timeout 5m else stop`);

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function linked(options: Omit<McpGatewayOptions, 'upstream' | 'policy'> = {}, person?: (signal: AbortSignal) => Promise<ElicitResult>): Promise<Linked> {
  const link = await linkGateway({ policy, ...options }, person ? (_request, signal) => person(signal) : undefined);
  closers.push(() => link.close());
  return link;
}

const text = resultText;
const refund250 = { name: 'refund', arguments: { order: 'A-2', amount: 250 } };

describe('createMcpGateway', () => {
  test('a Handrail channel answers in process, and the client is not asked', async () => {
    const asked: string[] = [];
    const desk = callbackChannel((request) => (asked.push(request.prompt), { kind: 'approve', by: 'dana' }), { name: 'desk' });
    const { client, ran } = await linked({ channel: desk }, () => Promise.reject(new Error('the client must not be asked')));
    expect(text(await client.callTool(refund250))).toBe('refunded 250 on A-2');
    expect(ran).toEqual([{ tool: 'refund', args: { order: 'A-2', amount: 250 } }]);
    expect(asked).toEqual(['large refund. Approve?']);
  });

  test('a client without elicitation and no channel: an escalated call stops, saying why', async () => {
    const { client, ran } = await linked();
    const result = (await client.callTool(refund250)) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(
      'Stopped by policy: large refund; asking a person failed: channel elicitation: the MCP client cannot ask its person: it does not support elicitation forms. The call to refund did not run.',
    );
    expect(ran).toEqual([]);
  });

  test('a reply through the form is the result, and the call does not run', async () => {
    const { client, ran } = await linked({}, () => Promise.resolve({ action: 'accept', content: { answer: 'reply', message: 'Refunds wait for the audit on Monday.' } }));
    const result = (await client.callTool(refund250)) as CallToolResult;
    expect(result).toEqual({ content: [{ type: 'text', text: 'Refunds wait for the audit on Monday.' }], isError: true });
    expect(ran).toEqual([]);
  });

  test('edited arguments that are not a JSON object stop the call', async () => {
    const { client, ran } = await linked({}, () => Promise.resolve({ action: 'accept', content: { answer: 'edit', arguments: '[90]' } }));
    const result = (await client.callTool(refund250)) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('the answer from the MCP client was refused: the edited arguments must be a JSON object, as MCP tool arguments are');
    expect(ran).toEqual([]);
  });

  test("a channel's edit that is no object never reaches the upstream", async () => {
    const desk: ApprovalChannel = { name: 'desk', ask: async () => ({ kind: 'edit', args: [90], at: new Date().toISOString() }) };
    const { client, ran } = await linked({ channel: desk });
    const result = (await client.callTool(refund250)) as CallToolResult;
    expect(text(result)).toBe('The edited arguments are not a JSON object; refund did not run.');
    expect(ran).toEqual([]);
  });

  test('a call its client cancels while a person is asked never runs, even when the approval comes afterwards', async () => {
    let approve!: () => void;
    const late: ApprovalChannel = { name: 'late', ask: () => new Promise((resolve) => (approve = () => resolve({ kind: 'approve', at: new Date().toISOString() }))) };
    const { client, ran, verdicts } = await linked({ channel: late });
    const controller = new AbortController();
    const calling = client.callTool(refund250, undefined, { signal: controller.signal });
    await expect.poll(() => approve).toBeDefined();
    controller.abort('the user pressed stop');
    await expect(calling).rejects.toThrow();
    approve();
    await expect.poll(() => verdicts.map((verdict) => verdict.kind)).toEqual(['proceed']);
    await sleep(100);
    expect(ran).toEqual([]);
  });

  test('cancelling the call withdraws the form the person was shown', async () => {
    let asked = false;
    let withdrawn = false;
    const person = (signal: AbortSignal) => ((asked = true), new Promise<ElicitResult>((_resolve, reject) => signal.addEventListener('abort', () => ((withdrawn = true), reject(new Error('withdrawn'))))));
    const { client, ran, verdicts } = await linked({}, person);
    const controller = new AbortController();
    const calling = client.callTool(refund250, undefined, { signal: controller.signal });
    await expect.poll(() => asked).toBe(true);
    controller.abort();
    await expect(calling).rejects.toThrow();
    await expect.poll(() => withdrawn).toBe(true);
    await expect.poll(() => verdicts.map((verdict) => verdict.kind)).toEqual(['stop']);
    expect(ran).toEqual([]);
  });

  test('shadow: the calls the policy would stop are forwarded, and the verdicts say they were not enforced', async () => {
    const { client, ran, verdicts } = await linked({ shadow: true });
    expect(text(await client.callTool({ name: 'delete_account', arguments: { customer: 'c-1' } }))).toBe('deleted c-1');
    expect(ran).toEqual([{ tool: 'delete_account', args: { customer: 'c-1' } }]);
    expect(verdicts.map((verdict) => [verdict.kind, verdict.decision.action, verdict.kind === 'proceed' && verdict.enforced])).toEqual([['proceed', 'stop', false]]);
  });

  test('an upstream client that is not connected is a configuration error', () => {
    expect(() => createMcpGateway({ upstream: new Client({ name: 'x', version: '1' }), policy })).toThrow('createMcpGateway needs a connected upstream client');
  });
});

describe('handrail-mcp, the command', () => {
  const run = async (argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runGatewayCommand(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
    return { code, stdout, stderr };
  };
  const policyFile = fileURLToPath(new URL('./fixtures/mcp-refunds.policy', import.meta.url));

  test('-h prints the usage; the installed executable answers it too', async () => {
    const help = await run(['-h']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: handrail-mcp --policy FILE \[--audit FILE\] \[--shadow\] \[--sender NAME\] -- COMMAND \[ARGS\.\.\.\]\n/);
    const bin = spawnSync(process.execPath, [fileURLToPath(new URL('../bin/handrail-mcp.js', import.meta.url)), '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect([bin.status, bin.stdout, bin.stderr]).toEqual([0, help.stdout, '']);
  });

  test.each([
    [[], '--policy FILE is required'],
    [['--policy', 'p.policy'], 'no upstream server: give its command after --, or --upstream-url URL'],
    [['--policy', 'p.policy', 'node', 'server.js'], "Unexpected argument 'node': the upstream server's command goes after --"],
    [['--policy', 'p.policy', '--upstream-url', 'http://127.0.0.1:1/mcp', '--', 'node'], 'give the upstream server either as a command after -- or as --upstream-url, not both'],
    [['--policy', 'p.policy', '--upstream-url', 'file:///x'], '--upstream-url must be http: or https:, not file:'],
    [['--policy', 'p.policy', '--upstream-url', 'http://127.0.0.1:1/mcp', '--header', 'no colon'], '--header "no colon": write it as "NAME: VALUE"'],
    [['--polcy', 'p.policy'], "Unknown option '--polcy'"],
  ])('%j is wrong usage: one line, exit code 2', async (argv, message) => {
    const { code, stdout, stderr } = await run(argv);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr.split('\n')[0]).toContain(`handrail-mcp: ${message}`);
    expect(stderr).toContain('Run handrail-mcp --help for usage.');
  });

  test('a policy that does not compile is shown as a code frame, exit code 1; so is a file that cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handrail-mcp-cli-'));
    try {
      writeFileSync(join(dir, 'bad.policy'), 'policy bad\nrule x: when tool.name == then stop\n');
      const bad = await run(['--policy', join(dir, 'bad.policy'), '--', 'node', 'server.js']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/bad\.policy:2:\d+: error [A-Z_]+: /);
      const missing = await run(['--policy', join(dir, 'none.policy'), '--', 'node', 'server.js']);
      expect(missing).toEqual({ code: 1, stdout: '', stderr: `handrail-mcp: cannot read ${join(dir, 'none.policy')}: no such file or directory\n` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an upstream command that cannot start: one line, exit code 1', async () => {
    const { code, stderr } = await run(['--policy', policyFile, '--', 'handrail-no-such-server-7f3a']);
    expect(code).toBe(1);
    expect(stderr).toBe('handrail-mcp: cannot connect to the upstream server (handrail-no-such-server-7f3a): no such file or directory\n');
  });

  test('no upstream process outlives its client, and the gateway ends (exit code 1) when its upstream does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handrail-mcp-life-'));
    const upstreamCommand = (log: string) => ['--', process.execPath, '--import', 'tsx', '--conditions=@handrail/source', fileURLToPath(new URL('./fixtures/mcp-upstream.ts', import.meta.url)), log];
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const serve = async (log: string) => {
      const [clientSide, gatewaySide] = InMemoryTransport.createLinkedPair();
      let stderr = '';
      const command = runGatewayCommand(['--policy', policyFile, ...upstreamCommand(log)], { stdout: () => undefined, stderr: (t) => void (stderr += t), transport: gatewaySide });
      const client = new Client({ name: 'test-client', version: '1' });
      await client.connect(clientSide);
      expect(resultText(await client.callTool({ name: 'lookup', arguments: { order: 'L-1' } }))).toBe('order L-1: shipped');
      return { client, command, stderr: () => stderr, pid: Number(readFileSync(`${log}.pid`, 'utf8')) };
    };
    try {
      const left = await serve(join(dir, 'left.log'));
      await left.client.close();
      expect(await left.command).toBe(0);
      expect(alive(left.pid)).toBe(false);

      const crashed = await serve(join(dir, 'crashed.log'));
      process.kill(crashed.pid, 'SIGKILL');
      expect(await crashed.command).toBe(1);
      expect(crashed.stderr()).toMatch(/^handrail-mcp: the upstream server \(.*mcp-upstream\.ts .*crashed\.log\) closed the connection\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('--upstream-url: a Streamable HTTP upstream, decided the same way; the command ends with 0 when the client leaves', async () => {
    const ran: ToolRun[] = [];
    const upstreamServer = createRefundsServer((call) => ran.push(call));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
    await upstreamServer.connect(transport);
    const seen: Array<string | undefined> = [];
    const http = createServer((request, response) => {
      seen.push(request.headers['x-api-key'] as string | undefined);
      void transport.handleRequest(request, response);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as { port: number };
    try {
      const [clientSide, gatewaySide] = InMemoryTransport.createLinkedPair();
      let stderr = '';
      const command = runGatewayCommand(['--policy', policyFile, '--upstream-url', `http://127.0.0.1:${port}/mcp`, '--header', 'x-api-key: k-123'], { stdout: () => undefined, stderr: (t) => void (stderr += t), transport: gatewaySide });
      const client = new Client({ name: 'test-client', version: '1' });
      // The gateway connects to the upstream first; the client's first message waits in its transport.
      await client.connect(clientSide);
      expect(text(await client.callTool({ name: 'lookup', arguments: { order: 'H-1' } }))).toBe('order H-1: shipped');
      expect(text(await client.callTool({ name: 'delete_account', arguments: { customer: 'c-1' } }))).toMatch(/^Stopped by policy: accounts are never deleted/);
      expect(ran).toEqual([{ tool: 'lookup', args: { order: 'H-1' } }]);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((key) => key === 'k-123')).toBe(true);
      await client.close();
      expect(await command).toBe(0);
      expect(stderr).toBe('');
    } finally {
      await upstreamServer.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
