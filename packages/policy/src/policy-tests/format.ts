// The policy test format: what a `NAME.policy.test.json` file holds, as TypeScript types. The
// JSON Schema in `schema/policy-test.schema.json` says the same for editors and for validation.
import type { OnNoInput } from '../ast.js';
import type { Decision } from '../decision.js';
import type { Counter } from '../facts.js';
import type { ToolCall, Turn } from '../turn.js';

/**
 * The ending of a policy test file's name. `invoices.policy.test.json` tests `invoices.policy`,
 * beside it, unless the file names another policy.
 *
 * @example
 * const isTestFile = (name: string) => name.endsWith(policyTestFileSuffix);
 */
export const policyTestFileSuffix = '.policy.test.json';

/** Milliseconds, or a duration as policies write them (`250ms`, `30s`, `10m`, `2h`, `1d`). */
export type DurationValue = number | string;

/**
 * A turn as a test file writes it: the fields of `Turn`, in JSON, with `elapsedMs` also as a
 * duration such as `"2h"`.
 */
export interface TestTurn {
  content?: string | null | Array<{ type: string; text?: string }>;
  role?: Turn['role'];
  sender?: string;
  source?: Turn['source'];
  tool?: ToolCall;
  toolCalls?: ToolCall[];
  error?: string;
  step?: number;
  autoReplies?: number;
  maxAutoReplies?: number;
  isTermination?: boolean;
  elapsedMs?: DurationValue;
  tokens?: { prompt?: number; completion?: number; total?: number };
  code?: Array<{ language: string; code: string }>;
  facts?: Record<string, unknown>;
}

/**
 * The decision a turn must get; a field is checked only when given (`rule: null` is the policy's
 * default, or a decision that failed closed). A case of one turn gives at least `action` and
 * `rule`; a turn of a conversation any fields, as the vitest matchers take them.
 *
 * @example
 * const expected: Expectation = { action: 'escalate', rule: 'payments', onNoInput: 'stop', timeoutMs: '10m' };
 */
export interface Expectation {
  action?: Decision['action'];
  rule?: string | null;
  reason?: string;
  onNoInput?: OnNoInput;
  timeoutMs?: DurationValue;
  channel?: string;
  prompt?: string;
  reply?: string;
  reset?: Counter[];
  /** The code of a decision that failed closed, or null for a decision that did not. */
  error?: string | null;
  /** Every rule that held, in resolution order (needs an explanation of every rule). */
  held?: string[];
}

/** One turn of a conversation. */
export interface ConversationStep {
  turn: TestTurn;
  /** Any fields of the decision, at least one (`{ "action": "continue" }`). */
  expect?: Expectation;
  /** The person's answer when the turn escalates: `""` (the default) is no answer, `"exit"` ends. */
  answer?: string;
}

/** One named case: a single turn with its expectation, or a conversation. */
export interface TestCaseDefinition {
  name: string;
  description?: string;
  defaults?: TestTurn;
  /** The host's custom facts for this case, instead of the file's (`{}`: none). */
  facts?: Record<string, unknown>;
  humanAvailable?: boolean;
  /** The turns of the run before this case, oldest first: the history its first turn is decided with. */
  history?: TestTurn[];
  turn?: TestTurn;
  expect?: Expectation & { action: Decision['action']; rule: string | null };
  conversation?: ConversationStep[];
}

/**
 * A whole test file.
 *
 * @example
 * const file: PolicyTestFileDefinition = {
 *   policy: 'invoices.policy',
 *   cases: [{ name: 'review', turn: { content: 'NEEDS_REVIEW' }, expect: { action: 'escalate', rule: 'review' } }],
 * };
 */
export interface PolicyTestFileDefinition {
  $schema?: string;
  policy?: string;
  description?: string;
  facts?: Record<string, unknown>;
  /** What relative paths and `~` resolve against in path conditions. */
  paths?: { workingDirectory?: string; home?: string };
  defaults?: TestTurn;
  cases: TestCaseDefinition[];
}
