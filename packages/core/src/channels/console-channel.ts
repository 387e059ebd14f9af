// The console as an approval channel: the question's context printed, one line read back.
import { formatTime } from '@handrail/policy';
import { getDefaultIO, type HumanIO } from '../io/io.js';
import { completeAnswer, parseApprovalAnswer, timeoutAnswer } from './answers.js';
import { rejectEffect, type ApprovalAnswer, type ApprovalChannel, type ApprovalRequest } from './approval.js';

export interface ConsoleChannelOptions {
  /** Where to print and read; the process default io (the console) when omitted. */
  io?: HumanIO;
  /** The channel's name; `console` by default. */
  name?: string;
  /** Who answers at this console, for the record; `console` by default. */
  by?: string;
}

/**
 * The line under the context that says what can be typed.
 *
 * @example
 * expect(io.printed).toContain(consoleChannelHint);
 */
export const consoleChannelHint = "Type y to approve, n [message] to reject, edit {json} to change the tool call's arguments, any other text to reply, or press enter for no answer.";

/**
 * The context of a request as lines of text: who asks about what, the rule and reason, the
 * message and the tool call with its arguments.
 *
 * @example
 * for (const line of describeRequest(request)) console.log(line);
 */
export function describeRequest(request: ApprovalRequest): string[] {
  const { decision } = request;
  const lines = [`Approval ${request.id}${request.agent ? ` for ${request.agent}` : ''}${request.sender ? ` (message from ${request.sender})` : ''}`];
  lines.push(`  rule ${decision.rule ?? '(none)'} of policy ${decision.policy.name}: ${decision.reason}; no answer means ${decision.onNoInput}`);
  lines.push(`  ${rejectEffect(request)}`);
  if (request.expiresAt) lines.push(`  answer before ${formatTime(request.expiresAt)}`);
  if (request.message?.content) lines.push(`  message: ${request.message.content}`);
  for (const tool of request.tools ?? (request.tool ? [request.tool] : [])) lines.push(`  tool call ${tool.name}${tool.callId ? ` (${tool.callId})` : ''}: ${JSON.stringify(tool.args)}`);
  return lines;
}

/**
 * Asks at the console (or any io): prints the request's context and reads one line.
 * `y`/`yes`/`approve` approves; `n`/`no`/`reject`, optionally followed by a message, rejects (as
 * does `exit`); `edit {"amount": 100}` changes the tool call's arguments (asked again when the
 * JSON does not parse); an empty line is no answer (`timeout`, so `onNoInput` applies, as with
 * the plain console); any other text is a reply.
 *
 * @example
 * const user = new UserProxyAgent('user', { approvalChannel: consoleChannel({ by: process.env.USER }) });
 */
export function consoleChannel(options: ConsoleChannelOptions = {}): ApprovalChannel {
  const by = options.by ?? 'console';
  return {
    name: options.name ?? 'console',
    async ask(request, { signal }): Promise<ApprovalAnswer> {
      const io = options.io ?? getDefaultIO();
      for (const line of describeRequest(request)) io.print(line);
      io.print(consoleChannelHint);
      for (;;) {
        if (signal.aborted) return timeoutAnswer();
        const line = (await io.input(request.prompt, { signal })).trim();
        if (signal.aborted || line === '') return timeoutAnswer();
        if (/^(y|yes|approve)$/i.test(line)) return completeAnswer({ kind: 'approve', by });
        if (line === 'exit') return completeAnswer({ kind: 'reject', message: 'exit', by });
        const reject = /^(?:n|no|reject)(?:$|[\s:]+([\s\S]*)$)/i.exec(line);
        if (reject) return completeAnswer({ kind: 'reject', ...(reject[1] ? { message: reject[1] } : {}), by });
        const edit = /^edit\s+([\s\S]+)$/i.exec(line);
        if (edit && request.tool) {
          let args: unknown;
          try {
            args = JSON.parse(edit[1]!);
          } catch (error) {
            io.print(`The arguments are not JSON (${(error as Error).message}); try again.`);
            continue;
          }
          const parsed = parseApprovalAnswer({ kind: 'edit', args }, request, by);
          if (!parsed.ok) {
            io.print(`Not an answer: ${parsed.error}; try again.`);
            continue;
          }
          return parsed.answer;
        }
        return completeAnswer({ kind: 'reply', text: line, by });
      }
    },
  };
}
