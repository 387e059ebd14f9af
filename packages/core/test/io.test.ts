// Where agents print and ask when they were given no io: the scoped default, then the process default.
import { expect, test } from 'vitest';
import { callbackIO, ConversableAgent, getDefaultIO, runWithIO, setDefaultIO, UserProxyAgent } from '../src/index.js';
import { ScriptedIO } from '../src/testing/index.js';

test('runWithIO scopes the default io to everything the body awaits; setDefaultIO sets the process default', async () => {
  const scoped = new ScriptedIO(['exit']);
  const processWide = new ScriptedIO();
  const previous = setDefaultIO(processWide);
  try {
    const alice = new ConversableAgent('alice', { humanInputMode: 'NEVER', maxConsecutiveAutoReply: 0 });
    const bob = new UserProxyAgent('bob', { codeExecutionConfig: false });
    await runWithIO(scoped, () => alice.initiateChat(bob, { message: 'hi' }));
    expect(scoped.transcript.map((entry) => entry.type)).toEqual(['print', 'input']);
    expect(processWide.transcript).toEqual([]);
    expect(getDefaultIO()).toBe(processWide);
    alice.print('outside');
    expect(processWide.printed).toEqual(['outside']);
  } finally {
    setDefaultIO(previous);
  }
});

test('callbackIO answers with a function, sync or async', async () => {
  const printed: string[] = [];
  const io = callbackIO(async (prompt) => (prompt.startsWith('Replying') ? 'exit' : ''), (text) => printed.push(text));
  const alice = new ConversableAgent('alice', { humanInputMode: 'NEVER', io });
  const bob = new UserProxyAgent('bob', { codeExecutionConfig: false, io });
  const result = await alice.initiateChat(bob, { message: 'hi' });
  expect(result.humanInputs).toEqual(['exit']);
  expect(printed).toHaveLength(1);
});
