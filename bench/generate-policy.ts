// Generates a larger policy for the benchmark: the 20 rules of policies/twenty-rules.policy
// followed by variants of each (other names, words, numbers and tools), so that the policy
// keeps the same mix of conditions at any size. Rule names are `<rule>_v<k>`.

const sensitiveWords = ['truncate', 'purge', 'shutdown', 'revoke access', 'chmod 777', 'force push', 'sudo', 'drop database', 'wipe', 'format disk', 'kill -9', 'disable backups'];

/** The rules of variant k (k ≥ 1), one per rule of the 20-rule policy, in the same order. */
export function variantRules(k: number): string[] {
  const words = Array.from({ length: 6 }, (_, i) => sensitiveWords[(k + i) % sensitiveWords.length]);
  const list = (items: readonly (string | undefined)[]) => `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;
  const payTools = list([`transfer_funds_${k}`, `refund_${k}`]);
  const v = `_v${k}`;
  return [
    `rule done${v}: when content ends with "TERMINATE_${k}" then stop "the agent finished (${k})"`,
    `rule limit${v}: when auto_replies >= ${8 + k} then stop "auto-reply limit ${8 + k}"`,
    `rule runaway${v}: when step > ${200 + 10 * k} then stop "too many steps (${k})"`,
    `rule leaked_credential${v} priority 5: when content matches /(token${k}|passphrase${k})\\s*[:=]/i then stop "a credential appears in the message (${k})"`,
    `rule user_quit${v}: when source == "human" and (content starts with "/stop${k}" or content equals "exit${k}" ignoring case) then stop "the user ended the run (${k})"`,
    `rule review${v}: when content contains "NEEDS_REVIEW_${k}" then escalate "review requested (${k})"`,
    `rule failure${v}: when content matches /E${k}RROR:|Fatal${k}:/ or error contains "code ${k}" then escalate "error state (${k})" else stop`,
    `rule sensitive${v} priority 3: when content contains any ${list(words)} ignoring case then escalate "sensitive keyword (${k})" and reset auto_replies`,
    `rule large_payment${v} priority 10: when tool.name in ${payTools} and tool.args.amount > ${100 * k} then escalate "large payment (${k})" timeout 10m else stop`,
    `rule shell${v}: when tool.name in ${list([`shell_${k}`, `exec_${k}`])} and not tool.args.command starts with "ls " then escalate "shell command (${k})"`,
    `rule external_email${v}: when tool.name == "send_email_${k}" and not tool.args.to ends with "@example${k}.com" then escalate "outside email (${k})"`,
    `rule checkpoint${v}: when every ${25 + k} step then escalate "checkpoint every ${25 + k} steps" else continue`,
    `rule long_run${v}: when step >= ${50 + k} and auto_replies >= 5 and not content contains "progress ${k}" ignoring case then escalate "long run (${k})" else continue`,
    `rule stuck${v}: when content contains all ${list([`sorry ${k}`, 'retry'])} ignoring case and auto_replies > 2 then escalate "stuck (${k})"`,
    `rule unsure${v}: when content starts with "unsure ${k}" ignoring case or content contains "confidence ${k}%" ignoring case then escalate "unsure (${k})" else continue`,
    `rule plan${v}: when content starts with "PLAN ${k}:" and step <= 3 then continue with "Go ahead with plan ${k}."`,
    `rule read_only_tool${v}: when tool.name in ${list([`search_${k}`, `read_${k}`])} and not tool.args.path starts with "/etc" then continue`,
    `rule tool_result${v}: when source == "tool" and not error exists and not content matches /\\b(denied${k}|blocked${k})\\b/i then continue`,
    `rule small_payment${v}: when tool.name in ${payTools} and tool.args.amount <= ${100 * k} and tool.args.currency in ["EUR", "USD"] then continue`,
    `rule early_step${v} priority 2: when step < 3 and role == "assistant" and sender == "planner_${k}" then continue`,
  ];
}

/**
 * A policy of `total` rules (a multiple of 20): the base policy's text, then variants 1, 2, …
 * of its rules.
 */
export function generatePolicy(basePolicy: string, total: number): string {
  if (total % 20 !== 0 || total < 20) throw new Error(`total must be a multiple of 20, not ${total}`);
  const lines = [basePolicy.trimEnd(), '', `# ── generated: variants 1…${total / 20 - 1} of each rule ──`];
  for (let k = 1; k < total / 20; k++) lines.push('', ...variantRules(k));
  return `${lines.join('\n')}\n`;
}
