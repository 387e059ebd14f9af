// The offline run: what the scripted deployer says, and who clicks what in the stand-in Slack.
import type { ScriptedReply } from '@handrail/core/testing';

export const task = 'Ship billing-api 2.4.1: staging first, then production.';

export const deployerScript: ScriptedReply[] = [
  { toolCalls: [{ name: 'deploy', arguments: { service: 'billing-api', version: '2.4.1', environment: 'staging' } }] },
  { toolCalls: [{ name: 'deploy', arguments: { service: 'billing-api', version: '2.4.1', environment: 'production' } }] },
  'billing-api 2.4.1 is live on staging and production. TERMINATE',
];

/** The person in the stand-in Slack: who clicks, and which button. */
export const approver = { id: 'U024BE7LH', username: 'ana' };
