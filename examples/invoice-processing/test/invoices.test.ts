// The invoice example on its scripted clerk, through the real openai client and the local
// server; and the `start` command as a person runs it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OpenAIModel } from '@handrail/core';
import { ScriptedIO, startOpenAIServer } from '@handrail/core/testing';
import { expect, test } from 'vitest';
import { runInvoices } from '../src/demo.js';
import { clerkScript, humanAnswers } from '../src/script.js';

test('the policy escalates on NEEDS_REVIEW and ERROR:, auto-replies otherwise, and stops at TERMINATE', async () => {
  const server = await startOpenAIServer(clerkScript);
  try {
    const io = new ScriptedIO(humanAnswers);
    const model = new OpenAIModel({ model: 'scripted-clerk', baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 });
    const result = await runInvoices({ model, io });

    expect(io.printed.filter((text) => text.startsWith('[handrail]'))).toEqual([
      "[handrail] invoices: continue on clerk's message (no rule matched)",
      "[handrail] invoices: continue on clerk's message (no rule matched)",
      "[handrail] invoices: continue on clerk's message (no rule matched)",
      "[handrail] invoices: escalate on clerk's message (rule review: the agent flagged an invoice for review; no input means stop)",
      "[handrail] invoices: continue on clerk's message (no rule matched)",
      "[handrail] invoices: escalate on clerk's message (rule error_state: the agent reported an error; no input means stop)",
      "[handrail] invoices: stop on clerk's message (rule done: the invoice run is finished)",
    ]);
    expect(io.transcript.filter((entry) => entry.type === 'input')).toEqual([
      { type: 'input', prompt: "the agent flagged an invoice for review. Please give feedback to clerk. Press enter or type 'exit' to stop the conversation: ", answer: humanAnswers[0] },
      { type: 'input', prompt: "the agent reported an error. Please give feedback to clerk. Press enter or type 'exit' to stop the conversation: ", answer: humanAnswers[1] },
    ]);
    expect(result.ended).toMatchObject({ cause: 'stop', agent: 'supervisor', rule: 'done' });
    expect(result.humanInputs).toEqual(humanAnswers);
    expect(result.chatHistory).toHaveLength(14);

    // The clerk's model saw the tool results and the person's decision.
    const afterReview = server.requests[4]!.messages.at(-1);
    expect(afterReview).toEqual({ role: 'user', content: humanAnswers[0], name: 'supervisor' });
    expect(server.requests[1]!.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: expect.stringContaining('"total":1200') });
    expect(server.requests[0]!.tools?.[0]?.function.name).toBe('read_invoice');
    expect(server.remaining).toBe(0);
  } finally {
    await server.close();
  }
});

test('`start` runs offline with scripted answers and shows each decision as it happens', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const env = { ...process.env };
  delete env.OPENAI_API_KEY;
  delete env.OPENAI_BASE_URL;
  const run = spawnSync(`${root}node_modules/.bin/tsx`, ['--conditions=@handrail/source', 'src/main.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env,
    input: '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('offline (scripted clerk at http://127.0.0.1:');
  expect(run.stdout).toContain('Invoice processing with policy policies/invoices.policy');
  expect(run.stdout).toContain("[handrail] invoices: escalate on clerk's message (rule review: the agent flagged an invoice for review; no input means stop)\nthe agent flagged an invoice for review.");
  expect(run.stdout).toContain(`or type 'exit' to stop the conversation: ${humanAnswers[0]}\nsupervisor (to clerk):`);
  // Empty auto-replies are delivered but not printed as empty blocks.
  expect(run.stdout).not.toMatch(/supervisor \(to clerk\):\n\n\n/);
  expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
    `The chat ended: stop (the invoice run is finished) after 14 messages; human input: ${JSON.stringify(humanAnswers)}`,
  );
});
