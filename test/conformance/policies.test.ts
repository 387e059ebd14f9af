// The mapping from a policy's decision to what the agent does: modes are presets, and any
// compiled policy takes their place.
import { afterEach, describe, expect, test } from 'vitest';
import { ask, autoReply, closeServers, noInput, promptS, said, servedModel, twoAgentChat } from './helpers.js';
import { AssistantAgent, compilePolicy, ConversableAgent, presetPolicy, ScriptedIO, UserProxyAgent } from './runtime.js';

afterEach(closeServers);

const u = (content: string) => said('user', 'assistant', content);
const a = (content: string) => said('assistant', 'user', content);

describe('modes are presets', () => {
  test.each([
    ['ALWAYS', 'always'],
    ['NEVER', 'never'],
    ['TERMINATE', 'terminate'],
  ] as const)('humanInputMode %s is the preset policy %s', (mode, preset) => {
    expect(new UserProxyAgent('user', { humanInputMode: mode }).policy).toBe(presetPolicy(preset));
  });

  test('the defaults: a proxy asks ALWAYS, an assistant NEVER, a plain agent TERMINATE', () => {
    expect(new UserProxyAgent('u').policy.name).toBe('always');
    expect(new AssistantAgent('a').policy.name).toBe('never');
    expect(new ConversableAgent('c').policy.name).toBe('terminate');
  });

  test('a policy with `mode terminate` behaves as the mode, and its own rules add to it', async () => {
    const policy = compilePolicy(`policy review
mode terminate
rule review: when content contains "NEEDS_REVIEW" then escalate "the agent asked for review" else continue`);
    const { io, result } = await twoAgentChat({
      mode: 'TERMINATE',
      replies: ['a1', 'NEEDS_REVIEW: totals differ', 'a3', 'TERMINATE'],
      answers: ['', ''],
      user: { policy },
    });
    expect(io.transcript).toEqual([
      u('task'),
      a('a1'),
      autoReply,
      u(''),
      a('NEEDS_REVIEW: totals differ'),
      ask("the agent asked for review. Please give feedback to assistant. Press enter to skip and use auto-reply, or type 'exit' to stop the conversation: ", ''),
      noInput,
      autoReply,
      u(''),
      a('a3'),
      autoReply,
      u(''),
      a('TERMINATE'),
      ask(promptS('assistant'), ''),
      noInput,
    ]);
    const rules = result.events.flatMap((event) => (event.type === 'decision-made' && event.agent === 'user' ? [event.decision.rule] : []));
    expect(rules).toEqual([null, 'review', null, 'terminate.ask_on_termination']);
  });

  test("a policy's `max auto_replies` is the limit unless the agent sets one", () => {
    const policy = compilePolicy('policy short\nmode never\nmax auto_replies 3');
    expect(new UserProxyAgent('u', { policy }).maxConsecutiveAutoReply()).toBe(3);
    expect(new UserProxyAgent('u', { policy, maxConsecutiveAutoReply: 7 }).maxConsecutiveAutoReply()).toBe(7);
  });
});

