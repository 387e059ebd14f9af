// Group chat (AUTOGEN.md "Group chat"): append, broadcast to all but the speaker, the manager's
// termination test, maxRound, speaker selection, and the ways a group chat ends.
import { afterEach, describe, expect, test } from 'vitest';
import { ask, autoReply, closeServers, noInput, note, promptA, said, servedModel } from './helpers.js';
import { AssistantAgent, GroupChat, GroupChatManager, manualSelectionPrompt, ScriptedIO, UserProxyAgent, type ConversableAgentOptions, type GroupChatOptions } from './runtime.js';

afterEach(closeServers);

const next = (name: string) => note(`Next speaker: ${name}`);
const toManager = (speaker: string, content: string) => said(speaker, 'chat_manager', content);

async function team(options: { user?: ConversableAgentOptions; coder: string[]; critic: string[]; answers?: string[]; group?: Partial<GroupChatOptions>; manager?: string[] }) {
  const io = new ScriptedIO(options.answers ?? []);
  const user = new UserProxyAgent('user', { codeExecutionConfig: false, io, ...options.user });
  const coder = new AssistantAgent('coder', { model: (await servedModel(options.coder)).model, io, description: 'Writes the code.' });
  const critic = new AssistantAgent('critic', { model: (await servedModel(options.critic)).model, io, description: 'Reviews the code.' });
  const groupChat = new GroupChat({ agents: [user, coder, critic], speakerSelectionMethod: 'round_robin', ...options.group });
  const managerModel = options.manager ? await servedModel(options.manager) : undefined;
  const manager = new GroupChatManager(groupChat, { io, ...(managerModel ? { model: managerModel.model } : {}) });
  return { io, user, coder, critic, groupChat, manager, managerServer: managerModel?.server };
}

