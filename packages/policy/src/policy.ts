// A compiled policy: frozen data for people and programs, plus (out of sight) what evaluating it
// needs, prepared once.
import { compareRules } from './decision.js';
import { isLeaf, type ActionEvent, type CompiledRule, type ConditionNode, type PolicyDocument } from './document.js';
import { compileFastEvaluator, type FastEvaluator } from './engine/fast.js';
import { contentHash } from './compile/hash.js';
import type { RegexLookup } from './operators.js';

/**
 * A policy ready to decide. Plain frozen data: `document` is the compiled JSON (json-rules-engine
 * rules inside) and `hash` identifies it in audit records.
 *
 * @example
 * const policy = await loadPolicyFile('policies/invoices.policy');
 * console.log(policy.name, policy.hash);
 */
export interface Policy {
  readonly name: string;
  readonly version?: string;
  readonly mode?: string;
  readonly hash: string;
  readonly file?: string;
  readonly document: Readonly<PolicyDocument> & { readonly hash: string };
}

/** What deciding needs, prepared at load. */
export interface PreparedPolicy {
  /** Rules in resolution order: the first that fires decides. */
  rules: readonly CompiledRule[];
  defaultEvent: ActionEvent;
  fast: FastEvaluator;
  /** Custom facts the rules read; only these are resolved per decision. */
  customFacts: readonly string[];
  readsCode: boolean;
  /** Whether a rule reads `history`: then a turn without one fails closed. */
  readsHistory: boolean;
  identity: { name: string; version?: string; hash: string };
}

const prepared = new WeakMap<Policy, PreparedPolicy>();

// The policy decided last: a loop decides with one policy, and a WeakMap lookup costs more than the rest of a quiet decision's bookkeeping.
let lastPolicy: Policy | undefined;
let lastPrepared: PreparedPolicy | undefined;

export function preparedOf(policy: Policy): PreparedPolicy {
  if (policy === lastPolicy) return lastPrepared!;
  const found = prepared.get(policy);
  if (!found) throw new TypeError('not a policy: load one with compilePolicy, loadPolicy or loadPolicyFile');
  lastPolicy = policy;
  lastPrepared = found;
  return found;
}

// Loops rather than Object.values: a large policy has hundreds of thousands of objects to freeze.
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  else for (const key in value) if (Object.hasOwn(value, key)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

function factsRead(node: ConditionNode, into: Set<string>): void {
  if (isLeaf(node)) {
    into.add(node.fact);
    const value = node.value;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value) into.add((value as { fact: string }).fact);
  } else if ('all' in node) for (const child of node.all) factsRead(child, into);
  else if ('any' in node) for (const child of node.any) factsRead(child, into);
  else factsRead(node.not, into);
}

/**
 * Normalises a valid document (rule order, defaults), hashes it, freezes it, prepares it.
 * `regexes`: the lookup that checked the document's regexes, so none compiles twice. `owned`:
 * the document was just compiled and nothing else holds it, so it is frozen as it is; a
 * caller's document is copied first, so changing it later changes no policy.
 */
export function createPolicy(input: PolicyDocument, file?: string, regexes?: RegexLookup, owned = false): Policy {
  const { hash: _ignored, ...rest } = input;
  const body: PolicyDocument = {
    ...rest,
    facts: rest.facts ?? {},
    default: rest.default ?? { type: 'continue', params: { rule: '(default)', order: -1, reason: 'no rule matched' } },
    rules: rest.rules.map((rule, order) => ({
      name: rule.name,
      priority: rule.priority ?? 1,
      conditions: rule.conditions,
      event: { type: rule.event.type, params: { ...rule.event.params, rule: rule.name, order } },
    })),
  };
  body.default = { type: body.default.type, params: { ...body.default.params, rule: '(default)', order: -1 } };
  const hash = contentHash(body);
  const document = deepFreeze({ ...(owned ? body : structuredClone(body)), hash });
  const policy: Policy = Object.freeze({
    name: document.name,
    ...(document.version !== undefined ? { version: document.version } : {}),
    ...(document.mode !== undefined ? { mode: document.mode } : {}),
    hash,
    ...(file !== undefined ? { file } : {}),
    document,
  });
  const rules = [...document.rules].sort(compareRules);
  const read = new Set<string>();
  for (const rule of rules) factsRead(rule.conditions, read);
  prepared.set(policy, {
    rules,
    defaultEvent: document.default,
    fast: compileFastEvaluator(rules, regexes),
    customFacts: Object.keys(document.facts).filter((name) => read.has(name)),
    readsCode: read.has('code'),
    readsHistory: read.has('history'),
    identity: { name: document.name, ...(document.version !== undefined ? { version: document.version } : {}), hash },
  });
  return policy;
}
