// Code execution by the proxy: blocks run in workDir with a timeout, their output is the reply,
// the policy sees the blocks, and Docker without an engine is a clear error.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy } from '@handrail/policy';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AssistantAgent, CodeExecutionError, executeCodeBlock, UserProxyAgent, type CodeExecutionConfig } from '../src/index.js';
import { ScriptedIO, ScriptedModel } from '../src/testing/index.js';

let workDir: string;
beforeEach(async () => (workDir = await mkdtemp(join(tmpdir(), 'handrail-code-'))));
afterEach(() => rm(workDir, { recursive: true, force: true }));

const fence = (language: string, code: string) => `Run this:\n\`\`\`${language}\n${code}\n\`\`\``;

async function run(replies: string[], options: { answers?: string[]; config?: Partial<CodeExecutionConfig> | false; policy?: string } = {}) {
  const io = new ScriptedIO(options.answers ?? []);
  const assistant = new AssistantAgent('assistant', { model: new ScriptedModel(replies), io });
  const user = new UserProxyAgent('user', {
    humanInputMode: 'NEVER',
    maxConsecutiveAutoReply: 5,
    codeExecutionConfig: options.config === false ? false : { workDir, timeout: 10, ...options.config },
    io,
    ...(options.policy ? { policy: compilePolicy(options.policy) } : {}),
  });
  const result = await user.initiateChat(assistant, { message: 'task' });
  return { io, result };
}

describe('code execution', () => {
  test('an sh block runs in workDir; its output is the reply', async () => {
    const { io, result } = await run([fence('sh', 'echo hello > note.txt && cat note.txt'), 'TERMINATE']);
    expect(io.printed).toContain('>>>>>>>> EXECUTING CODE BLOCK 0 (inferred language is sh)...');
    expect(result.chatHistory[2]!.content).toBe('exitcode: 0 (execution succeeded)\nCode output: \nhello\n');
    expect(await readFile(join(workDir, 'note.txt'), 'utf8')).toBe('hello\n');
    expect(result.events.find((event) => event.type === 'code-executed')).toMatchObject({ language: 'sh', exitCode: 0, output: 'hello\n' });
  });

  test('python and js blocks run; every block of a message runs in order', async () => {
    const message = `${fence('python', 'print(6 * 7)')}\nand\n${fence('js', 'console.log([1, 2, 3].length)')}`;
    const { io, result } = await run([message, 'TERMINATE']);
    expect(io.printed.filter((text) => text.startsWith('>>>>>>>> EXECUTING'))).toEqual([
      '>>>>>>>> EXECUTING CODE BLOCK 0 (inferred language is python)...',
      '>>>>>>>> EXECUTING CODE BLOCK 1 (inferred language is js)...',
    ]);
    expect(result.chatHistory[2]!.content).toBe('exitcode: 0 (execution succeeded)\nCode output: \n42\n\n3\n');
  });

  test('`# filename:` saves the block under that name', async () => {
    await run([fence('python', '# filename: report.py\nopen("report.md", "w").write("# Report\\n")'), 'TERMINATE']);
    expect(await readFile(join(workDir, 'report.py'), 'utf8')).toContain('# filename: report.py');
    expect(await readFile(join(workDir, 'report.md'), 'utf8')).toBe('# Report\n');
  });

  test('a failing block stops the rest and says so', async () => {
    const message = `${fence('sh', 'echo before; exit 3')}\n${fence('sh', 'echo never')}`;
    const { result } = await run([message, 'TERMINATE']);
    expect(result.chatHistory[2]!.content).toBe('exitcode: 3 (execution failed)\nCode output: \nbefore\n');
  });

  test('a block that runs too long is killed after the timeout', async () => {
    const started = Date.now();
    const { result } = await run([fence('sh', 'sleep 20'), 'TERMINATE'], { config: { timeout: 0.3 } });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.chatHistory[2]!.content).toBe('exitcode: 1 (execution failed)\nCode output: \nTimeout');
  });

  test('a time limit nobody can state is refused when the agent is built, and by executeCodeBlock, before anything runs', async () => {
    for (const timeout of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(() => new UserProxyAgent('user', { codeExecutionConfig: { timeout } })).toThrow(/^codeExecutionConfig\.timeout of .+ s: timeout .+ is not a finite number of milliseconds ≥ 0$/);
      await expect(executeCodeBlock({ language: 'sh', code: 'echo ran' }, { timeout })).rejects.toThrow('is not a finite number of milliseconds ≥ 0');
    }
  });

  test('an unknown language is reported, not run', async () => {
    const { result } = await run([fence('cobol', 'DISPLAY "HI".'), 'TERMINATE']);
    expect(result.chatHistory[2]!.content).toBe('exitcode: 1 (execution failed)\nCode output: \nunknown language cobol');
  });

  test('codeExecutionConfig: false leaves code alone', async () => {
    const { io, result } = await run([fence('sh', 'echo hi'), 'TERMINATE'], { config: false });
    expect(io.printed.some((text) => text.includes('EXECUTING'))).toBe(false);
    expect(result.chatHistory[2]!.content).toBe('');
  });

  test('the policy sees the code blocks, so running code can require approval', async () => {
    const policy = `policy approve_code
mode never
rule run_code: when code.count > 0 then escalate "run this code?" else stop`;
    const refused = await run([fence('sh', 'touch ran.txt')], { policy, answers: [''] });
    expect(refused.result.ended).toMatchObject({ cause: 'no-input', rule: 'run_code' });
    await expect(readFile(join(workDir, 'ran.txt'))).rejects.toThrow();
    const decision = refused.result.events.find((event) => event.type === 'decision-made' && event.agent === 'user');
    expect(decision).toMatchObject({ turn: { code: [{ language: 'sh', code: 'touch ran.txt\n' }] } });

    const approved = await run([fence('sh', 'touch ran.txt && echo done'), 'TERMINATE'], {
      policy: policy.replace('else stop', 'else continue'),
      answers: [''],
    });
    expect(approved.result.chatHistory[2]!.content).toBe('exitcode: 0 (execution succeeded)\nCode output: \ndone\n');
  });

  test('Docker without an engine is a clear error, not a hang', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${join(workDir, 'no-docker.sock')}`;
    try {
      const started = Date.now();
      await expect(run([fence('sh', 'echo hi')], { config: { useDocker: true } })).rejects.toThrow(CodeExecutionError);
      await expect(executeCodeBlock({ language: 'sh', code: 'echo hi' }, { workDir, useDocker: 'python:3-slim' })).rejects.toThrow(
        /code execution is set to run in Docker \(useDocker\), but no Docker engine answers/,
      );
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
