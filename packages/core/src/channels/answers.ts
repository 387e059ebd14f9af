// Answers as they arrive from outside (a JSON body, a form, a chat button): checked once here,
// so every channel accepts and refuses the same things, and compares them the same way.
import type { ApprovalAnswer, ApprovalRequest } from './approval.js';

type WithoutAt<T> = T extends unknown ? Omit<T, 'at'> & { at?: string } : never;

/**
 * An answer as a program gives it: `at` may be left out (it is filled in with the current time).
 *
 * @example
 * const input: ApprovalAnswerInput = { kind: 'reject', message: 'not this week' };
 */
export type ApprovalAnswerInput = WithoutAt<ApprovalAnswer>;

/** What a person can answer (a timeout is not an answer anyone sends). */
export type AnswerKind = Exclude<ApprovalAnswer['kind'], 'timeout'>;

/**
 * The kinds of answer a person can give, in the order forms show them.
 *
 * @example
 * if (!answerKinds.includes(body.kind)) return respond(400);
 */
export const answerKinds: readonly AnswerKind[] = ['approve', 'reject', 'reply', 'edit'];

const maxTextLength = 100_000;

/**
 * How deeply an edit's arguments may nest: 64 levels of objects and arrays (`{}` is one,
 * `{"a":[1]}` two). Deeper arguments are refused before anything is recorded: they could not be
 * serialised, compared, journaled or audited.
 *
 * @example
 * parseApprovalAnswer({ kind: 'edit', args: JSON.parse('['.repeat(65) + ']'.repeat(65)) });
 * // { ok: false, error: 'the arguments nest deeper than 64 levels of objects and arrays' }
 */
export const maxAnswerDepth = 64;

/**
 * How large an edit's arguments may be as JSON: 1 MB (as the bodies that carry them).
 *
 * @example
 * parseApprovalAnswer({ kind: 'edit', args: 'x'.repeat(maxArgumentsLength) });
 * // { ok: false, error: 'the arguments are larger than 1000000 characters of JSON' }
 */
export const maxArgumentsLength = 1_000_000;

function jsonLength(value: unknown): number | undefined {
  try {
    return JSON.stringify(value)?.length;
  } catch {
    return undefined;
  }
}

/** Whether `value` nests deeper than `limit` levels; iterative, so any depth is measured safely. */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(item)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * The answer with its time filled in.
 *
 * @example
 * const answer = completeAnswer({ kind: 'approve', by: 'ana' }); // { kind: 'approve', by: 'ana', at: '2026-…' }
 */
export function completeAnswer(input: ApprovalAnswerInput): ApprovalAnswer {
  return { ...input, at: input.at ?? new Date().toISOString() } as ApprovalAnswer;
}

/**
 * The answer "nobody answered in time".
 *
 * @example
 * return timeoutAnswer(); // { kind: 'timeout', at: '2026-…' }
 */
export function timeoutAnswer(): ApprovalAnswer {
  return { kind: 'timeout', at: new Date().toISOString() };
}

/**
 * Checks an answer that came from outside (parsed JSON): every channel's answers pass here before
 * anything is recorded. Against `request`, an edit must have a tool call to change; its arguments
 * may nest at most `maxAnswerDepth` levels and take at most `maxArgumentsLength` characters of
 * JSON. The answer's own `by` is used only when the caller gives none (a caller that knows who
 * signed in gives it).
 *
 * @example
 * const parsed = parseApprovalAnswer(JSON.parse(body).answer, request);
 * if (!parsed.ok) return respond(400, { error: parsed.error });
 */
