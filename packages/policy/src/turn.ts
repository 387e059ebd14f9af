// A turn, as the host describes it, becomes the facts a policy reads. A turn that cannot be
// read is an error the caller turns into a fail-closed decision.
import { defaultMaxAutoReplies } from './facts.js';
import { historyProblem, type RunHistory } from './history.js';

export interface ToolCall {
  name: string;
  /** The arguments: an object, or the JSON text a model produced. */
  args?: unknown;
}

export interface CodeBlock {
  language: string;
  code: string;
}

/** A custom fact: a value, or a function of the turn (sync or async). */
export type FactProvider = unknown | ((turn: Turn) => unknown);

/**
 * One step of an agent loop, as the policy sees it. Every field is optional; give what you know.
 *
 * @example
 * const turn: Turn = { content: 'Refunding order 42', role: 'assistant', sender: 'agent',
 *   tool: { name: 'refund', args: '{"amount": 250}' }, step: 3, autoReplies: 2 };
 */
export interface Turn {
  content?: string | null | ReadonlyArray<{ type: string; text?: string }>;
  role?: 'assistant' | 'user' | 'tool' | 'system';
  sender?: string;
  source?: 'assistant' | 'tool' | 'human' | 'system';
  /** The tool call being gated. */
  tool?: ToolCall;
  /** All tool calls of the message: the policy decides on each and the most severe wins. */
  toolCalls?: readonly ToolCall[];
  error?: string;
  step?: number;
  autoReplies?: number;
  maxAutoReplies?: number;
  /** Whether the host's termination test matched; by default, content is exactly "TERMINATE". */
  isTermination?: boolean;
  elapsedMs?: number;
  tokens?: { prompt?: number; completion?: number; total?: number };
  /** Fenced code blocks; found in the content when not given and the policy reads `code`. */
  code?: readonly CodeBlock[];
  /** Values of the custom facts the policy declares. */
  facts?: Readonly<Record<string, FactProvider>>;
  /**
   * The earlier turns of the run, for history rules: filled in by the supervisor, replay and
   * policy tests (`historyAfter`). A policy that reads `history` fails closed without it.
   */
  history?: RunHistory;
}

export class InvalidTurnError extends Error {
  readonly code = 'INVALID_TURN';
}

const roles = new Set(['assistant', 'user', 'tool', 'system']);
const sources = new Set(['assistant', 'tool', 'human', 'system']);
const sourceOfRole: Record<string, string> = { assistant: 'assistant', user: 'human', tool: 'tool', system: 'system' };

function fail(message: string): never {
  throw new InvalidTurnError(message);
}

function optionalNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${name} must be a finite number, not ${JSON.stringify(value) ?? String(value)}`);
  return value;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(`${name} must be a string, not ${typeof value}`);
  return value;
}

function contentText(content: unknown): string | undefined {
  if (content === undefined || content === null) return undefined;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        if (part === null || typeof part !== 'object') fail('each content part must be an object');
        const { type, text } = part as { type?: unknown; text?: unknown };
        if (type === 'text') return optionalString(text, 'a text part') ?? '';
        return type === 'image_url' ? '<image>' : '';
      })
      .join('');
  }
  return fail(`content must be a string, null or a list of parts, not ${typeof content}`);
}

export function toolFact(call: ToolCall | undefined): { name: string; args: unknown } | undefined {
  if (call === undefined) return undefined;
  if (call === null || typeof call !== 'object') fail('a tool call must be an object');
  const name = optionalString(call.name, 'the tool name');
  if (name === undefined) fail('a tool call needs a name');
  let args = call.args;
  if (typeof args === 'string') {
    if (args.trim() === '') args = {};
    else {
      try {
        args = JSON.parse(args);
      } catch {
        fail(`the arguments of tool ${name} are not valid JSON`);
      }
    }
  }
  return { name, args: args ?? {} };
}

/** Where JavaScript's multiline `^` and `$` see a line break. */
const isLineBreak = (code: number) => code === 10 || code === 13 || code === 0x2028 || code === 0x2029;
const isBlank = (code: number) => code === 32 || code === 9;
const isLanguageCharacter = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 43 || code === 45;

/** Where a line starting at `start` ends: at its line break, or at the end of the text. */
function lineEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && !isLineBreak(text.charCodeAt(end))) end++;
  return end;
}

/** Past the blanks and three backticks that open `text` at `start`, or -1. */
function afterFence(text: string, start: number): number {
  let at = start;
  while (at < text.length && isBlank(text.charCodeAt(at))) at++;
  return text.startsWith('```', at) ? at + 3 : -1;
}

/** Where a closing fence on the line at `start` ends (before its line break), or -1. */
function closingFenceEnd(text: string, start: number): number {
  let at = afterFence(text, start);
  if (at < 0) return -1;
  while (at < text.length && isBlank(text.charCodeAt(at))) at++;
  return at === text.length || isLineBreak(text.charCodeAt(at)) ? at : -1;
}

