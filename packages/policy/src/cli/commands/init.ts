// `handrail init [DIR]`: a first policy, its tests and a CI workflow in an existing project, each
// of which `handrail check`, `handrail test` and `handrail fmt --check` accept as written.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError, UsageError, exitCodes, parseCommandLine, type Command } from '../command.js';
import { reasonOf } from '../load-policy-file.js';

const namePattern = /^[a-z][a-z0-9_-]*$/;

function policyText(name: string): string {
  return `# ${name}: the agent goes on by itself; a person approves large payments and work the agent
# flags for review; the run ends when the agent says TERMINATE. The language is described in
# docs/policy-language.md of Handrail; run the tests beside this file with handrail test.
policy ${name.replaceAll('-', '_')} version 1

rule review:
  when content contains "NEEDS_REVIEW"
  then escalate "the agent asked for a review" else continue

rule payments:
  when tool.name in ["transfer_funds", "refund"] and tool.args.amount > 100
  then escalate "large payment" timeout 10m else stop

rule done: when content ends with "TERMINATE" then stop "finished"
`;
}

function testText(name: string): string {
  const cases = [
    { name: 'plain work goes on by itself', turn: { content: 'Booked invoice 41.' }, expect: { action: 'continue', rule: null } },
    { name: 'a flagged turn asks a person; no answer carries on', turn: { content: 'Invoice 42 NEEDS_REVIEW' }, expect: { action: 'escalate', rule: 'review', onNoInput: 'continue' } },
    { name: 'a refund over 100 waits 10 minutes for a person, then stops', turn: { tool: { name: 'refund', args: { amount: 250 } } }, expect: { action: 'escalate', rule: 'payments', timeoutMs: 600000, onNoInput: 'stop' } },
    { name: 'a small refund goes through', turn: { tool: { name: 'refund', args: { amount: 20 } } }, expect: { action: 'continue', rule: null } },
    { name: 'TERMINATE ends the run', turn: { content: 'All done. TERMINATE' }, expect: { action: 'stop', rule: 'done', reason: 'finished' } },
  ];
  const lines = cases.map((c) => `    ${JSON.stringify(c).replaceAll('":', '": ').replaceAll(',"', ', "')}`);
  return `{
  "$schema": "../node_modules/@handrail/policy/schema/policy-test.schema.json",
  "description": "${name}.policy: review and large payments ask a person; TERMINATE ends the run",
  "cases": [
${lines.join(',\n')}
  ]
}
`;
}

function workflowText(name: string): string {
  return `# Checks, formats and tests the policies (${name}.policy and its tests in policies/) on every
# push and pull request.
name: policies
on:
  push:
  pull_request:

jobs:
  policies:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - run: npm ci
      - run: npx handrail check --strict policies/*.policy
      - run: npx handrail fmt --check policies/*.policy
      - run: npx handrail test policies --coverage
`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return false;
    throw new CliError(`cannot look at ${path}: ${reasonOf(error)}`);
  }
}

/** `handrail init`: scaffold a policy, its test file and a CI workflow; never overwrite without --force. */
export const init: Command = {
  name: 'init',
  summary: 'scaffold a policy, its tests and a CI workflow in a project',
  usage: `handrail init [DIR] [--name NAME] [--force]

  Writes, in the project directory DIR (default: .), three files that pass handrail check,
  handrail test and handrail fmt --check as they are:
    policies/NAME.policy             a first policy (review, large payments, TERMINATE)
    policies/NAME.policy.test.json   its tests (see docs/testing-policies.md)
    .github/workflows/handrail.yml   a GitHub Actions workflow running check, fmt --check, test
  Prints each file it wrote. Refuses, writing nothing, when any of them exists.

  --name NAME   the policy's name (default: agent): lower-case letters, digits, _ and -
  --force       overwrite files that exist`,

  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, { name: { type: 'string' }, force: { type: 'boolean' } });
    if (positionals.length > 1) throw new UsageError('init takes one DIR');
    const dir = positionals[0] ?? '.';
    const name = values.name ?? 'agent';
    if (!namePattern.test(name)) throw new CliError(`--name must be lower-case letters, digits, _ and -, starting with a letter, not ${JSON.stringify(name)}`, exitCodes.usage);
    let info;
    try {
      info = await stat(dir);
    } catch (error) {
      throw new CliError(`cannot use ${dir}: ${reasonOf(error)}`);
    }
    if (!info.isDirectory()) throw new CliError(`cannot use ${dir}: it is not a directory`);

    const files: Array<[string, string]> = [
      [join(dir, 'policies', `${name}.policy`), policyText(name)],
      [join(dir, 'policies', `${name}.policy.test.json`), testText(name)],
      [join(dir, '.github', 'workflows', 'handrail.yml'), workflowText(name)],
    ];
    if (!values.force) {
      const taken: string[] = [];
      for (const [path] of files) if (await exists(path)) taken.push(path);
      if (taken.length) throw new CliError(`${taken.join(', ')} ${taken.length === 1 ? 'exists' : 'exist'}; nothing was written (--force overwrites)`);
    }
    for (const [path, text] of files) {
      try {
        await mkdir(join(path, '..'), { recursive: true });
        await writeFile(path, text);
      } catch (error) {
        throw new CliError(`cannot write ${path}: ${reasonOf(error)}`);
      }
      io.stdout(`wrote ${path}\n`);
    }
    io.stdout(`next: handrail check --strict ${join(dir, 'policies')}/*.policy && handrail test ${join(dir, 'policies')}\n`);
    return exitCodes.ok;
  },
};
