// A refund run for the channel tests: an assistant (scripted model) proposes `refund`, a proxy
// whose policy escalates refunds over 100 asks an approval channel, then runs the tool or not.
import { compilePolicy } from '@handrail/policy';
import { AssistantAgent, UserProxyAgent, type ApprovalChannel, type ChatResult, type ConversableAgentOptions, type HumanIO } from '../../src/index.js';
import { ScriptedIO, ScriptedModel, type ScriptedReply } from '../../src/testing/index.js';

export const secret = 'whsec_test_0123456789abcdef';

/** Escalates refunds over 100; `else` and the timeout are the test's. */
export function refundPolicy(options: { timeout?: string; onNoInput?: 'stop' | 'continue' | 'reply'; via?: string } = {}) {
  const extras = [options.via ? `via ${options.via}` : '', options.timeout ? `timeout ${options.timeout}` : '', `else ${options.onNoInput ?? 'stop'}`].filter(Boolean).join(' ');
  return compilePolicy(
    `policy refunds
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "refund over 100" ${extras} prompt "{sender} wants to refund. Approve?"
rule done: when content == "TERMINATE" then stop "finished"
default continue
`,
    { file: 'refunds.policy' },
  );
}

export interface RefundRun {
  result: ChatResult;
  io: ScriptedIO;
  refunds: Array<Record<string, unknown>>;
  model: ScriptedModel;
}

/** One run: the assistant asks to refund `amount` (order `order`), then says TERMINATE. */
export async function refundRun(options: {
  channel?: ApprovalChannel;
  channels?: Record<string, HumanIO | ApprovalChannel>;
  amount?: number;
  order?: string;
  policy?: ReturnType<typeof refundPolicy>;
  io?: ScriptedIO;
  replies?: ScriptedReply[];
  user?: ConversableAgentOptions;
}): Promise<RefundRun> {
  const refunds: Array<Record<string, unknown>> = [];
  const io = options.io ?? new ScriptedIO();
  const model = new ScriptedModel(options.replies ?? [{ toolCalls: [{ name: 'refund', arguments: { order: options.order ?? 'A-7', amount: options.amount ?? 250 } }] }, 'TERMINATE']);
  const assistant = new AssistantAgent('assistant', { model, io });
  const user = new UserProxyAgent('user', {
    policy: options.policy ?? refundPolicy(),
    codeExecutionConfig: false,
    io,
    ...(options.channel ? { approvalChannel: options.channel } : {}),
    ...(options.channels ? { channels: options.channels } : {}),
    functionMap: {
      refund: (args) => {
        refunds.push(args);
        return { refunded: args.amount, order: args.order };
      },
    },
    ...options.user,
  });
  const result = await user.initiateChat(assistant, { message: `Refund order ${options.order ?? 'A-7'}.` });
  return { result, io, refunds, model };
}