describe('group chat', () => {
  test('example: round robin over [user (ALWAYS), coder, critic], maxRound 6; human "fix it" → six messages', async () => {
    const { io, user, coder, groupChat, manager } = await team({ coder: ['c1', 'c2'], critic: ['k1', 'k2'], answers: ['fix it'], group: { maxRound: 6 } });
    const result = await user.initiateChat(manager, { message: 'task' });
    expect(io.transcript).toEqual([
      toManager('user', 'task'),
      next('coder'),
      toManager('coder', 'c1'),
      next('critic'),
      toManager('critic', 'k1'),
      next('user'),
      ask(promptA('user', 'chat_manager'), 'fix it'),
      toManager('user', 'fix it'),
      next('coder'),
      toManager('coder', 'c2'),
      next('critic'),
      toManager('critic', 'k2'),
    ]);
    expect(groupChat.messages.map((m) => [m.name, m.content])).toEqual([
      ['user', 'task'],
      ['coder', 'c1'],
      ['critic', 'k1'],
      ['user', 'fix it'],
      ['coder', 'c2'],
      ['critic', 'k2'],
    ]);
    expect(result.ended).toMatchObject({ cause: 'max-round', agent: 'chat_manager', reason: 'Maximum rounds (6) reached' });
    // The initiator holds every message: its own and the broadcasts.
    expect(result.chatHistory.map((m) => m.content)).toEqual(['task', 'c1', 'k1', 'fix it', 'c2', 'k2']);
    // Each speaker sees the others' messages, named, and its own as the assistant.
    expect(coder.chatMessagesWith(manager).map((m) => [m.role, m.name, m.content])).toEqual([
      ['user', 'user', 'task'],
      ['assistant', 'coder', 'c1'],
      ['user', 'critic', 'k1'],
      ['user', 'user', 'fix it'],
      ['assistant', 'coder', 'c2'],
      ['user', 'critic', 'k2'],
    ]);
  });

  test('exit from the ALWAYS proxy ends the whole group chat', async () => {
    const { io, user, manager } = await team({ coder: ['c1'], critic: ['k1'], answers: ['exit'] });
    const result = await user.initiateChat(manager, { message: 'task' });
    expect(io.transcript).toEqual([
      toManager('user', 'task'),
      next('coder'),
      toManager('coder', 'c1'),
      next('critic'),
      toManager('critic', 'k1'),
      next('user'),
      ask(promptA('user', 'chat_manager'), 'exit'),
    ]);
    expect(result.ended).toMatchObject({ cause: 'exit', agent: 'user' });
  });

  test('Enter lets the ALWAYS proxy auto-reply in the group', async () => {
    const { io, user, manager } = await team({ coder: ['c1', 'c2'], critic: ['k1'], answers: [''], group: { maxRound: 5 } });
    await user.initiateChat(manager, { message: 'task' });
    expect(io.transcript.slice(5)).toEqual([next('user'), ask(promptA('user', 'chat_manager'), ''), noInput, autoReply, toManager('user', ''), next('coder'), toManager('coder', 'c2')]);
  });

  test("a NEVER proxy's limit counts its auto-replies over the whole group chat (keyed by the manager)", async () => {
    const { io, user, manager } = await team({
      user: { humanInputMode: 'NEVER', maxConsecutiveAutoReply: 1, defaultAutoReply: 'carry on' },
      coder: ['c1', 'c2'],
      critic: ['k1', 'k2'],
      group: { maxRound: 20 },
    });
    const result = await user.initiateChat(manager, { message: 'task' });
    expect(io.printed).toEqual([
      toManager('user', 'task').text,
      next('coder').text,
      toManager('coder', 'c1').text,
      next('critic').text,
      toManager('critic', 'k1').text,
      next('user').text,
      toManager('user', 'carry on').text,
      next('coder').text,
      toManager('coder', 'c2').text,
      next('critic').text,
      toManager('critic', 'k2').text,
      next('user').text,
    ]);
    expect(result.ended).toMatchObject({ cause: 'stop', agent: 'user', rule: 'limit_reached' });
    expect(user.consecutiveAutoReplyCount(manager)).toBe(0);
  });

  test("the manager's termination test ends the chat; no one is asked", async () => {
    const { io, user, manager } = await team({ coder: ['TERMINATE'], critic: [] });
    const result = await user.initiateChat(manager, { message: 'task' });
    expect(io.transcript).toEqual([toManager('user', 'task'), next('coder'), toManager('coder', 'TERMINATE')]);
    expect(result.ended).toMatchObject({ cause: 'termination', agent: 'chat_manager' });
  });

  test('maxRound counts the first message: maxRound 1 is the task alone', async () => {
    const { io, user, manager } = await team({ coder: [], critic: [], group: { maxRound: 1 } });
    const result = await user.initiateChat(manager, { message: 'task' });
    expect(io.transcript).toEqual([toManager('user', 'task')]);
    expect(result.ended.cause).toBe('max-round');
  });

  test('a second group chat starts afresh', async () => {
    const { user, manager, groupChat } = await team({ user: { humanInputMode: 'NEVER', maxConsecutiveAutoReply: 1 }, coder: ['c1', 'c2'], critic: ['k1', 'k2'], group: { maxRound: 3 } });
    await user.initiateChat(manager, { message: 'first' });
    const result = await user.initiateChat(manager, { message: 'second' });
    expect(groupChat.messages.map((m) => m.content)).toEqual(['second', 'c2', 'k2']);
    expect(result.chatHistory.map((m) => m.content)).toEqual(['second', 'c2', 'k2']);
  });
});

