// The data analysis: an analyst (a model) writes Python; the proxy runs it in the output folder
// with nobody watching. Every decision comes from analysis.policy (mode never).
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssistantAgent, assistantSystemMessage, showDecisions, UserProxyAgent, type ChatResult, type HumanIO, type Model } from '@handrail/core';
import { loadPolicyFile } from '@handrail/policy';
import { task } from './script.js';

export const policyFile = fileURLToPath(new URL('../analysis.policy', import.meta.url));
export const dataFile = fileURLToPath(new URL('../data.csv', import.meta.url));

/**
 * Runs the analysis in `workDir`, where data.csv is copied first and the chart and report end up.
 *
 * @example
 * const result = await runAnalysis({ model, io, workDir: 'output' });
 */
export async function runAnalysis(options: { model: Model; io: HumanIO; workDir: string }): Promise<ChatResult> {
  await mkdir(options.workDir, { recursive: true });
  await copyFile(dataFile, join(options.workDir, 'data.csv'));
  const analyst = new AssistantAgent('analyst', { model: options.model, systemMessage: assistantSystemMessage, io: options.io });
  const runner = new UserProxyAgent('runner', {
    policy: await loadPolicyFile(policyFile),
    codeExecutionConfig: { workDir: options.workDir, timeout: 120 },
    isTerminationMsg: (message) => (message.content ?? '').trimEnd().endsWith('TERMINATE'),
    io: options.io,
  });
  const stop = showDecisions(runner);
  try {
    return await runner.initiateChat(analyst, { message: task });
  } finally {
    stop();
  }
}
