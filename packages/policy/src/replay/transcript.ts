// One line of a transcript, read as the turns it records. Four shapes are accepted (see
// docs/testing-policies.md, "Formatting and replay"): a Turn, an OpenAI chat message, a record
// carrying a `turn` (an audit record, or a `decision-made` event of the runtime), and a whole
// chat result with its `events`. Anything else with a `type` is a record without a turn: skipped.
import type { Turn } from '../turn.js';

/**
 * Where a line's turns came from: a Turn, a chat message, a record with a `turn`, a chat result.
 *
 * @example
 * const format: TranscriptFormat = 'message';
 */
export type TranscriptFormat = 'turn' | 'message' | 'record' | 'chat-result';

/**
 * One line of a transcript as read: its turns, a record skipped for holding none, or a bad line.
 *
 * @example
 * const read: TranscriptLine = readTranscriptLine(text);
 * if (read.kind === 'turns') for (const turn of read.turns) decideSync(policy, turn);
 */
export type TranscriptLine =
  /** `runId`: the run the line belongs to, when it names one (an audit record's `runId`). */
  | { kind: 'turns'; format: TranscriptFormat; turns: Turn[]; runId?: string }
  /** A valid record that holds no turn, named by its `type` when it has one. */
  | { kind: 'skipped'; type: string }
  | { kind: 'bad'; message: string };

type Json = Record<string, unknown>;

const turnKeys = ['content', 'role', 'sender', 'source', 'tool', 'toolCalls', 'error', 'step', 'autoReplies', 'maxAutoReplies', 'isTermination', 'elapsedMs', 'tokens', 'code', 'facts', 'history'];
const messageKeys = ['name', 'tool_calls', 'tool_call_id', 'tool_responses'];

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const has = (value: Json, key: string) => Object.prototype.hasOwnProperty.call(value, key);

/**
 * The turn an agent decides on for a chat message, as the runtime builds it: the sender is the
 * message's `name`, tool calls become `toolCalls`, a message carrying tool responses is a `tool`
 * turn and one with tool calls an `assistant` turn. Values of the wrong type are passed on as
 * they are: deciding on them fails closed, as it would have in the run.
 *
 * @example
 * turnOfMessage({ role: 'assistant', content: null, tool_calls: [{ id: '1', type: 'function', function: { name: 'refund', arguments: '{"amount":5}' } }] });
 * // { role: 'assistant', content: null, toolCalls: [{ name: 'refund', args: '{"amount":5}' }] }
 */
export function turnOfMessage(message: Json): Turn {
  const toolCalls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  const toolResponses = Array.isArray(message.tool_responses) ? message.tool_responses : [];
  const role = toolResponses.length ? 'tool' : toolCalls.length ? 'assistant' : message.role === 'developer' ? 'system' : message.role === 'function' ? 'tool' : message.role;
  const turn: Record<string, unknown> = { role };
  if (has(message, 'content')) turn.content = message.content;
  if (message.name !== undefined) turn.sender = message.name;
  if (toolCalls.length) {
    turn.toolCalls = toolCalls.map((call: unknown) => {
      const fn = isObject(call) && isObject(call.function) ? call.function : {};
      return { name: fn.name, args: fn.arguments };
    });
  }
  return turn as Turn;
}

/**
 * Reads one line of a transcript.
 *
 * @example
 * readTranscriptLine('{"content":"NEEDS_REVIEW","role":"assistant"}'); // { kind: 'turns', format: 'turn', turns: [ … ] }
 * readTranscriptLine('{"type":"chat-ended","end":{}}');                 // { kind: 'skipped', type: 'chat-ended' }
 * readTranscriptLine('not json');                                       // { kind: 'bad', message: 'not JSON: …' }
 */
export function readTranscriptLine(text: string): TranscriptLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'bad', message: `not JSON: ${(error as Error).message}` };
  }
  if (!isObject(value)) return { kind: 'bad', message: `not a JSON object but ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}` };
  const type = typeof value.type === 'string' ? value.type : undefined;
  if (has(value, 'turn') && value.turn != null) {
    if (!isObject(value.turn)) return { kind: 'bad', message: 'its "turn" is not an object' };
    // An audit record names its run (null outside one): replay keeps one history per run.
    const runId = typeof value.runId === 'string' ? { runId: value.runId } : {};
    return { kind: 'turns', format: 'record', turns: [value.turn as Turn], ...runId };
  }
  if (Array.isArray(value.events)) {
    const turns = value.events.filter((event): event is Json => isObject(event) && event.type === 'decision-made' && isObject(event.turn)).map((event) => event.turn as Turn);
    return turns.length ? { kind: 'turns', format: 'chat-result', turns } : { kind: 'skipped', type: 'chat result without decisions' };
  }
  if (type !== undefined) return { kind: 'skipped', type };
  // A record of a decision (an audit record) that did not keep the turn it decided on.
  if (isObject(value.decision)) return { kind: 'skipped', type: 'decision without a turn' };
  if (messageKeys.some((key) => has(value, key)) || value.role === 'developer' || value.role === 'function') {
    return { kind: 'turns', format: 'message', turns: [turnOfMessage(value)] };
  }
  if (turnKeys.some((key) => has(value, key))) return { kind: 'turns', format: 'turn', turns: [value as Turn] };
  return { kind: 'skipped', type: '(no turn)' };
}
