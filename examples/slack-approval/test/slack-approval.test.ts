// The Slack approval proxy against the stand-in Slack: production waits for a signed click;
// Approve deploys, Reject stops; and the `start` command as a person runs it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SlackChannel } from '@handrail/core';
import { ScriptedIO, ScriptedModel, startSlackStandIn } from '@handrail/core/testing';
import { expect, test } from 'vitest';
import { runDeploys } from '../src/demo.js';
import { approver, deployerScript } from '../src/script.js';

const signingSecret = 'stand-in-signing-secret-0123456789';

async function run(click: 'approve' | 'reject') {
  const standIn = await startSlackStandIn({ signingSecret, onMessage: (message, slack) => void slack.click(message, click, approver) });
  const slack = new SlackChannel({ webhookUrl: standIn.webhookUrl, signingSecret });
  standIn.interactionsUrl = (await slack.listen()).interactionsUrl;
  try {
    const io = new ScriptedIO();
    const outcome = await runDeploys({ model: new ScriptedModel(deployerScript), io, slack });
    return { ...outcome, io, standIn };
  } finally {
    await slack.close();
    await standIn.close();
  }
}

test('staging deploys by itself; production waits for Approve in Slack, then deploys', async () => {
  const { result, deploys, io, standIn } = await run('approve');
  expect(deploys.map((deploy) => deploy.environment)).toEqual(['staging', 'production']);
  expect(result.ended).toMatchObject({ cause: 'stop', reason: 'the task is finished' });
  expect(standIn.messages.all).toHaveLength(1);
  const [message] = standIn.messages.all;
  expect(message!.text).toBe('Approval needed: deployer wants to deploy to production. Approve?');
  expect(JSON.stringify(message!.blocks)).toContain('\\"environment\\": \\"production\\"');
  expect(standIn.updates.all).toEqual([{ replace_original: true, text: 'Approved by ana: deployer wants to deploy to production. Approve?' }]);
  expect(io.printed).toContain('[handrail] approve by ana from slack');
  expect(result.events.find((event) => event.type === 'human-input-received')).toMatchObject({ channel: 'slack', by: 'ana', approval: { kind: 'approve' } });
});

test('Reject in Slack stops the run before production', async () => {
  const { result, deploys } = await run('reject');
  expect(deploys.map((deploy) => deploy.environment)).toEqual(['staging']);
  expect(result.ended).toMatchObject({ cause: 'rejected', agent: 'ops', rule: 'production', reason: 'rejected by ana: rejected in Slack' });
});

test('`start` runs offline against the stand-in Slack', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const env = { ...process.env };
  for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'SLACK_WEBHOOK_URL', 'SLACK_SIGNING_SECRET']) delete env[name];
  const started = spawnSync(`${root}node_modules/.bin/tsx`, ['--conditions=@handrail/source', 'src/main.ts'], { cwd: fileURLToPath(new URL('..', import.meta.url)), env, input: '', encoding: 'utf8', timeout: 60_000 });
  expect(started.stderr).toBe('');
  expect(started.status).toBe(0);
  expect(started.stdout).toContain('[stand-in Slack] new message: Approval needed: deployer wants to deploy to production. Approve?');
  expect(started.stdout).toContain('[stand-in Slack] ana clicks Approve\n[handrail] approve by ana from slack\n>>>>>>>> APPROVED by ana.');
  expect(started.stdout).toMatch(/The chat ended: stop \(the task is finished\); deployed: billing-api 2\.4\.1 → staging, billing-api 2\.4\.1 → production\n$/);
});
