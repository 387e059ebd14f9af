// The AI SDK adapter under ai@7 (installed as `ai7`): the same guard, unchanged, in front of
// ai@7's generateText and streamText with its MockLanguageModelV4. ai@7 declares Node 22; these
// tests show the parts the adapter uses (needsApproval, execute, stopWhen, prepareStep, the
// tool-approval-request/response parts) behave as in ai@6 on this Node.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { generateText, jsonSchema, stepCountIs, streamText, tool, type ModelMessage } from 'ai7';
import { MockLanguageModelV4 } from 'ai7/test';
import { DurableRun, MemoryRunStore } from '@handrail/core';
import { compilePolicy } from '@handrail/policy';
import { describe, expect, it } from 'vitest';
import { createAiSdkGuard, type AiSdkGuardOptions } from '@handrail/adapters/ai-sdk';
import { refunds, scriptedModel, toolResults, type ScriptStep } from './fixtures/ai-sdk-model.js';
import { person } from './fixtures/person.js';

const policy = compilePolicy(`policy refunds version 1
rule forbidden: when tool.name == "delete_account" then stop "accounts are never deleted"
rule huge: when tool.name == "refund" and tool.args.amount > 1000 then stop "refunds over 1000 are never made"
rule large: when tool.name == "refund" and tool.args.amount > 100
  then escalate "large refund" timeout 300ms else stop prompt "{sender} wants to refund more than 100. Approve?"
rule draft: when content ends with "[draft]" then escalate "a draft answer"`);

function desk() {
  const ran: Array<[string, unknown]> = [];
  const tools = {
    refund: tool({
      inputSchema: jsonSchema<{ amount: number }>({ type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] }),
      execute: async ({ amount }) => {
        ran.push(['refund', { amount }]);
        return `refunded ${amount}`;
      },
    }),
    delete_account: tool({
      inputSchema: jsonSchema<Record<string, never>>({ type: 'object', properties: {} }),
      execute: async (args) => {
        ran.push(['delete_account', args]);
        return 'deleted';
      },
    }),
  };
  return { ran, tools };
}

/**
 * The guard's hooks typed for ai@7. The adapter's declarations name whichever `ai` the user has
 * installed; in this repository that is ai@6, so the test alone restates them for ai@7.
 */
function hooks(guard: ReturnType<typeof createAiSdkGuard>) {
  return {
    stopWhen: [guard.stopWhen as never, stepCountIs(10)],
    prepareStep: guard.prepareStep as never,
  };
}

async function loop(script: ScriptStep[], options: Omit<AiSdkGuardOptions, 'policy'>, streaming = false) {
  const scripted = scriptedModel(script, MockLanguageModelV4);
  const guard = createAiSdkGuard({ policy, sender: 'clerk', ...options });
  const { ran, tools } = desk();
  const settings = { model: scripted.model, tools: guard.tools(tools as never) as typeof tools, ...hooks(guard), prompt: 'Process the refunds.' };
  if (streaming) {
    const result = streamText(settings);
    const kinds: string[] = [];
    for await (const part of result.fullStream) kinds.push(part.type);
    return { ran, guard, prompts: scripted.prompts, text: await result.text, kinds };
  }
  const result = await generateText(settings);
  return { ran, guard, prompts: scripted.prompts, text: result.text, kinds: [] };
}