describe('decisions', () => {
  test('continue with a fixed reply sends it instead of the auto-reply', async () => {
    const policy = compilePolicy(`policy nudge
mode never
rule nudge: when content ends with "?" then continue with "Decide yourself, please."`);
    const { io } = await twoAgentChat({ mode: 'NEVER', limit: 2, replies: ['Shall I?', 'a2', 'a3'], user: { policy } });
    expect(io.transcript).toEqual([u('task'), a('Shall I?'), u('Decide yourself, please.'), a('a2'), u(''), a('a3')]);
  });

  test('reset auto_replies resets the counter before acting', async () => {
    const policy = compilePolicy(`policy progress
mode terminate
rule progress: when content contains "progress" then continue and reset auto_replies`);
    const { io } = await twoAgentChat({ mode: 'TERMINATE', limit: 2, replies: ['a1', 'progress made', 'a3', 'a4'], answers: ['exit'], user: { policy } });
    expect(io.prompts).toHaveLength(1);
    expect(io.transcript.slice(-2)).toEqual([a('a4'), ask("Please give feedback to assistant. Press enter to skip and use auto-reply, or type 'exit' to stop the conversation: ", 'exit')]);
  });

  test('stop from a rule ends the chat with its rule and reason, no note', async () => {
    const policy = compilePolicy(`policy guard
mode terminate
rule production: when content contains "production" ignoring case then stop "touches production"`);
    const { io, result } = await twoAgentChat({ mode: 'TERMINATE', replies: ['Deploying to Production now'], user: { policy } });
    expect(io.transcript).toEqual([u('task'), a('Deploying to Production now')]);
    expect(result.ended).toMatchObject({ cause: 'stop', agent: 'user', rule: 'production', reason: 'touches production' });
  });

  test('a timeout counts as no input, and the policy says what that means', async () => {
    const policy = compilePolicy(`policy approval
rule approve: when content contains "approve" then escalate "approval needed" timeout 30ms else stop`);
    const { io, result } = await twoAgentChat({ mode: 'TERMINATE', replies: ['please approve'], answers: [{ silence: true }], user: { policy } });
    expect(io.transcript).toEqual([
      u('task'),
      a('please approve'),
      { type: 'input', prompt: "approval needed. Please give feedback to assistant. Press enter or type 'exit' to stop the conversation: ", answer: '', timedOut: true },
      noInput,
    ]);
    expect(result.ended).toMatchObject({ cause: 'no-input', rule: 'approve' });
    expect(result.events.find((event) => event.type === 'human-input-received')).toMatchObject({ timedOut: true, answer: '' });
  });

  test('an answer in time beats the timeout', async () => {
    const policy = compilePolicy(`policy approval
mode terminate
rule approve: when content contains "approve" then escalate "approval needed" timeout 5s else stop`);
    const { result } = await twoAgentChat({ mode: 'TERMINATE', replies: ['please approve', 'TERMINATE'], answers: [{ text: 'approved', delayMs: 10 }, 'exit'], user: { policy } });
    expect(result.humanInputs).toEqual(['approved', 'exit']);
  });

  test('an escalation names its channel; the agent asks there', async () => {
    const policy = compilePolicy(`policy finance
mode terminate
rule refund: when content contains "refund" then escalate "refund needs finance" via finance else stop`);
    const finance = new ScriptedIO(['approved']);
    const { io } = await twoAgentChat({ mode: 'TERMINATE', replies: ['refund 40 EUR', 'TERMINATE'], answers: ['exit'], user: { policy, channels: { finance } } });
    expect(finance.transcript).toEqual([ask("refund needs finance. Please give feedback to assistant. Press enter or type 'exit' to stop the conversation: ", 'approved')]);
    expect(io.printed).toContain(u('approved').text);
  });

  test('a custom getHumanInput answers instead of the io (sync or async)', async () => {
    const io = new ScriptedIO();
    const { model } = await servedModel(['a1', 'a2']);
    const asked: string[] = [];
    const assistant = new AssistantAgent('assistant', { model, io });
    const user = new UserProxyAgent('user', {
      codeExecutionConfig: false,
      io,
      getHumanInput: (prompt) => {
        asked.push(prompt);
        return asked.length === 1 ? 'shorter' : 'exit';
      },
    });
    const result = await user.initiateChat(assistant, { message: 'task' });
    expect(asked).toHaveLength(2);
    expect(result.humanInputs).toEqual(['shorter', 'exit']);
    expect(io.prompts).toEqual([]);
  });

  test('a subclass may override getHumanInput, as AutoGen subclasses override get_human_input', async () => {
    class Reviewer extends UserProxyAgent {
      override async getHumanInput(): Promise<string> {
        return 'exit';
      }
    }
    const io = new ScriptedIO();
    const { model } = await servedModel(['a1']);
    const result = await new Reviewer('user', { codeExecutionConfig: false, io }).initiateChat(new AssistantAgent('assistant', { model, io }), { message: 'task' });
    expect(result.ended.cause).toBe('exit');
  });

  test('when deciding fails, the agent asks (never continues); NEVER agents stop', async () => {
    const policy = compilePolicy(`policy budget
fact budget: number
rule over: when budget > 100 then escalate "over budget"`);
    const asking = await twoAgentChat({ mode: 'TERMINATE', replies: ['a1'], answers: [''], user: { policy } });
    const decision = asking.result.events.find((event) => event.type === 'decision-made' && event.agent === 'user');
    expect(decision).toMatchObject({ decision: { action: 'escalate', onNoInput: 'stop', error: { code: 'MISSING_FACT' } } });
    expect(asking.result.ended.cause).toBe('no-input');
    const never = await twoAgentChat({ mode: 'NEVER', replies: ['a1'], user: { policy, humanInputMode: 'NEVER' } });
    expect(never.result.ended).toMatchObject({ cause: 'stop', rule: null });
    expect(never.io.prompts).toEqual([]);
  });

  test('custom facts given by the host reach the policy', async () => {
    const policy = compilePolicy(`policy budget
mode never
fact spent: number
rule over: when spent > 100 then stop "over budget"`);
    let spent = 0;
    const { result } = await twoAgentChat({ mode: 'NEVER', replies: ['a1', 'a2', 'a3'], user: { policy, facts: { spent: () => (spent += 60) } } });
    expect(result.ended).toMatchObject({ cause: 'stop', rule: 'over', reason: 'over budget' });
    expect(result.chatHistory.map((m) => m.content)).toEqual(['task', 'a1', '', 'a2']);
  });

  test('the turn carries elapsed time and the tokens used so far, for budget rules', async () => {
    const policy = compilePolicy(`policy budget
mode never
rule tokens: when tokens.completion >= 6 then stop "token budget spent"`);
    const { result } = await twoAgentChat({ mode: 'NEVER', replies: ['one two three', 'four five six', 'seven'], user: { policy } });
    expect(result.ended).toMatchObject({ cause: 'stop', rule: 'tokens', reason: 'token budget spent' });
    const turns = result.events.flatMap((event) => (event.type === 'decision-made' && event.agent === 'user' ? [event.turn] : []));
    expect(turns.map((turn) => turn.tokens?.completion)).toEqual([3, 6]);
    expect(turns.every((turn) => typeof turn.elapsedMs === 'number' && turn.elapsedMs >= 0)).toBe(true);
  });
});
