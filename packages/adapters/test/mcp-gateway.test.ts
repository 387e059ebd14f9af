// The `handrail-mcp` gateway as a user runs it: a real MCP client over stdio talks to the gateway
// process, which starts the real upstream server process; a person answers through the client's
// elicitation. The upstream's log says which tools ran, with which arguments, how often.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { verifyAuditLogFile } from '@handrail/policy';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, type CallToolResult, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const gatewayMain = fileURLToPath(new URL('../src/mcp/main.ts', import.meta.url));
const upstreamMain = fileURLToPath(new URL('./fixtures/mcp-upstream.ts', import.meta.url));
const policyFile = fileURLToPath(new URL('./fixtures/mcp-refunds.policy', import.meta.url));
// tsx by its path, so a process started outside the repository (a user's project) finds it too.
const tsx = ['--import', pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href, '--conditions=@handrail/source'];
const handrailBin = fileURLToPath(new URL('../../policy/bin/handrail.js', import.meta.url));

type Person = (request: ElicitRequest['params'], signal: AbortSignal) => Promise<ElicitResult>;

interface Session {
  client: Client;
  /** What the person at the client answers next (one function per question, in order). */
  answers: Person[];
  /** The questions the person saw. */
  asked: Array<ElicitRequest['params']>;
  runs(): Array<{ tool: string; args: Record<string, unknown> }>;
  stderr(): string;
  close(): Promise<void>;
}

/** How the gateway is started: `handrail-mcp`'s entry by default, from the repository root. */
interface Launch {
  args: string[];
  cwd: string;
}

async function startGateway(dir: string, flags: string[], options: { elicitation?: boolean; launch?: Launch } = {}): Promise<Session> {
  const log = join(dir, 'tools.log');
  const answers: Person[] = [];
  const asked: Array<ElicitRequest['params']> = [];
  const client = new Client({ name: 'test-client', version: '1.0.0' }, { capabilities: options.elicitation === false ? {} : { elicitation: { form: {} } } });
  if (options.elicitation !== false) {
    client.setRequestHandler(ElicitRequestSchema, (request, extra) => {
      asked.push(request.params);
      const person = answers.shift();
      if (!person) throw new Error('nobody scripted to answer');
      return person(request.params, extra.signal);
    });
  }
  const launch = options.launch ?? { args: [...tsx, gatewayMain], cwd: root };
  const transport = new StdioClientTransport({ command: process.execPath, args: [...launch.args, '--policy', policyFile, ...flags, '--', process.execPath, ...tsx, upstreamMain, log], cwd: launch.cwd, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await client.connect(transport);
  return {
    client,
    answers,
    asked,
    runs: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : []),
    stderr: () => stderr,
    close: () => client.close(),
  };
}

const accept = (content: ElicitResult['content']): Person => () => Promise.resolve({ action: 'accept', content });
const text = (result: unknown) => (result as CallToolResult).content.map((part) => (part.type === 'text' ? part.text : '')).join('');

describe('handrail-mcp in front of a stdio server', () => {
  let dir: string;
  let session: Session;
  let before = 0;
  const call = async (name: string, args: Record<string, unknown>) => {
    before = session.runs().length;
    return (await session.client.callTool({ name, arguments: args })) as CallToolResult;
  };
  const newRuns = () => session.runs().slice(before);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'handrail-mcp-'));
    session = await startGateway(dir, ['--audit', join(dir, 'audit.jsonl')]);
  }, 60_000);
  afterAll(async () => {
    await session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('tools/list and the server instructions pass through', async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['refund', 'lookup', 'delete_account']);
    expect(tools[0]!.inputSchema.required).toEqual(['order', 'amount']);
    expect(session.client.getInstructions()).toBe('Refunds for the shop.');
  });

  test('continue: the call is forwarded and runs once', async () => {
    const result = await call('lookup', { order: 'A-1' });
    expect(result).toEqual({ content: [{ type: 'text', text: 'order A-1: shipped' }] });
    expect(newRuns()).toEqual([{ tool: 'lookup', args: { order: 'A-1' } }]);
  });

  test('stop: an isError result with the reason, and the upstream never sees the call', async () => {
    const result = await call('delete_account', { customer: 'c-7' });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('Stopped by policy: accounts are never deleted. The call to delete_account did not run.');
    expect(newRuns()).toEqual([]);
  });

  test('escalate → approve through the client: the person sees the call, and it runs exactly once', async () => {
    session.answers.push(accept({ answer: 'approve' }));
    const result = await call('refund', { order: 'A-2', amount: 250 });
    expect(text(result)).toBe('refunded 250 on A-2');
    expect(result.isError).toBeFalsy();
    expect(newRuns()).toEqual([{ tool: 'refund', args: { order: 'A-2', amount: 250 } }]);
    const question = session.asked.at(-1)!;
    expect(question.message).toMatch(/^mcp-client wants to refund more than 100\. Approve\?\n/);
    expect(question.message).toContain('rule large of policy mcp_refunds: large refund; no answer means stop');
    expect(question.message).toContain('tool call refund');
    expect(question.message).toContain('{"order":"A-2","amount":250}');
    expect(question.mode ?? 'form').toBe('form');
  });

  test('escalate → reject: the call does not run and the model is told not to retry', async () => {
    session.answers.push(accept({ answer: 'reject', message: 'wrong order' }));
    const result = await call('refund', { order: 'A-3', amount: 250 });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('Refused by a person: wrong order. Do not call refund again with the same arguments; go on without it, or ask the user what to do instead.');
    expect(newRuns()).toEqual([]);
  });

  test('declining the form rejects the call', async () => {
    session.answers.push(() => Promise.resolve({ action: 'decline' }));
    const result = await call('refund', { order: 'A-4', amount: 250 });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^Refused by a person: declined in the client\./);
    expect(newRuns()).toEqual([]);
  });

  test('escalate → edit: the edited arguments are decided again and run instead', async () => {
    session.answers.push(accept({ answer: 'edit', arguments: '{"order":"A-5","amount":90}' }));
    const result = await call('refund', { order: 'A-5', amount: 250 });
    expect(text(result)).toBe('refunded 90 on A-5');
    expect(newRuns()).toEqual([{ tool: 'refund', args: { order: 'A-5', amount: 90 } }]);
  });

  test('an edit the policy stops does not run', async () => {
    session.answers.push(accept({ answer: 'edit', arguments: '{"order":"A-6","amount":5000}' }));
    const result = await call('refund', { order: 'A-6', amount: 250 });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('Stopped by policy: the edited call was stopped: refunds over 1000 are never made. The call to refund did not run.');
    expect(newRuns()).toEqual([]);
  });

  test('an edit the policy escalates is asked about again, and runs once approved', async () => {
    session.answers.push(accept({ answer: 'edit', arguments: '{"order":"A-7","amount":300}' }), accept({ answer: 'approve' }));
    const asked = session.asked.length;
    const result = await call('refund', { order: 'A-7', amount: 250 });
    expect(text(result)).toBe('refunded 300 on A-7');
    expect(newRuns()).toEqual([{ tool: 'refund', args: { order: 'A-7', amount: 300 } }]);
    expect(session.asked.length - asked).toBe(2);
    expect(session.asked.at(-1)!.message).toContain('{"order":"A-7","amount":300}');
  });

  test("nobody answers within the policy's 1 s: the form is withdrawn and the call fails closed", async () => {
    let withdrawn = false;
    session.answers.push((_, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => ((withdrawn = true), reject(new Error('withdrawn'))))));
    const result = await call('lookup', { order: 'A-URGENT' });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('Stopped by policy: urgent lookup; nobody answered. The call to lookup did not run.');
    expect(newRuns()).toEqual([]);
    await expect.poll(() => withdrawn).toBe(true);
  });

  test('every decision and answer is in an audit log whose chain verifies', async () => {
    const audit = join(dir, 'audit.jsonl');
    const records = readFileSync(audit, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; channel?: string; answer?: { kind: string } });
    expect(records.filter((record) => record.type === 'answer').map((record) => [record.answer!.kind, record.channel])).toEqual([
      ['approve', 'elicitation'],
      ['reject', 'elicitation'],
      ['reject', 'elicitation'],
      ['edit', 'elicitation'],
      ['edit', 'elicitation'],
      ['edit', 'elicitation'],
      ['approve', 'elicitation'],
      ['timeout', 'timeout'],
    ]);
    expect(await verifyAuditLogFile(audit)).toMatchObject({ ok: true, records: records.length });
    expect(session.stderr()).toBe('');
  });
});