/**
 * Fenced code blocks in a message, as AutoGen's extract_code finds them: a line of three
 * backticks and an optional language opens a block, the next line of only three backticks closes
 * it. One pass over the lines, so hostile text (thousands of unclosed fences) costs linear time;
 * the result is what `/^[ \t]*```[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)^[ \t]*```[ \t]*$/gm` finds.
 *
 * @example
 * findCodeBlocks('Run this:\n```sh\nls\n```\n'); // [{ language: 'sh', code: 'ls\n' }]
 */
export function findCodeBlocks(text: string | undefined): CodeBlock[] {
  if (!text || !text.includes('```')) return [];
  const blocks: CodeBlock[] = [];
  let line = 0;
  while (line < text.length) {
    const fenceEnd = afterFence(text, line);
    if (fenceEnd < 0) {
      line = lineEnd(text, line) + 1;
      continue;
    }
    let languageEnd = fenceEnd;
    while (languageEnd < text.length && isBlank(text.charCodeAt(languageEnd))) languageEnd++;
    const languageStart = languageEnd;
    while (languageEnd < text.length && isLanguageCharacter(text.charCodeAt(languageEnd))) languageEnd++;
    // The opening line runs to a \n (a \r or U+2028 inside it does not end it).
    const bodyStart = text.indexOf('\n', languageEnd) + 1;
    // With no \n, or no closing fence after this one, no later fence can be closed either.
    if (bodyStart === 0) break;
    let close = bodyStart;
    let closeEnd = -1;
    while (close <= text.length) {
      closeEnd = closingFenceEnd(text, close);
      if (closeEnd >= 0) break;
      close = lineEnd(text, close) + 1;
    }
    if (closeEnd < 0) break;
    blocks.push({ language: text.slice(languageStart, languageEnd), code: text.slice(bodyStart, close) });
    // The closing fence's line break starts the next line.
    line = closeEnd + 1;
  }
  return blocks;
}

/**
 * The built-in facts of a turn (custom facts are added by the caller); `directory` is what paths
 * resolve against, given here so that the facts object is built whole, in one shape. Code blocks
 * are found, and the run's history checked, only for a policy that reads them: a supervisor
 * passes a history of up to 100 steps with every turn.
 */
export function builtInFactValues(turn: Turn, policyMaxAutoReplies: number | undefined, reads: { readsCode: boolean; readsHistory: boolean }, directory: object): Record<string, unknown> {
  if (turn === null || typeof turn !== 'object') fail('a turn must be an object');
  const content = contentText(turn.content);
  const role = optionalString(turn.role, 'role');
  if (role !== undefined && !roles.has(role)) fail(`role must be one of assistant, user, tool, system, not ${JSON.stringify(role)}`);
  const source = optionalString(turn.source, 'source') ?? (role ? sourceOfRole[role] : undefined);
  if (source !== undefined && !sources.has(source)) fail(`source must be one of assistant, tool, human, system, not ${JSON.stringify(source)}`);
  if (turn.isTermination !== undefined && typeof turn.isTermination !== 'boolean') fail('isTermination must be true or false');
  const tokens = turn.tokens;
  if (tokens !== undefined && (tokens === null || typeof tokens !== 'object')) fail('tokens must be an object');
  let code: { count: number; languages: string[]; text: string } | undefined;
  if (reads.readsCode) {
    const blocks = turn.code ?? findCodeBlocks(content);
    code = { count: blocks.length, languages: blocks.map((b) => b.language), text: blocks.map((b) => b.code).join('\n') };
  }
  if (reads.readsHistory && turn.history !== undefined) {
    const problem = historyProblem(turn.history);
    if (problem) fail(problem);
  }
  return {
    content,
    role,
    sender: optionalString(turn.sender, 'sender'),
    source,
    tool: toolFact(turn.tool),
    error: optionalString(turn.error, 'error'),
    step: optionalNumber(turn.step, 'step'),
    auto_replies: optionalNumber(turn.autoReplies, 'autoReplies') ?? 0,
    max_auto_replies: optionalNumber(turn.maxAutoReplies, 'maxAutoReplies') ?? policyMaxAutoReplies ?? defaultMaxAutoReplies,
    is_termination: turn.isTermination ?? content === 'TERMINATE',
    elapsed: optionalNumber(turn.elapsedMs, 'elapsedMs'),
    tokens: tokens
      ? { prompt: optionalNumber(tokens.prompt, 'tokens.prompt'), completion: optionalNumber(tokens.completion, 'tokens.completion'), total: optionalNumber(tokens.total, 'tokens.total') }
      : undefined,
    code,
    history: reads.readsHistory ? turn.history : undefined,
    directory,
  };
}
