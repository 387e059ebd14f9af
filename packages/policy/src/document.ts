// The compiled form of a policy: json-rules-engine `RuleProperties` plus what Handrail needs
// around them. Plain JSON; `handrail compile` prints it and `loadPolicy` accepts it back.
import type { OnNoInput } from './ast.js';
import type { Counter, FactType } from './facts.js';

export const documentFormat = 'handrail.policy/v1';

export type ActionType = 'continue' | 'escalate' | 'stop';

/** A fact read by a condition: the fact's name and a JSONPath into it (`$.args.amount`). */
export interface FactReference {
  fact: string;
  path?: string;
  /**
   * What a parameterised built-in fact computes: `history` takes `{ window?, calls? }` (the last
   * N turns; one tool's count), `directory` (only as the value of `pathWithin`) `{ path }`.
   */
  params?: Record<string, unknown>;
}

export interface LeafCondition extends FactReference {
  operator: string;
  value: unknown;
}

export type ConditionNode = LeafCondition | { all: ConditionNode[] } | { any: ConditionNode[] } | { not: ConditionNode };
export type TopLevelCondition = { all: ConditionNode[] } | { any: ConditionNode[] } | { not: ConditionNode };

export interface EventParams {
  /** The rule's name; `(default)` for the policy's default action. */
  rule: string;
  /** Position in the policy (a mode's preset rules after the file's own), the last tie-breaker of resolution. */
  order: number;
  reason: string;
  reply?: string;
  onNoInput?: OnNoInput;
  timeoutMs?: number;
  channel?: string;
  prompt?: string;
  reset?: Counter[];
}

export interface ActionEvent {
  type: ActionType;
  params: EventParams;
}

export interface CompiledRule {
  name: string;
  priority: number;
  conditions: TopLevelCondition;
  event: ActionEvent;
}

/** A declared tool: the arguments a call must carry, and whether it may carry others. */
export interface ToolDocument {
  /** Each argument's type; `optional` ones may be left out or null. In declaration order. */
  args: Record<string, { type: FactType; optional?: true }>;
  /** Calls may carry arguments beyond `args` (written `...` in the policy). */
  openEnded?: true;
}

export interface PolicyDocument {
  format: typeof documentFormat;
  name: string;
  version?: string;
  mode?: string;
  maxAutoReplies?: number;
  /** Custom facts the host must provide, with their types. */
  facts: Record<string, { type: FactType }>;
  /** Declared tools, by name: a call of one whose arguments do not match fails closed. Absent when none. */
  tools?: Record<string, ToolDocument>;
  default: ActionEvent;
  rules: CompiledRule[];
  /** sha256 of the canonical JSON of everything else; checked when a document is loaded. */
  hash?: string;
}

export function isLeaf(node: ConditionNode): node is LeafCondition {
  return 'operator' in node;
}
