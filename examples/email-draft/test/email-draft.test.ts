// The email example on its scripted writer: the person is asked before every reply.
import { ScriptedIO, startScriptedModels } from '@handrail/core/testing';
import { expect, test } from 'vitest';
import { runEmailDraft } from '../src/demo.js';
import { humanAnswers, task, writerScript } from '../src/script.js';

const rule = '-'.repeat(80);
const promptA = "Replying as user. Provide feedback to writer. Press enter to skip and use auto-reply, or type 'exit' to end the conversation: ";
const decision = "[handrail] always: escalate on writer's message (rule ask: human input mode ALWAYS; no input means continue)";

test('every draft is shown to the person, whose feedback is the next message; exit ends it', async () => {
  const local = await startScriptedModels({ writer: writerScript });
  try {
    const io = new ScriptedIO(humanAnswers);
    const result = await runEmailDraft({ model: local.models.writer, io });
    expect(io.transcript).toEqual([
      { type: 'print', text: `user (to writer):\n\n${task}\n\n${rule}` },
      { type: 'print', text: `writer (to user):\n\n${writerScript[0]}\n\n${rule}` },
      { type: 'print', text: decision },
      { type: 'input', prompt: promptA, answer: humanAnswers[0] },
      { type: 'print', text: `user (to writer):\n\n${humanAnswers[0]}\n\n${rule}` },
      { type: 'print', text: `writer (to user):\n\n${writerScript[1]}\n\n${rule}` },
      { type: 'print', text: decision },
      { type: 'input', prompt: promptA, answer: 'exit' },
    ]);
    expect(result.ended).toMatchObject({ cause: 'exit', agent: 'user' });
    expect(result.summary).toBe(writerScript[1]);
    expect(local.servers.writer.requests[1]!.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
  } finally {
    await local.close();
  }
});