export function parseApprovalAnswer(value: unknown, request?: ApprovalRequest, by?: string): { ok: true; answer: ApprovalAnswer } | { ok: false; error: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'the answer must be a JSON object with a kind' };
  const input = value as Record<string, unknown>;
  const kind = input.kind;
  if (!answerKinds.includes(kind as AnswerKind)) return { ok: false, error: `kind must be one of ${answerKinds.join(', ')}, not ${JSON.stringify(kind ?? null)}` };
  const who = by ?? input.by;
  if (who !== undefined && (typeof who !== 'string' || who.length > 200)) return { ok: false, error: 'by must be a string of at most 200 characters' };
  const base = { at: new Date().toISOString(), ...(who !== undefined ? { by: who as string } : {}) };
  switch (kind as AnswerKind) {
    case 'approve':
      return { ok: true, answer: { kind: 'approve', ...base } };
    case 'reject': {
      const message = input.message;
      if (message !== undefined && (typeof message !== 'string' || message.length > maxTextLength)) return { ok: false, error: `message must be a string of at most ${maxTextLength} characters` };
      return { ok: true, answer: { kind: 'reject', ...(message ? { message: message as string } : {}), ...base } };
    }
    case 'reply': {
      const text = input.text;
      if (typeof text !== 'string' || text.trim() === '' || text.length > maxTextLength) return { ok: false, error: `a reply needs text: a non-empty string of at most ${maxTextLength} characters` };
      return { ok: true, answer: { kind: 'reply', text, ...base } };
    }
    case 'edit': {
      if (!('args' in input) || input.args === undefined) return { ok: false, error: 'an edit needs args: the tool call\'s new arguments' };
      if (deeperThan(input.args, maxAnswerDepth)) return { ok: false, error: `the arguments nest deeper than ${maxAnswerDepth} levels of objects and arrays` };
      const length = jsonLength(input.args);
      if (length === undefined) return { ok: false, error: 'the arguments must be JSON' };
      if (length > maxArgumentsLength) return { ok: false, error: `the arguments are larger than ${maxArgumentsLength} characters of JSON` };
      const callId = input.callId;
      if (callId !== undefined && (typeof callId !== 'string' || callId.length > 200)) return { ok: false, error: 'callId must be a string of at most 200 characters' };
      if (request) {
        const calls = request.tools ?? (request.tool ? [request.tool] : []);
        if (!calls.length) return { ok: false, error: 'this request has no tool call to edit' };
        if (callId !== undefined && !calls.some((call) => call.callId === callId)) return { ok: false, error: `this request has no tool call ${JSON.stringify(callId)}` };
      }
      return { ok: true, answer: { kind: 'edit', args: input.args, ...(callId !== undefined ? { callId: callId as string } : {}), ...base } };
    }
  }
}

/**
 * Whether two answers say the same thing (who gave them, when and where aside): a second
 * delivery of the same answer is accepted, a different one is a conflict.
 *
 * @example
 * sameAnswer({ kind: 'approve', by: 'ana', at: t1 }, { kind: 'approve', by: 'bo', at: t2 }); // true
 */
export function sameAnswer(a: ApprovalAnswer, b: ApprovalAnswer): boolean {
  return canonical(payload(a)) === canonical(payload(b));
}

/**
 * The answer as the text of a `human-input-received` event and of `result.humanInputs`: a reply's
 * text, a rejection's message, an edit's arguments as JSON; empty for approve and timeout.
 *
 * @example
 * answerText({ kind: 'reply', text: 'use the EUR account', at }); // 'use the EUR account'
 */
export function answerText(answer: ApprovalAnswer): string {
  switch (answer.kind) {
    case 'reply':
      return answer.text;
    case 'reject':
      return answer.message ?? '';
    case 'edit':
      return JSON.stringify(answer.args);
    default:
      return '';
  }
}

function payload(answer: ApprovalAnswer): unknown {
  switch (answer.kind) {
    case 'reject':
      return [answer.kind, answer.message ?? ''];
    case 'reply':
      return [answer.kind, answer.text];
    case 'edit':
      return [answer.kind, answer.callId ?? null, answer.args];
    default:
      return [answer.kind];
  }
}

/** JSON with object keys sorted, so equal values give equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item) ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : item,
  );
}
