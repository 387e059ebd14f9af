// The refund desk: a clerk agent of the OpenAI Agents SDK whose tools are guarded by
// refunds.policy. A large refund pauses the run on a question in the store; the run is saved as
// plain JSON and resumed — here in the same program, as another process would — once a person
// has answered.
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { Agent, OpenAIChatCompletionsModel, run, tool, type Model } from '@openai/agents';
import { answerApproval, type RunStore } from '@handrail/core';
import { compilePolicy } from '@handrail/policy';
import { createAgentsGuard, stopOf, type PausedRun } from '@handrail/adapters/openai-agents';

export const policy = compilePolicy(readFileSync(new URL('../refunds.policy', import.meta.url), 'utf8'), { file: 'refunds.policy' });

/** A model on an OpenAI-compatible endpoint, through the Chat Completions API. */
export function chatModel(baseURL: string | undefined, name: string): Model {
  return new OpenAIChatCompletionsModel(new OpenAI({ ...(baseURL ? { baseURL } : {}), apiKey: process.env.OPENAI_API_KEY ?? 'offline' }) as never, name);
}

/** The clerk, rebuilt the same way by every process that runs or resumes it. */
export function clerk(store: RunStore, model: Model, refunds: Array<{ order: string; amount: number }>) {
  const guard = createAgentsGuard({ policy, store, sender: 'clerk' });
  const refund = tool({
    name: 'refund',
    description: 'Refund an order, in EUR',
    parameters: { type: 'object', properties: { order: { type: 'string' }, amount: { type: 'number' } }, required: ['order', 'amount'], additionalProperties: false },
    execute: async (args: unknown) => {
      const { order, amount } = args as { order: string; amount: number };
      refunds.push({ order, amount });
      return `refunded ${amount} EUR on ${order}`;
    },
  });
  const agent = new Agent({ name: 'clerk', instructions: 'You refund the orders the customer names, with the refund tool.', model, tools: guard.tools([refund]) });
  return { guard, agent };
}

export interface DeskOptions {
  store: RunStore;
  model: Model;
  /** The person: given each question the run paused on, answers it in the store (as the approval page would). */
  person: (question: PausedRun['questions'][number]) => Promise<Parameters<typeof answerApproval>[2]>;
  log: (line: string) => void;
}

/** Runs the clerk until it pauses, answers in the store, resumes from the saved JSON, and returns what happened. */
export async function runDesk({ store, model, person, log }: DeskOptions) {
  const refunds: Array<{ order: string; amount: number }> = [];
  const first = clerk(store, model, refunds);
  const result = await run(first.agent, 'Refund order A-1001 (40 EUR) and order A-1002 (250 EUR).');
  if (result.interruptions.length === 0) return { final: result.finalOutput, refunds };
  const saved = JSON.stringify(first.guard.pause(result));
  await first.guard.close();
  log(`paused: ${saved.length} bytes of JSON; refunded so far: ${refunds.map((refund) => `${refund.order} ${refund.amount} EUR`).join(', ') || 'nothing'}`);

  const paused = JSON.parse(saved) as PausedRun;
  for (const question of paused.questions) {
    log(`asked: ${question.pending.request.prompt} ${JSON.stringify(question.pending.request.tool?.args)}`);
    const answer = await person(question);
    await answerApproval(store, question.pending.request.id, answer, { channel: 'web' });
    const by = 'by' in answer && answer.by ? ` by ${answer.by}` : '';
    log(`answered: ${answer.kind}${by}`);
  }

  // What another process does with the saved JSON: the same agent, a guard on the same store.
  const second = clerk(store, model, refunds);
  try {
    const next = await second.guard.resume(second.agent, paused);
    if (next.kind !== 'run') return { stopped: next.kind === 'stop' ? next.reason : 'waiting for a person', refunds };
    const resumed = await run(second.agent, next.state);
    return { final: resumed.finalOutput, refunds };
  } catch (error) {
    const stop = stopOf(error);
    if (!stop) throw error;
    return { stopped: stop.reason, refunds };
  } finally {
    await second.guard.close();
  }
}
