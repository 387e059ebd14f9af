import { compilePolicy, decide } from '@handrail/policy';

const policy = compilePolicy(`
policy payments version 1
rule large: when tool.name in ["refund", "transfer_funds"] and tool.args.amount > 100
  then escalate "large payment" timeout 10m else stop
rule done: when content ends with "TERMINATE" then stop "finished"
`);

const decision = await decide(policy, {
  content: 'Refunding order 42.',
  role: 'assistant',
  tool: { name: 'refund', args: '{"amount": 250}' },
});

if (decision.action === 'escalate') {
  console.log(`ask a person: ${decision.reason} (rule ${decision.rule}); after ${decision.timeoutMs} ms: ${decision.onNoInput}`);
  // ask a person: large payment (rule large); after 600000 ms: stop
}
