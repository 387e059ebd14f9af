// The Slack approval proxy: a deployer (a model) proposes deploys; the ops proxy runs them, and
// its policy sends production deploys to Slack as a message with Approve and Reject buttons.
import { fileURLToPath } from 'node:url';
import { AssistantAgent, registerFunction, showDecisions, UserProxyAgent, type ApprovalChannel, type ChatResult, type HumanIO, type Model } from '@handrail/core';
import { loadPolicyFile } from '@handrail/policy';
import { task } from './script.js';

export const policyFile = fileURLToPath(new URL('../deploys.policy', import.meta.url));

export interface Deploy {
  service: string;
  version: string;
  environment: string;
}

/**
 * Runs the deploy chat; `slack` answers the escalations the policy sends `via slack`.
 *
 * @example
 * const { result, deploys } = await runDeploys({ model, io, slack: new SlackChannel({ webhookUrl, signingSecret }) });
 */
export async function runDeploys(options: { model: Model; io: HumanIO; slack: ApprovalChannel }): Promise<{ result: ChatResult; deploys: Deploy[] }> {
  const deploys: Deploy[] = [];
  const deployer = new AssistantAgent('deployer', {
    model: options.model,
    io: options.io,
    systemMessage: 'You deploy services with the deploy tool, staging before production. When both are done, say so and end with TERMINATE.',
  });
  const ops = new UserProxyAgent('ops', { policy: await loadPolicyFile(policyFile), codeExecutionConfig: false, io: options.io, channels: { slack: options.slack } });
  registerFunction(
    (args) => {
      const deploy = args as unknown as Deploy;
      deploys.push(deploy);
      return `${deploy.service} ${deploy.version} deployed to ${deploy.environment}`;
    },
    {
      caller: deployer,
      executor: ops,
      name: 'deploy',
      description: 'Deploy a version of a service to an environment',
      parameters: {
        type: 'object',
        properties: { service: { type: 'string' }, version: { type: 'string' }, environment: { type: 'string', enum: ['staging', 'production'] } },
        required: ['service', 'version', 'environment'],
      },
    },
  );
  const stop = showDecisions(ops);
  const notes = ops.on((event) => {
    if (event.type === 'human-input-requested' && event.channel) ops.print(`[handrail] asked in ${event.channel}: ${event.prompt}`);
    if (event.type === 'human-input-received' && event.channel) ops.print(`[handrail] ${event.approval?.kind ?? 'answer'}${event.by ? ` by ${event.by}` : ''} from ${event.channel}`);
  });
  try {
    return { result: await ops.initiateChat(deployer, { message: task }), deploys };
  } finally {
    stop();
    notes();
  }
}
