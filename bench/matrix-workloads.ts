// The policies and messages of the benchmark matrix. Every policy is generated for any rule
// count; every message is ordinary text that no rule matches (the common case), scaled to size.
import { body } from './messages.js';
import { variantRules } from './generate-policy.js';
import { historyOfTurns, type Turn } from '../packages/policy/src/index.js';

export type WorkloadKind = 'keyword' | 'regex' | 'tool' | 'mixed' | 'history';
export const workloadKinds: readonly WorkloadKind[] = ['keyword', 'regex', 'tool', 'mixed', 'history'];

const verbs = ['delete', 'drop', 'purge', 'wipe', 'revoke', 'disable', 'transfer', 'escalate', 'override', 'bypass', 'leak', 'expose'];
const objects = ['backups', 'table', 'accounts', 'credentials', 'firewall', 'audit log', 'payroll', 'customer data', 'root access', 'api tokens', 'the cluster'];

/** The five words of keyword rule i: two-word phrases, made unique with the rule's number. */
export function keywords(i: number): string[] {
  return Array.from({ length: 5 }, (_, w) => `${verbs[(i + w) % verbs.length]} ${objects[(i * 5 + w) % objects.length]} ${i}`);
}

const keywordRule = (i: number) => {
  const list = (items: string[]) => `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;
  // Mostly `contains any … ignoring case`, with the other keyword forms mixed in.
  if (i % 10 === 7) return `rule keyword_${i}: when content contains all ${list(keywords(i).slice(0, 2))} ignoring case then escalate "keywords ${i}"`;
  if (i % 10 === 9) return `rule keyword_${i}: when content contains "${keywords(i)[0]}" ignoring case then escalate "keyword ${i}"`;
  return `rule keyword_${i}: when content contains any ${list(keywords(i))} ignoring case then escalate "keywords ${i}"`;
};

const regexRule = (i: number) => {
  const patterns = [
    `/\\b(token${i}|secret${i})\\s*[:=]/i`,
    `/E${i}RROR:\\s+\\w+/`,
    `/\\b(denied${i}|forbidden${i})\\b/i`,
    `/^PLAN ${i}:/`,
    `/[A-Z]{3}-${i}-[0-9]{4}/`,
  ];
  return `rule regex_${i}: when content matches ${patterns[i % patterns.length]} then escalate "pattern ${i}"`;
};

const toolRule = (i: number) =>
  i % 2 === 0
    ? `rule tool_${i}: when tool.name in ["pay_${i}", "refund_${i}"] and tool.args.amount > ${100 + i} then escalate "payment ${i}"`
    : `rule tool_${i}: when tool.name == "read_${i}" and not tool.args.path starts with "/etc" then continue`;

// Rate, taint and error rules on the run's history, two of three with a window.
const historyRule = (i: number) => {
  if (i % 3 === 0) return `rule repeated_${i}: when tool.name == "pay_${i}" and history.calls.pay_${i} >= 3 over the last 20 steps then escalate "repeated payment ${i}"`;
  if (i % 3 === 1) return `rule tainted_${i}: when tool.name == "send_${i}" and history.tools contains "read_${i}" then escalate "sending after reading ${i}"`;
  return `rule flaky_${i}: when history.errors >= ${3 + (i % 5)} over the last 10 steps then stop "tools keep failing ${i}"`;
};

/** 60 earlier turns of a run: lookups and searches, one error long ago; `recent` turns appended last. */
function runHistory(recent: Turn[] = []): Turn['history'] {
  const earlier: Turn[] = Array.from({ length: 60 }, (_, i) => ({
    role: 'assistant',
    ...(i % 2 === 0 ? { tool: { name: i % 4 === 0 ? 'lookup_customer' : 'search_invoices', args: { id: i } } } : {}),
    ...(i === 20 ? { error: 'timeout' } : {}),
  }));
  return historyOfTurns([...earlier, ...recent]);
}

/** A policy of `rules` rules of one kind. `mixed` is the 20-rule benchmark policy's variants. */
export function workloadPolicy(kind: WorkloadKind, rules: number): string {
  const lines = [`policy ${kind}_${rules} version 1`, ''];
  if (kind === 'mixed') {
    for (let k = 1; lines.length - 2 < rules; k++) lines.push(...variantRules(k));
    return `${lines.slice(0, rules + 2).join('\n')}\n`;
  }
  const rule = kind === 'keyword' ? keywordRule : kind === 'regex' ? regexRule : kind === 'history' ? historyRule : toolRule;
  for (let i = 0; i < rules; i++) lines.push(rule(i));
  return `${lines.join('\n')}\n`;
}

/** `size` bytes of the benchmark's ordinary text, which no rule of any workload matches. */
export function quietText(size: number): string {
  const repeated = `${body} `.repeat(Math.ceil(size / (body.length + 1)));
  return repeated.slice(0, size);
}

/** The quiet turn of a workload at a message size: an assistant message, a tool call for `tool`. */
export function quietTurn(kind: WorkloadKind, size: number): Turn {
  const turn: Turn = { content: quietText(size), role: 'assistant', sender: 'accountant', step: 7, autoReplies: 3 };
  if (kind === 'tool' || kind === 'mixed' || kind === 'history') turn.tool = { name: 'lookup_customer', args: { amount: 5, path: '/data/customers.csv', currency: 'EUR' } };
  if (kind === 'history') turn.history = runHistory();
  return turn;
}

/** A turn the last rule of a workload fires on, to check agreement when rules do fire. */
export function firingTurn(kind: WorkloadKind, rules: number, size: number): Turn {
  const last = rules - 1;
  const turn = quietTurn(kind, size);
  const text = turn.content as string;
  const middle = Math.floor(text.length / 2);
  const insert = (words: string) => `${text.slice(0, middle)} ${words} ${text.slice(middle)}`;
  if (kind === 'keyword') turn.content = insert(keywords(last).slice(0, 2).join(' and ').toUpperCase());
  if (kind === 'regex') turn.content = insert(`Token${last} = x, E${last}RROR: bad, denied${last}, ABC-${last}-1234`);
  if (kind === 'tool') turn.tool = last % 2 === 0 ? { name: `pay_${last}`, args: { amount: 1e6 } } : { name: `read_${last}`, args: { path: '/srv' } };
  if (kind === 'mixed') turn.content = insert('Please WIPE the disk and sudo it; NEEDS_REVIEW_1');
  if (kind === 'history') {
    if (last % 3 === 0) (turn.tool = { name: `pay_${last}`, args: {} }), (turn.history = runHistory(Array.from({ length: 3 }, () => ({ tool: { name: `pay_${last}` } }))));
    else if (last % 3 === 1) (turn.tool = { name: `send_${last}`, args: {} }), (turn.history = runHistory([{ tool: { name: `read_${last}` } }]));
    else turn.history = runHistory(Array.from({ length: 8 }, () => ({ error: 'failed' })));
  }
  return turn;
}
