// The AI SDK's OpenAI-compatible provider against the local scripted server: a loop behind a
// policy waits on a question (the SDK's tool-approval-request); a second process, given the
// message history, the paused question and the answer, resumes it, and the tool runs once.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, jsonSchema, stepCountIs, streamText, tool, type ModelMessage } from 'ai';
import { DurableRun, FileRunStore, type ApprovalAnswer, type ApprovalChannel } from '@handrail/core';
import { startOpenAIServer, type OpenAIServer } from '@handrail/core/testing';
import { compilePolicy } from '@handrail/policy';
import { afterEach, expect, it } from 'vitest';
import { createAiSdkGuard } from '@handrail/adapters/ai-sdk';

const policyText = `policy refunds version 1
rule huge: when tool.name == "refund" and tool.args.amount > 1000 then stop "refunds over 1000 are never made"
rule large: when tool.name == "refund" and tool.args.amount > 100
  then escalate "large refund" timeout 5m else stop prompt "{sender} wants to refund more than 100. Approve?"`;
const policy = compilePolicy(policyText);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/ai-sdk-resume.ts', import.meta.url));

let server: OpenAIServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = dir = undefined;
});

function refundTool(ran: number[]) {
  return tool({
    inputSchema: jsonSchema<{ amount: number }>({ type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] }),
    execute: async ({ amount }) => {
      ran.push(amount);
      return `refunded ${amount}`;
    },
  });
}

const script = [{ toolCalls: [{ name: 'refund', arguments: { amount: 250 } }] }, { toolCalls: [{ name: 'refund', arguments: { amount: 40 } }] }, 'All refunds done.'];

it('decides each call of a streamed Chat Completions loop, with a person asked in process', async () => {
  server = await startOpenAIServer(script);
  const model = createOpenAICompatible({ name: 'scripted', baseURL: server.baseURL, apiKey: 'test' }).chatModel('scripted');
  const asked: unknown[] = [];
  const channel: ApprovalChannel = { name: 'desk', ask: async (request) => (asked.push(request.tool), { kind: 'edit', args: { amount: 90 }, at: new Date().toISOString() }) };
  const guard = createAiSdkGuard({ policy, channel, sender: 'clerk' });
  const ran: number[] = [];
  const result = streamText({ model, tools: guard.tools({ refund: refundTool(ran) }), stopWhen: [guard.stopWhen, stepCountIs(10)], prepareStep: guard.prepareStep, prompt: 'Process the refunds.' });
  expect(await result.text).toBe('All refunds done.');
  expect(ran).toEqual([90, 40]);
  expect(asked).toEqual([{ name: 'refund', args: { amount: 250 }, callId: 'call_1' }]);
  expect(server.requests.every((request) => request.stream === true)).toBe(true);
  expect(server.requests[1]!.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: 'refunded 90' });
});

it('a question that waits is resumed by a second process given the history and the answer; the tool runs once', { timeout: 60_000 }, async () => {
  server = await startOpenAIServer(script);
  dir = mkdtempSync(join(tmpdir(), 'handrail-ai-sdk-'));
  const model = createOpenAICompatible({ name: 'scripted', baseURL: server.baseURL, apiKey: 'test' }).chatModel('scripted');
  const run = await DurableRun.open(new FileRunStore(join(dir, 'store')), 'refund-42');
  const guard = createAiSdkGuard({ policy, run, wait: 'suspend', sender: 'clerk' });
  const ran: number[] = [];
  const messages: ModelMessage[] = [{ role: 'user', content: 'Process the refunds.' }];
  const first = await generateText({ model, tools: guard.tools({ refund: refundTool(ran) }), stopWhen: [guard.stopWhen, stepCountIs(10)], prepareStep: guard.prepareStep, messages });
  messages.push(...first.response.messages);
  const paused = guard.paused(messages);
  await run.close();
  expect(ran).toEqual([]);
  expect(paused).toMatchObject([{ kind: 'tool', toolCallId: 'call_1', question: { request: { tool: { name: 'refund', args: { amount: 250 } } } } }]);
  const approvalId = paused[0]!.kind === 'tool' ? paused[0]!.approvalId : '';

  const resume = (answer: ApprovalAnswer) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@handrail/source', fixture], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
      // Through JSON, as a history kept in a database would be.
      child.stdin.end(JSON.stringify({ baseURL: server!.baseURL, store: join(dir!, 'store'), toolLog: join(dir!, 'tool.log'), policy: policyText, messages, paused, answers: { [approvalId]: answer } }));
    });
  const resumed = await resume({ kind: 'approve', by: 'dana', at: new Date().toISOString() });
  expect(resumed.stderr).toBe('');
  expect(resumed.code).toBe(0);
  expect(JSON.parse(resumed.stdout)).toEqual({ text: 'All refunds done.', stopped: null });
  const toolLog = () => (existsSync(join(dir!, 'tool.log')) ? readFileSync(join(dir!, 'tool.log'), 'utf8').split('\n').filter(Boolean) : []);
  expect(toolLog()).toEqual(['refunded 250', 'refunded 40']);
  expect(server.requests[1]!.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: 'refunded 250' });
  // The answer is stored where every channel sees it: the question is no longer pending.
  expect(await new FileRunStore(join(dir, 'store')).listPendingApprovals()).toEqual([]);
});