test("handrail mcp, the policy CLI's command, runs the same gateway from a project that has @handrail/adapters", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'handrail-mcp-cli-'));
  const project = join(dir, 'project');
  mkdirSync(join(project, 'node_modules', '@handrail'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'shop', private: true }));
  symlinkSync(fileURLToPath(new URL('..', import.meta.url)), join(project, 'node_modules', '@handrail', 'adapters'), 'dir');
  // The real `handrail` executable, as a checkout runs it (its sources, and the adapters' by the workspace's condition).
  const session = await startGateway(dir, ['--audit', join(dir, 'audit.jsonl')], { launch: { args: ['--conditions=@handrail/source', handrailBin, 'mcp'], cwd: project } });
  try {
    expect((await session.client.listTools()).tools.map((tool) => tool.name)).toEqual(['refund', 'lookup', 'delete_account']);
    expect(text((await session.client.callTool({ name: 'lookup', arguments: { order: 'C-1' } })) as CallToolResult)).toBe('order C-1: shipped');
    const stopped = (await session.client.callTool({ name: 'delete_account', arguments: { customer: 'c-9' } })) as CallToolResult;
    expect([stopped.isError, text(stopped)]).toEqual([true, 'Stopped by policy: accounts are never deleted. The call to delete_account did not run.']);
    expect(session.runs()).toEqual([{ tool: 'lookup', args: { order: 'C-1' } }]);
    expect(session.client.getServerVersion()?.name).toBe('handrail-mcp');
  } finally {
    await session.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

test('--shadow: every call is forwarded, and a client without elicitation is never asked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'handrail-mcp-shadow-'));
  const session = await startGateway(dir, ['--shadow', '--audit', join(dir, 'audit.jsonl')], { elicitation: false });
  try {
    expect(text(await session.client.callTool({ name: 'refund', arguments: { order: 'B-1', amount: 5000 } }))).toBe('refunded 5000 on B-1');
    expect(text(await session.client.callTool({ name: 'refund', arguments: { order: 'B-2', amount: 250 } }))).toBe('refunded 250 on B-2');
    expect(session.runs()).toEqual([
      { tool: 'refund', args: { order: 'B-1', amount: 5000 } },
      { tool: 'refund', args: { order: 'B-2', amount: 250 } },
    ]);
    const decisions = readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; action: string; rule: string });
    expect(decisions.map((record) => [record.type, record.action, record.rule])).toEqual([
      ['decision', 'stop', 'huge'],
      ['decision', 'escalate', 'large'],
    ]);
  } finally {
    await session.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
