// The adaptive proxy example on its scripted operator: a person is brought in by a sensitive
// word and by the checkpoint, and otherwise the operator works on its own.
import { ScriptedIO, startScriptedModels } from '@handrail/core/testing';
import { expect, test } from 'vitest';
import { runAdaptive } from '../src/demo.js';
import { humanAnswers, operatorScript } from '../src/script.js';

test('a sensitive word and every fifth auto-reply bring in a person; the rest runs by itself', async () => {
  const local = await startScriptedModels({ operator: operatorScript });
  try {
    const io = new ScriptedIO(humanAnswers);
    const result = await runAdaptive({ model: local.models.operator, io });
    const continued = "[handrail] adaptive: continue on operator's message (no rule matched)";
    expect(io.printed.filter((text) => text.startsWith('[handrail]'))).toEqual([
      continued,
      continued,
      "[handrail] adaptive: escalate on operator's message (rule sensitive_keyword: sensitive keyword; no input means stop)",
      continued,
      continued,
      continued,
      continued,
      continued,
      "[handrail] adaptive: escalate on operator's message (rule checkpoint: checkpoint every 5 auto-replies; no input means continue)",
      "[handrail] adaptive: escalate on operator's message (rule terminate.ask_on_termination: termination message; no input means stop)",
    ]);
    expect(io.transcript.filter((entry) => entry.type === 'input')).toEqual([
      { type: 'input', prompt: "sensitive keyword. Please give feedback to operator. Press enter or type 'exit' to stop the conversation: ", answer: humanAnswers[0] },
      { type: 'input', prompt: "checkpoint every 5 auto-replies. Please give feedback to operator. Press enter to skip and use auto-reply, or type 'exit' to stop the conversation: ", answer: '' },
      { type: 'input', prompt: "Please give feedback to operator. Press enter or type 'exit' to stop the conversation: ", answer: '' },
    ]);
    const checkpoint = result.events.find((event) => event.type === 'human-input-requested' && event.prompt.startsWith('checkpoint'));
    expect(checkpoint).toMatchObject({ timeoutMs: 15 * 60_000 });
    expect(result.ended).toMatchObject({ cause: 'no-input', agent: 'admin' });
    expect(local.servers.operator.remaining).toBe(0);
  } finally {
    await local.close();
  }
});