describe('createAiSdkGuard under ai@7', () => {
  it("type-checks against ai@7's declarations (a user on ai@7 compiles the adapter's types against theirs)", () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const project = fileURLToPath(new URL('../tsconfig.ai7.json', import.meta.url));
    const checked = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8', timeout: 120_000 });
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.status).toBe(0);
  }, 150_000);

  it('generateText: runs a small refund, asks before a large one, and runs an edit with its arguments', async () => {
    const approvals = person([{ kind: 'edit', args: { amount: 90 }, by: 'dana' }]);
    const run = await loop(refunds, { channel: approvals });
    expect(run.ran).toEqual([
      ['refund', { amount: 90 }],
      ['refund', { amount: 40 }],
    ]);
    expect(approvals.asked[0]).toMatchObject({ prompt: 'clerk wants to refund more than 100. Approve?', tool: { name: 'refund', args: { amount: 250 }, callId: 'call_1' } });
    expect(toolResults(run.prompts, 1)).toEqual(['refunded 90']);
    expect(run.text).toBe('All refunds done.');
  });

  it('generateText: a refused call never runs and the model reads why; a stop ends the loop and runs no call of its step', async () => {
    const refused = await loop(refunds, { channel: person([{ kind: 'reject', message: 'not eligible' }]) });
    expect(refused.ran).toEqual([['refund', { amount: 40 }]]);
    expect(toolResults(refused.prompts, 1)).toEqual([expect.stringContaining('Refused by a person: not eligible.')]);

    const stopped = await loop([{ calls: [{ id: 'call_1', name: 'refund', args: { amount: 20 } }, { id: 'call_2', name: 'delete_account', args: {} }] }, 'never asked'], { channel: person([]) });
    expect(stopped.ran).toEqual([]);
    expect(stopped.guard.stopped?.reason).toBe('accounts are never deleted');
    expect(stopped.prompts).toHaveLength(1);
  });

  it('streamText: decides each call once its arguments are complete; an edit the policy stops runs nothing', async () => {
    const approved = await loop(refunds, { channel: person([{ kind: 'approve' }]) }, true);
    expect(approved.ran).toEqual([
      ['refund', { amount: 250 }],
      ['refund', { amount: 40 }],
    ]);
    expect(approved.kinds).toContain('tool-input-delta');
    const edited = await loop(refunds, { channel: person([{ kind: 'edit', args: { amount: 5000 } }]) }, true);
    expect(edited.ran).toEqual([]);
    expect(edited.guard.stopped?.reason).toBe('the edited call was stopped: refunds over 1000 are never made');
  });

  it("ai@7's call-level toolApproval, which the SDK asks instead of needsApproval, runs nothing the policy did not decide", async () => {
    const scripted = scriptedModel([{ calls: [{ id: 'call_1', name: 'refund', args: { amount: 250 } }] }, 'Done.'], MockLanguageModelV4);
    const approvals = person([]);
    const guard = createAiSdkGuard({ policy, channel: approvals });
    const { ran, tools } = desk();
    await generateText({ model: scripted.model, tools: guard.tools(tools as never) as typeof tools, ...hooks(guard), toolApproval: { refund: 'approved' }, prompt: 'Refund 250.' });
    expect(ran).toEqual([]);
    expect(approvals.asked).toEqual([]);
    expect(toolResults(scripted.prompts, 1)).toEqual(['This call did not run: the policy did not decide it.']);
  });

  it('stops when nobody answers in time (else stop)', async () => {
    const run = await loop(refunds, { channel: person(['never']) });
    expect(run.ran).toEqual([]);
    expect(run.guard.stopped?.reason).toBe('large refund; nobody answered');
  });

  it("a question that waits is ai@7's tool-approval-request; answer() resumes it from the history and the call runs once", async () => {
    const store = new MemoryRunStore();
    const run = await DurableRun.open(store, 'refund-7');
    const guard = createAiSdkGuard({ policy, sender: 'clerk', run, wait: 'suspend' });
    const scripted = scriptedModel([...refunds], MockLanguageModelV4);
    const { ran, tools } = desk();
    const messages: ModelMessage[] = [{ role: 'user', content: 'Process the refunds.' }];
    const call = async () => {
      const result = await generateText({ model: scripted.model, tools: guard.tools(tools as never) as typeof tools, ...hooks(guard), messages });
      messages.push(...result.response.messages);
      return result;
    };
    const first = await call();
    expect(first.content.filter((part) => part.type === 'tool-approval-request')).toMatchObject([{ toolCall: { toolCallId: 'call_1', toolName: 'refund', input: { amount: 250 } } }]);
    expect(ran).toEqual([]);
    const paused = guard.paused(messages as never);
    expect(paused).toMatchObject([{ kind: 'tool', toolCallId: 'call_1' }]);
    const approvalId = paused[0]!.kind === 'tool' ? paused[0]!.approvalId : '';
    messages.push(...((await guard.answer(paused, { [approvalId]: { kind: 'approve', by: 'dana', at: new Date().toISOString() } })) as ModelMessage[]));
    const second = await call();
    expect(second.text).toBe('All refunds done.');
    expect(ran).toEqual([
      ['refund', { amount: 250 }],
      ['refund', { amount: 40 }],
    ]);
    await run.close();
  });
});
