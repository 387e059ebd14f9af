// The MCP client's person as a Handrail channel: the question goes to the client as an
// elicitation form (approve / reject / reply / edit), and the form's answer is checked like any
// channel's answer before anything is recorded.
import { ChannelError, describeRequest, maxArgumentsLength, parseApprovalAnswer, timeoutAnswer, type ApprovalAnswer, type ApprovalChannel, type ApprovalRequest } from '@handrail/core';
import { maxTimerDelayMs } from '@handrail/policy';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { ElicitRequestFormParams, ElicitResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * @example
 * const channel = elicitationChannel(server, { name: 'client', signalOf: (request) => cancelled.get(request.tool?.callId ?? '') });
 */
export interface ElicitationChannelOptions {
  /** The channel's name (rules choose it with `via NAME`); `elicitation` by default. */
  name?: string;
  /** A signal that withdraws the question too, e.g. the cancellation of the MCP request that escalated. */
  signalOf?: (request: ApprovalRequest) => AbortSignal | undefined;
}

type FormSchema = ElicitRequestFormParams['requestedSchema'];

/** The form a person answers: what to do, a message or reply, and the edited arguments as JSON. */
function formOf(request: ApprovalRequest): FormSchema {
  const tool = request.tool;
  const current = tool ? JSON.stringify(tool.args) : undefined;
  const choices = [
    { const: 'approve', title: 'Approve' },
    { const: 'reject', title: 'Reject' },
    { const: 'reply', title: 'Answer in its place (the message is the result)' },
    ...(tool ? [{ const: 'edit', title: 'Approve with the edited arguments' }] : []),
  ];
  return {
    type: 'object',
    properties: {
      answer: { type: 'string', title: 'Answer', oneOf: choices },
      message: { type: 'string', title: 'Message', description: 'Why you reject it, or your answer in its place' },
      ...(tool
        ? {
            arguments: {
              type: 'string',
              title: 'Edited arguments (JSON object)',
              description: 'Used only when you approve with the edited arguments',
              maxLength: maxArgumentsLength,
              ...(current !== undefined && current.length <= maxArgumentsLength ? { default: current } : {}),
            },
          }
        : {}),
    },
    required: ['answer'],
  };
}

function editedArguments(text: unknown): unknown {
  if (typeof text !== 'string') throw new Error('an edit needs the edited arguments');
  let args: unknown;
  try {
    args = JSON.parse(text);
  } catch (error) {
    throw new Error(`the edited arguments are not JSON: ${(error as Error).message}`);
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new Error('the edited arguments must be a JSON object, as MCP tool arguments are');
  return args;
}

/** The form's result as an answer, through the one check every channel's answers pass. */
function answerOf(result: ElicitResult, request: ApprovalRequest, channel: string): ApprovalAnswer {
  // Declining or dismissing the form is a person's gesture, never an approval or "no answer".
  if (result.action === 'decline') return { kind: 'reject', message: 'declined in the client', at: new Date().toISOString(), channel };
  if (result.action === 'cancel') return { kind: 'reject', message: 'dismissed in the client without an answer', at: new Date().toISOString(), channel };
  const content = result.content ?? {};
  const kind = content.answer;
  const message = typeof content.message === 'string' && content.message.trim() !== '' ? content.message : undefined;
  const input =
    kind === 'edit' ? { kind, args: editedArguments(content.arguments) } : kind === 'reply' ? { kind, text: message ?? '' } : { kind, ...(message !== undefined ? { message } : {}) };
  const parsed = parseApprovalAnswer(input, request);
  if (!parsed.ok) throw new Error(parsed.error);
  return { ...parsed.answer, channel };
}

/**
 * Asks the person at the MCP client, through elicitation (a form the client shows). The policy's
 * timeout governs the wait, not the MCP SDK's 60 s request timeout: when it is up, the form is
 * withdrawn (the request is cancelled) and the answer is `timeout`. A client that cannot show a
 * form, an answer that does not parse, or a failed request is a ChannelError: the step stops.
 *
 * @example
 * const server = new Server({ name: 'gateway', version: '1.0.0' }, { capabilities: { tools: {} } });
 * const supervisor = createSupervisor({ policy, channel: elicitationChannel(server) });
 */
export function elicitationChannel(server: Server, options: ElicitationChannelOptions = {}): ApprovalChannel {
  const name = options.name ?? 'elicitation';
  return {
    name,
    async ask(request, { signal }) {
      const capability = server.getClientCapabilities()?.elicitation;
      // A capability with neither mode named is the form mode (as clients announced it before modes).
      if (!capability || (capability.form === undefined && capability.url !== undefined)) throw new ChannelError(name, 'the MCP client cannot ask its person: it does not support elicitation forms');
      const withdrawn = options.signalOf?.(request);
      const message = [request.prompt, ...describeRequest(request)].join('\n');
      let result: ElicitResult;
      try {
        // The SDK's own limit must never decide first: give it the longest a timer can wait.
        result = await server.elicitInput({ mode: 'form', message, requestedSchema: formOf(request) }, { signal: withdrawn ? AbortSignal.any([signal, withdrawn]) : signal, timeout: maxTimerDelayMs });
      } catch (error) {
        if (signal.aborted) return timeoutAnswer();
        throw new ChannelError(name, `asking the MCP client failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      try {
        return answerOf(result, request, name);
      } catch (error) {
        throw new ChannelError(name, `the answer from the MCP client was refused: ${(error as Error).message}`);
      }
    },
  };
}
