// The group chat example on scripted models: the tool call goes to the worker, the manager's
// model picks the rest, the approver's person is asked only about drafts.
import { ScriptedIO, startScriptedModels } from '@handrail/core/testing';
import { expect, test } from 'vitest';
import { runGroupChat } from '../src/demo.js';
import { humanAnswers, scripts, task } from '../src/script.js';

test('research, tool, draft, review, approval: the speakers, the decisions and the end', async () => {
  const local = await startScriptedModels(scripts);
  try {
    const io = new ScriptedIO(humanAnswers);
    const result = await runGroupChat({ models: local.models, io });
    expect(io.printed.filter((text) => text.startsWith('Next speaker'))).toEqual(
      ['researcher', 'worker', 'researcher', 'writer', 'approver', 'writer', 'approver'].map((name) => `Next speaker: ${name}`),
    );
    expect(io.printed.filter((text) => text.startsWith('[handrail]'))).toEqual([
      "[handrail] never: continue on researcher's message via chat_manager (no rule matched)",
      "[handrail] approver: escalate on writer's message via chat_manager (rule approval: the writer asks for approval; no input means continue)",
      "[handrail] approver: escalate on writer's message via chat_manager (rule approval: the writer asks for approval; no input means continue)",
    ]);
    expect(io.prompts).toEqual([
      "The writer asks for approval. Press enter to approve the draft, type changes, or type 'exit' to stop: ",
      "The writer asks for approval. Press enter to approve the draft, type changes, or type 'exit' to stop: ",
    ]);
    expect(result.chatHistory.map((m) => m.name)).toEqual(['approver', 'researcher', 'worker', 'researcher', 'writer', 'approver', 'writer', 'approver']);
    expect(result.chatHistory[0]!.content).toBe(task);
    expect(result.chatHistory[2]!.content).toContain('federal grant covers up to 70%');
    expect(result.chatHistory.at(-1)!.content).toBe('TERMINATE');
    expect(result.ended).toMatchObject({ cause: 'termination', agent: 'chat_manager' });
    const approval = result.events.find((event) => event.type === 'decision-made' && event.agent === 'approver');
    expect(approval).toMatchObject({ sender: 'chat_manager', author: 'writer', turn: { role: 'assistant', sender: 'chat_manager' } });
    expect(Object.values(local.servers).map((server) => server.remaining)).toEqual([0, 0, 0]);
  } finally {
    await local.close();
  }
});
