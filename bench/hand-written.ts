// The rules of policies/twenty-rules.policy written by hand, as an engineer would without
// Handrail: lowercase the content once, plain if-chains in resolution order (stop before
// escalate before continue, then higher priority, then file order); the first match decides.
import type { Turn } from '../packages/policy/src/index.js';

export interface HandDecision {
  action: 'continue' | 'escalate' | 'stop';
  rule: string | null;
  reason: string;
}

const maxAutoReplies = 8;
const credential = /(api[_-]?key|password|secret)\s*[:=]/i;
const errorText = /ERROR:|Traceback \(most recent call last\)/;
const refusal = /\b(denied|forbidden|unauthori[sz]ed)\b/i;
const sourceOfRole: Record<string, string> = { assistant: 'assistant', user: 'human', tool: 'tool', system: 'system' };

const stop = (rule: string, reason: string): HandDecision => ({ action: 'stop', rule, reason });
const escalate = (rule: string, reason: string): HandDecision => ({ action: 'escalate', rule, reason });
const go = (rule: string): HandDecision => ({ action: 'continue', rule, reason: `rule ${rule}` });
const noRule: HandDecision = { action: 'continue', rule: null, reason: 'no rule matched' };

const isPaymentTool = (name: unknown) => name === 'transfer_funds' || name === 'refund' || name === 'pay_invoice';

export function handWritten(turn: Turn): HandDecision {
  const content = typeof turn.content === 'string' ? turn.content : '';
  const lower = content.toLowerCase();
  const step = turn.step;
  const autoReplies = turn.autoReplies ?? 0;
  const limit = turn.maxAutoReplies ?? maxAutoReplies;
  const source = turn.source ?? (turn.role ? sourceOfRole[turn.role] : undefined);
  const tool = turn.tool;
  const args = (tool?.args ?? {}) as Record<string, unknown>;
  const amount = typeof args.amount === 'number' ? args.amount : undefined;
  const hasError = turn.error !== undefined && turn.error !== null;

  // stop
  if (credential.test(content)) return stop('leaked_credential', 'a credential appears in the message');
  if (content.endsWith('TERMINATE')) return stop('done', 'the agent finished');
  if (autoReplies >= limit) return stop('limit', 'reached the limit of consecutive auto-replies');
  if (step !== undefined && step > 200) return stop('runaway', 'too many steps');
  if (source === 'human' && (content.startsWith('/stop') || lower === 'exit')) return stop('user_quit', 'the user ended the run');

  // escalate
  if (tool && isPaymentTool(tool.name) && amount !== undefined && amount > 100) return escalate('large_payment', 'large payment');
  if (
    lower.includes('delete') ||
    lower.includes('drop table') ||
    lower.includes('send email') ||
    lower.includes('production') ||
    lower.includes('rm -rf') ||
    lower.includes('wire transfer')
  )
    return escalate('sensitive', 'sensitive keyword');
  if (content.includes('NEEDS_REVIEW')) return escalate('review', 'the agent asked for review');
  if (errorText.test(content) || hasError) return escalate('failure', 'error state');
  if (tool && (tool.name === 'run_shell' || tool.name === 'exec') && !(typeof args.command === 'string' && args.command.startsWith('ls ')))
    return escalate('shell', 'shell command');
  if (tool && tool.name === 'send_email' && !(typeof args.to === 'string' && args.to.endsWith('@example.com')))
    return escalate('external_email', 'email to an outside address');
  if (step !== undefined && Number.isInteger(step) && step > 0 && step % 25 === 0) return escalate('checkpoint', 'periodic checkpoint');
  if (step !== undefined && step >= 50 && autoReplies >= 5 && !lower.includes('progress')) return escalate('long_run', 'long run without visible progress');
  if (lower.includes('i apologize') && lower.includes('try again') && autoReplies > 2) return escalate('stuck', 'the agent seems stuck');
  if (lower.startsWith("i'm not sure") || lower.includes('low confidence')) return escalate('unsure', 'the agent is unsure');

  // continue
  if (step !== undefined && step < 3 && turn.role === 'assistant') return go('early_step');
  if (content.startsWith('PLAN:') && step !== undefined && step <= 3) return go('plan');
  if (tool && (tool.name === 'search' || tool.name === 'read_file' || tool.name === 'list_dir') && !(typeof args.path === 'string' && args.path.startsWith('/etc')))
    return go('read_only_tool');
  if (source === 'tool' && !hasError && !refusal.test(content)) return go('tool_result');
  if (tool && isPaymentTool(tool.name) && amount !== undefined && amount <= 100 && (args.currency === 'EUR' || args.currency === 'USD')) return go('small_payment');

  return noRule;
}
