// `corepack pnpm --filter @handrail/example-slack-approval start`. Offline by default: a scripted
// deployer on the local OpenAI-compatible server, and a stand-in Slack on loopback where "ana"
// clicks Approve. With SLACK_WEBHOOK_URL and SLACK_SIGNING_SECRET set, the message goes to your
// Slack, and the interactivity endpoint listens on SLACK_PORT (3000) at /slack/interactions:
// make it reachable as your Slack app's Interactivity Request URL. A real model when
// OPENAI_API_KEY or OPENAI_BASE_URL is set.
import { randomBytes } from 'node:crypto';
import { openAIModelFromEnv, SlackChannel } from '@handrail/core';
import { ScriptedIO, startScriptedModels, startSlackStandIn, type SlackPost, type SlackStandIn } from '@handrail/core/testing';
import { runDeploys } from './demo.js';
import { approver, deployerScript } from './script.js';

const live = openAIModelFromEnv();
const local = live ? undefined : await startScriptedModels({ deployer: deployerScript });
const model = live ?? local!.models.deployer;
const io = new ScriptedIO([], { echo: (text) => process.stdout.write(text) });

const webhookUrl = process.env.SLACK_WEBHOOK_URL;
let standIn: SlackStandIn | undefined;
let slack: SlackChannel;
if (webhookUrl) {
  const signingSecret = process.env.SLACK_SIGNING_SECRET;
  if (!signingSecret) throw new Error('SLACK_WEBHOOK_URL is set: set SLACK_SIGNING_SECRET too (your Slack app → Basic Information → Signing Secret)');
  slack = new SlackChannel({ webhookUrl, signingSecret });
  const endpoint = await slack.listen({ port: Number(process.env.SLACK_PORT ?? 3000), host: process.env.SLACK_HOST ?? '0.0.0.0' });
  process.stdout.write(`Slack approvals: messages to your incoming webhook; clicks expected at ${endpoint.interactionsUrl}\n\n`);
} else {
  const signingSecret = randomBytes(16).toString('hex');
  const show = (message: SlackPost) => {
    process.stdout.write(`\n[stand-in Slack] new message: ${message.text}\n`);
    for (const block of message.blocks) {
      const text = (block.text as { text?: string } | undefined)?.text;
      const fields = (block.fields as Array<{ text: string }> | undefined)?.map((field) => field.text.replace('\n', ': '));
      if (block.type === 'actions') process.stdout.write(`  [ Approve ]  [ Reject ]\n`);
      else if (text) process.stdout.write(`  ${text.replaceAll('\n', '\n  ')}\n`);
      else if (fields) process.stdout.write(`  ${fields.join(' · ')}\n`);
    }
  };
  standIn = await startSlackStandIn({
    signingSecret,
    onMessage: (message, workspace) => {
      show(message);
      setTimeout(async () => {
        process.stdout.write(`[stand-in Slack] ${approver.username} clicks Approve\n`);
        const response = await workspace.click(message, 'approve', approver);
        if (response.status !== 200) process.stdout.write(`[stand-in Slack] the click was refused: ${response.status} ${JSON.stringify(response.body)}\n`);
      }, 300);
    },
  });
  slack = new SlackChannel({ webhookUrl: standIn.webhookUrl, signingSecret });
  standIn.interactionsUrl = (await slack.listen()).interactionsUrl;
  process.stdout.write(`Slack approvals, offline: a stand-in Slack at ${standIn.webhookUrl}; clicks signed with its signing secret\n\n`);
}

try {
  const { result, deploys } = await runDeploys({ model, io, slack });
  process.stdout.write(`\nThe chat ended: ${result.ended.cause} (${result.ended.reason}); deployed: ${deploys.map((deploy) => `${deploy.service} ${deploy.version} → ${deploy.environment}`).join(', ') || 'nothing'}\n`);
} finally {
  await slack.close();
  await standIn?.close();
  await local?.close();
}