describe('speaker selection', () => {
  test('manual: the AutoGen list and prompt; two invalid entries, then the next agent in order', async () => {
    const { io, user, manager } = await team({
      user: { humanInputMode: 'NEVER', defaultAutoReply: 'noted' },
      coder: [],
      critic: ['k1'],
      answers: ['3', 'x', '9'],
      group: { speakerSelectionMethod: 'manual', maxRound: 3 },
    });
    await user.initiateChat(manager, { message: 'task' });
    const list = note('Please select the next speaker from the following list:\n1: user\n2: coder\n3: critic');
    expect(io.transcript).toEqual([
      toManager('user', 'task'),
      list,
      ask(manualSelectionPrompt, '3'),
      next('critic'),
      toManager('critic', 'k1'),
      list,
      ask(manualSelectionPrompt, 'x'),
      note('Invalid input. Please enter a number between 1 and 3.'),
      ask(manualSelectionPrompt, '9'),
      note('Invalid input. Please enter a number between 1 and 3.'),
      note('You have tried 3 times. The next speaker will be selected automatically.'),
      next('user'),
      toManager('user', 'noted'),
    ]);
    expect(manualSelectionPrompt).toBe('Enter the number of the next speaker (enter nothing or `q` to use auto selection): ');
  });

  test('manual: nothing or q selects automatically at once', async () => {
    const { io, user, manager } = await team({ user: { humanInputMode: 'NEVER' }, coder: ['c1'], critic: [], answers: ['q'], group: { speakerSelectionMethod: 'manual', maxRound: 2 } });
    await user.initiateChat(manager, { message: 'task' });
    expect(io.transcript.slice(2)).toEqual([ask(manualSelectionPrompt, 'q'), next('coder'), toManager('coder', 'c1')]);
  });

  test("auto: the manager's model names the next speaker; a reply naming no one clearly falls back to the next agent", async () => {
    const { io, user, manager, managerServer } = await team({
      user: { humanInputMode: 'NEVER' },
      coder: ['c1'],
      critic: ['k1'],
      group: { speakerSelectionMethod: 'auto', maxRound: 3 },
      manager: ['critic', 'I am not sure'],
    });
    await user.initiateChat(manager, { message: 'task' });
    expect(io.printed.filter((text) => text.startsWith('Next speaker'))).toEqual(['Next speaker: critic', 'Next speaker: user']);
    const request = managerServer!.requests[0]!.messages;
    expect(request[0]).toEqual({
      role: 'system',
      content: "You are in a role play game. The following roles are available:\nuser: " +
        'A computer terminal that performs no other action than running Python scripts (provided to it quoted in ```python code blocks), or sh shell scripts (provided to it quoted in ```sh code blocks).' +
        "\ncoder: Writes the code.\ncritic: Reviews the code..\nRead the following conversation.\nThen select the next role from ['user', 'coder', 'critic'] to play. Only return the role.",
    });
    expect(request.slice(1)).toEqual([
      { role: 'user', content: 'task', name: 'user' },
      { role: 'system', content: "Read the above conversation. Then select the next role from ['user', 'coder', 'critic'] to play. Only return the role." },
    ]);
  });

  test('auto needs a model', () => {
    const io = new ScriptedIO();
    const groupChat = new GroupChat({ agents: [new UserProxyAgent('a', { io }), new UserProxyAgent('b', { io })] });
    expect(() => new GroupChatManager(groupChat)).toThrow(/needs a model/);
  });

  test('random picks with the given source of randomness', async () => {
    const { io, user, manager } = await team({ user: { humanInputMode: 'NEVER' }, coder: [], critic: ['k1'], group: { speakerSelectionMethod: 'random', random: () => 0.99, maxRound: 2 } });
    await user.initiateChat(manager, { message: 'task' });
    expect(io.printed.slice(1)).toEqual([next('critic').text, toManager('critic', 'k1').text]);
  });

  test('a tool call is answered by the one agent that executes the tool', async () => {
    const io = new ScriptedIO();
    const worker = new UserProxyAgent('worker', { humanInputMode: 'NEVER', codeExecutionConfig: false, functionMap: { add: ({ a, b }) => Number(a) + Number(b) }, io });
    const planner = new AssistantAgent('planner', { model: (await servedModel([{ toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }, 'TERMINATE'])).model, io });
    const writer = new AssistantAgent('writer', { model: (await servedModel([])).model, io });
    const manager = new GroupChatManager(new GroupChat({ agents: [worker, planner, writer], speakerSelectionMethod: 'round_robin' }), { io });
    const result = await worker.initiateChat(manager, { message: 'add 2 and 3' });
    expect(io.printed.filter((text) => text.startsWith('Next speaker'))).toEqual(['Next speaker: planner', 'Next speaker: worker', 'Next speaker: planner']);
    expect(result.chatHistory.map((m) => m.content)).toEqual(['add 2 and 3', null, '5', 'TERMINATE']);
    expect(result.ended.cause).toBe('termination');
  });
});
