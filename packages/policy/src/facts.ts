/** The type a fact (or a field inside one) holds; the checker matches operators against it. */
export type FactType = 'string' | 'number' | 'boolean' | 'list' | 'object' | 'any';

export const factTypes: readonly FactType[] = ['string', 'number', 'boolean', 'list', 'object', 'any'];

export interface FactDefinition {
  type: FactType;
  description: string;
  /** Known fields of an object fact; absent means any path is allowed. */
  fields?: Record<string, FactDefinition>;
  /** The only values a string fact can take, so comparing with anything else is a mistake. */
  values?: readonly string[];
  /** Every field of an object fact whose fields are named by the data (tool names): its definition. */
  entries?: FactDefinition;
}

/**
 * The facts every turn has. Names are snake_case, as written in policies.
 * Documented in docs/policy-language.md (keep the two in step).
 */
export const builtInFacts: Readonly<Record<string, FactDefinition>> = {
  content: { type: 'string', description: "the message's text" },
  role: { type: 'string', description: "the message's chat role", values: ['assistant', 'user', 'tool', 'system'] },
  sender: { type: 'string', description: 'the name of the agent or person who sent the message' },
  source: { type: 'string', description: 'where the message comes from', values: ['assistant', 'tool', 'human', 'system'] },
  tool: {
    type: 'object',
    description: 'the tool call being decided on',
    fields: {
      name: { type: 'string', description: "the tool's name" },
      args: { type: 'object', description: "the call's arguments, parsed from JSON" },
    },
  },
  error: { type: 'string', description: "a tool's error text, when it failed" },
  step: { type: 'number', description: 'the step number in the loop, from 1' },
  auto_replies: { type: 'number', description: 'consecutive auto-replies to this sender so far' },
  max_auto_replies: { type: 'number', description: 'the limit of consecutive auto-replies' },
  is_termination: { type: 'boolean', description: "whether the host's termination test matched the message" },
  elapsed: { type: 'number', description: 'milliseconds since the run started; compare with durations such as 5m' },
  tokens: {
    type: 'object',
    description: 'token usage so far',
    fields: {
      prompt: { type: 'number', description: 'prompt tokens' },
      completion: { type: 'number', description: 'completion tokens' },
      total: { type: 'number', description: 'all tokens' },
    },
  },
  history: {
    type: 'object',
    description: 'the earlier turns of the run; `over the last N steps` keeps the last N',
    fields: {
      tools: { type: 'list', description: 'each tool called so far, once, in the order of its first call' },
      calls: { type: 'object', description: 'calls so far by tool: history.calls.refund', entries: { type: 'number', description: 'calls of this tool so far (0 when never called)' } },
      errors: { type: 'number', description: 'earlier turns that carried an error' },
      turns: { type: 'number', description: 'earlier turns' },
    },
  },
  code: {
    type: 'object',
    description: 'fenced code blocks in the message',
    fields: {
      count: { type: 'number', description: 'how many code blocks' },
      languages: { type: 'list', description: 'their languages, such as sh, python, js' },
      text: { type: 'string', description: 'their contents, joined' },
    },
  },
};

/**
 * The definition named `name` in a table of facts or fields, as an own property only: names such
 * as `constructor` or `__proto__` never resolve through Object.prototype.
 *
 * @example
 * ownDefinition(builtInFacts, 'content'); // { type: 'string', … }
 * ownDefinition(builtInFacts, 'constructor'); // undefined
 */
export function ownDefinition<T>(table: Readonly<Record<string, T>> | undefined, name: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
}

/** Counters a rule may test with `every N …` or reset with `and reset …`. */
export const resettableCounters = ['auto_replies'] as const;
export type Counter = (typeof resettableCounters)[number];

/** AutoGen's default limit of consecutive auto-replies. */
export const defaultMaxAutoReplies = 100;
