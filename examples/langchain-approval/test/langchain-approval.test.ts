// The example, as a user runs it: `start` pauses the graph on the question and exits; `answer`, in
// a second process, resumes it from the checkpoint file. The model is ChatOpenAI against the
// local scripted server (one server for both processes, so completion ids stay unique); the
// refund runs once, and every decision and answer of both processes is in the audit log.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpenAIServer } from '@handrail/core/testing';
import { afterAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'handrail-langchain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function example(args: string[], modelUrl?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@handrail/source', main, ...args, '--dir', dir, ...(modelUrl ? ['--model-url', modelUrl] : [])], { cwd: root, env: { ...process.env, OPENAI_BASE_URL: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

it('pauses on a refund of 250 in one process; another approves it; the refund runs once', { timeout: 120_000 }, async () => {
  const server = await startOpenAIServer([{ content: 'Refunding order A-1001.', toolCalls: [{ name: 'refund', arguments: { order: 'A-1001', amount: 250 } }] }, 'Refunded 250 on order A-1001.']);
  try {
    const started = await example(['start'], server.baseURL);
    expect(started.stderr).toBe('');
    expect(started.stdout).toContain('Waiting on a person: clerk wants to refund more than 100. Approve? refund {"order":"A-1001","amount":250}');
    const refunds = () => readFileSync(join(dir, 'refunds.log'), 'utf8').split('\n').filter(Boolean);
    expect(() => refunds()).toThrow();

    const answered = await example(['answer', 'approve'], server.baseURL);
    expect(answered.stdout).toBe('Clerk: Refunded 250 on order A-1001.\n');
    expect(refunds()).toEqual(['{"order":"A-1001","amount":250}']);
    expect(server.requests.at(-1)!.messages.at(-1)).toMatchObject({ role: 'tool', content: 'refunded 250 on order A-1001' });

    const again = await example(['answer', 'reject'], server.baseURL);
    expect(again.stdout).toBe('Nothing waits for an answer.\n');
    expect(refunds()).toHaveLength(1);

    const audit = readFileSync(join(dir, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; rule: string | null });
    expect(audit.map((entry) => [entry.type, entry.rule])).toEqual([
      ['decision', 'large'],
      ['answer', 'large'],
      ['decision', null],
    ]);
  } finally {
    await server.close();
  }
});
