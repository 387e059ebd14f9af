// The `handrail` command on policy files written to a temporary directory: in this process
// through runCli, and for each command once as a user runs it, the real executable in a child
// process. Asserts what the user sees and the exit codes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from 'json-rules-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handrail, handrailBin, root, timeout } from './run-handrail.js';
import { addOperators } from '../src/index.js';




const invoices = `policy invoices
max auto_replies 8

rule review:   when content contains "NEEDS_REVIEW" then escalate "agent asked for review"
rule secrets:  when content contains any ["delete", "drop table", "send email", "production"] ignoring case
               then escalate "sensitive keyword" and reset auto_replies
rule payments: when tool.name in ["transfer_funds", "refund"] and tool.args.amount > 100
               then escalate "large payment" timeout 10m else stop
rule done:     when content ends with "TERMINATE" then stop
`;

const syntaxError = `policy broken

rule review: when content contains then escalate "agent asked for review"
`;

const unknownFact = `policy typo
rule review: when contnet contains "NEEDS_REVIEW" then escalate "agent asked for review"
`;

const customFact = `policy tiers
fact tier: string
rule gold: when tier == "gold" then continue with "approved"
`;

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-cli-'));
  writeFileSync(file('invoices.policy'), invoices);
  writeFileSync(file('syntax.policy'), syntaxError);
  writeFileSync(file('unknown-fact.policy'), unknownFact);
  writeFileSync(file('tiers.policy'), customFact);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stackLine = /^\s+at /m;

describe.concurrent('handrail check', { timeout }, () => {
  it('lists each regex with the engine it runs on, with --verbose', async ({ expect }) => {
    writeFileSync(file('regexes.policy'), 'policy regexes\nrule failure: when content matches /ERROR:|Traceback/i then escalate\nrule ambiguous: when content matches /(a|aa){1,40}c/ then stop\n');
    const result = await handrail('check', '--verbose', file('regexes.policy'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  rule failure: /ERROR:|Traceback/i runs on the JavaScript engine at every length (');
    expect(result.stdout).toContain('  rule ambiguous: /(a|aa){1,40}c/ runs on the linear engine at every length (');
    expect((await handrail('check', file('regexes.policy'))).stdout).not.toContain('runs on');
  });

  it('accepts a valid policy (the real executable)', async ({ expect }) => {
    const result = await handrailBin('check', file('invoices.policy'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^ok .*invoices\\.policy \\(4 rules, hash sha256:[0-9a-f]{64}\\)\\n$`));
    expect(result.stderr).toBe('');
  });

  it('prints a syntax error as a code frame with what was expected, and exits 1', async ({ expect }) => {
    const result = await handrail('check', file('syntax.policy'));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('syntax.policy:3:36: error UNEXPECTED_TOKEN: unexpected "then"');
    expect(result.stderr).toContain('> 3 | rule review: when content contains then escalate "agent asked for review"');
    expect(result.stderr).toMatch(/^ {4}\| {36}\^{4}$/m);
    expect(result.stderr).toContain('expected one of: "any", "all", a "string"');
    expect(result.stderr).not.toMatch(stackLine);
  });

  it('prints an unknown fact with the facts it could have been, and exits 1', async ({ expect }) => {
    const result = await handrail('check', file('unknown-fact.policy'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown-fact.policy:2:19: error UNKNOWN_FACT: unknown fact "contnet"');
    expect(result.stderr).toMatch(/^ {4}\| {19}\^{7}$/m);
    expect(result.stderr).toMatch(/expected one of: content, role, sender/);
    expect(result.stderr).not.toMatch(stackLine);
  });

  it('checks every file and reports each bad one', async ({ expect }) => {
    const result = await handrail('check', file('invoices.policy'), file('syntax.policy'), file('unknown-fact.policy'), file('missing.policy'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('invoices.policy (4 rules');
    expect(result.stderr).toContain('syntax.policy:3:36');
    expect(result.stderr).toContain('unknown-fact.policy:2:19');
    expect(result.stderr).toContain(`handrail: cannot read ${file('missing.policy')}: no such file or directory`);
    expect(result.stderr).toContain('3 of 4 files failed the check');
  });

  it('says in one line that a file cannot be read', async ({ expect }) => {
    const result = await handrail('check', file('missing.policy'));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`handrail: cannot read ${file('missing.policy')}: no such file or directory\n`);
  });

  it('needs a file', async ({ expect }) => {
    const result = await handrail('check');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('check needs at least one FILE');
    expect(result.stderr).toContain('usage: handrail check [--strict] [--verbose] FILE');
  });
});

describe.concurrent('handrail compile', { timeout }, () => {
  it('prints the compiled document, which check accepts back (the real executable)', async ({ expect }) => {
    const result = await handrailBin('compile', file('invoices.policy'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\{\n {2}"format": "handrail.policy\/v1",\n/);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ name: 'invoices', maxAutoReplies: 8, hash: expect.stringMatching(/^sha256:/) });
    expect(document.rules.map((rule: { name: string }) => rule.name)).toEqual(['review', 'secrets', 'payments', 'done']);

    writeFileSync(file('invoices.json'), result.stdout);
    const checked = await handrail('check', file('invoices.json'));
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain(`(4 rules, hash ${document.hash})`);
  });

  it('prints rules that json-rules-engine runs with our operators', async ({ expect }) => {
    const result = await handrail('compile', file('invoices.policy'), '--rules-only');
    expect(result.code).toBe(0);
    const rules = JSON.parse(result.stdout);
    expect(Array.isArray(rules)).toBe(true);

    const engine = new Engine(rules);
    addOperators(engine);
    const facts = { content: 'Please DROP TABLE invoices', tool: { name: 'refund', args: { amount: 250 } } };
    const { events } = await engine.run(facts);
    const byRule = Object.fromEntries(events.map((event) => [event.params?.rule, event]));
    expect(Object.keys(byRule).sort()).toEqual(['payments', 'secrets']);
    expect(byRule.secrets).toMatchObject({ type: 'escalate', params: { rule: 'secrets', reason: 'sensitive keyword', reset: ['auto_replies'] } });
    expect(byRule.payments).toMatchObject({ type: 'escalate', params: { reason: 'large payment', timeoutMs: 600_000, onNoInput: 'stop' } });

    const quiet = await engine.run({ content: 'All totals match. TERMINATE', tool: { name: 'lookup', args: {} } });
    expect(quiet.events.map((event) => event.type)).toEqual(['stop']);
  });

  it('reports a policy error as check does', async ({ expect }) => {
    const result = await handrail('compile', file('unknown-fact.policy'));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('unknown-fact.policy:2:19: error UNKNOWN_FACT');
    expect(result.stderr).not.toMatch(stackLine);
  });
});

describe.concurrent('handrail explain', { timeout }, () => {
  it('shows the decision, then every rule and condition, in the policy\'s syntax, with the value seen (the real executable)', async ({ expect }) => {
    const message = 'Please delete the production database now, before anyone notices it is gone';
    const result = await handrailBin('explain', file('invoices.policy'), '--message', message, '--role', 'assistant');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('escalate  (rule secrets) sensitive keyword  [else stop, reset auto_replies]');
    // Resolution order: stop before escalate, then file order.
    const rules = lines.filter((line) => /^[✓✗] /.test(line));
    expect(rules).toEqual(['✗ done → stop', '✗ review → escalate', '✓ secrets → escalate  (decides)', '✗ payments → escalate']);
    expect(result.stdout).toContain(
      '  ✓ content contains any ["delete", "drop table", "send email", "production"] ignoring case  saw "Please delete the production database now, before anyone no…"',
    );
    expect(result.stdout).toContain('  ✗ tool.name in ["transfer_funds", "refund"]  saw (none)');
    expect(result.stdout).not.toMatch(/numberAbove|textContains|oneOf/);
  });

  it('reads the tool call, its arguments and the loop state', async ({ expect }) => {
    const result = await handrail('explain', file('invoices.policy'), '--message', 'Refunding order 42', '--tool', 'refund', '--args', '{"amount": 250}', '--step', '3', '--auto-replies', '2', '--no-termination');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('escalate  (rule payments) large payment  [else stop, timeout 10m]');
    expect(result.stdout).toContain('  ✓ tool.args.amount > 100  saw 250');
  });

  it('gives the same decision with json-rules-engine as the evaluator', async ({ expect }) => {
    const args = ['explain', file('invoices.policy'), '--message', 'Refunding order 42', '--tool', 'refund', '--args', '{"amount": 250}'];
    const [fast, reference] = await Promise.all([handrail(...args), handrail(...args, '--engine', 'reference')]);
    expect(reference.code).toBe(0);
    expect(reference.stdout).toBe(fast.stdout);
  });

  it('prints the whole decision as JSON with --json', async ({ expect }) => {
    const result = await handrail('explain', file('invoices.policy'), '--message', 'All done. TERMINATE', '--json');
    expect(result.code).toBe(0);
    const decision = JSON.parse(result.stdout);
    expect(decision).toMatchObject({ action: 'stop', rule: 'done', policy: { name: 'invoices' } });
    expect(decision.explanation).toHaveLength(4);
    expect(decision.explanation[0].conditions.all[0]).toMatchObject({ fact: 'content', operator: 'textEndsWith', factResult: 'All done. TERMINATE', result: true });
  });

  it('takes custom facts as name=JSON', async ({ expect }) => {
    const result = await handrail('explain', file('tiers.policy'), '--message', 'hello', '--fact', 'tier="gold"');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('continue  (rule gold) rule gold  [reply "approved"]');
    expect(result.stdout).toContain('  ✓ tier == "gold"  saw "gold"');
  });

  it('explains a decision that failed closed because a fact is missing', async ({ expect }) => {
    const result = await handrail('explain', file('tiers.policy'), '--message', 'hello');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^escalate {2}\(no rule: deciding failed\) could not decide: .*"tier".*\[else stop, error MISSING_FACT\]/);
    expect(result.stderr).toContain('--fact NAME=JSON');
  });

  it('rejects bad JSON in --args and --fact with one line and exit code 2', async ({ expect }) => {
    const [args, fact] = await Promise.all([
      handrail('explain', file('invoices.policy'), '--message', 'hi', '--tool', 'refund', '--args', '{amount: 1}'),
      handrail('explain', file('tiers.policy'), '--message', 'hi', '--fact', 'tier=gold'),
    ]);
    expect(args.code).toBe(2);
    expect(args.stderr).toMatch(/^handrail: --args is not valid JSON: [^\n]*\n$/);
    expect(fact.code).toBe(2);
    expect(fact.stderr).toMatch(/^handrail: --fact tier is not valid JSON: [^\n]*'"gold"'[^\n]*\n$/);
  });

  it('rejects an unknown option in one line, with what was meant', async ({ expect }) => {
    const result = await handrail('explain', file('invoices.policy'), '--mesage', 'hi');
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'handrail explain: unknown option --mesage\ndid you mean --message? Run handrail explain --help for its usage.\n',
    });
  });
});

describe.concurrent('handrail init', { timeout }, () => {
  it('scaffolds a policy, its tests and a workflow that check, test and fmt --check accept (the real executable)', async ({ expect }) => {
    const project = mkdtempSync(join(dir, 'project-'));
    const result = await handrailBin('init', project, '--name', 'support-desk');
    const policy = join(project, 'policies', 'support-desk.policy');
    const tests = join(project, 'policies', 'support-desk.policy.test.json');
    const workflow = join(project, '.github', 'workflows', 'handrail.yml');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`wrote ${policy}\nwrote ${tests}\nwrote ${workflow}\n`);
    expect(result.stderr).toBe('');
    expect(await handrail('check', '--strict', policy)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok .*\(3 rules/) });
    expect(await handrail('fmt', '--check', policy)).toEqual({ code: 0, stdout: '1 file formatted\n', stderr: '' });
    const tested = await handrail('test', join(project, 'policies'), '--coverage-threshold', '100');
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/\n5 passed, 0 failed\n$/);
    // The workflow runs the same three commands on the same files.
    const yaml = readFileSync(workflow, 'utf8');
    for (const step of ['npx handrail check --strict policies/*.policy', 'npx handrail fmt --check policies/*.policy', 'npx handrail test policies']) expect(yaml).toContain(`- run: ${step}`);
  });

  it('overwrites nothing without --force, and writes nothing when one file exists', async ({ expect }) => {
    const project = mkdtempSync(join(dir, 'project-'));
    expect((await handrail('init', project)).code).toBe(0);
    const policy = join(project, 'policies', 'agent.policy');
    writeFileSync(policy, 'policy mine\n');
    const again = await handrail('init', project);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`handrail: ${policy}, ${join(project, 'policies', 'agent.policy.test.json')}, ${join(project, '.github', 'workflows', 'handrail.yml')} exist; nothing was written (--force overwrites)\n`);
    expect(readFileSync(policy, 'utf8')).toBe('policy mine\n');
    const other = await handrail('init', project, '--name', 'other');
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('handrail.yml exists; nothing was written');
    expect(() => readFileSync(join(project, 'policies', 'other.policy'))).toThrow();
    expect((await handrail('init', project, '--force')).code).toBe(0);
    expect(readFileSync(policy, 'utf8')).toMatch(/^# agent: /);
  });

  it('needs an existing directory and a name it can use', async ({ expect }) => {
    expect(await handrail('init', join(dir, 'nowhere'))).toEqual({ code: 1, stdout: '', stderr: `handrail: cannot use ${join(dir, 'nowhere')}: no such file or directory\n` });
    const name = await handrail('init', dir, '--name', 'Bad Name');
    expect(name.code).toBe(2);
    expect(name.stderr).toBe('handrail: --name must be lower-case letters, digits, _ and -, starting with a letter, not "Bad Name"\n');
  });
});

describe.concurrent('handrail help', { timeout }, () => {
  it('lists every command with --help and help (the real executable)', async ({ expect }) => {
    const [flag, word] = await Promise.all([handrailBin('--help'), handrail('help')]);
    for (const result of [flag, word]) {
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('usage: handrail COMMAND [options]');
      for (const command of ['check', 'compile', 'explain']) expect(result.stdout).toMatch(new RegExp(`^ {2}${command} `, 'm'));
    }
    expect(word.stdout).toBe(flag.stdout);
  });

  it('shows one command with help COMMAND and COMMAND --help', async ({ expect }) => {
    const [word, flag] = await Promise.all([handrail('help', 'compile'), handrail('compile', '--help')]);
    expect(word.code).toBe(0);
    expect(word.stdout).toMatch(/^usage: handrail compile FILE \[--rules-only\]/);
    expect(flag.stdout).toBe(word.stdout);
  });

  it('shows each command\'s usage with -h and --help, and only that', async ({ expect }) => {
    for (const command of ['init', 'check', 'compile', 'explain', 'audit', 'test', 'fmt', 'replay']) {
      const [short, long] = await Promise.all([handrail(command, '-h'), handrail(command, '--help')]);
      expect(short.code).toBe(0);
      expect(short.stdout).toMatch(new RegExp(`^usage: handrail ${command} `));
      expect(short.stdout).not.toContain('Commands:');
      expect(long).toEqual(short);
    }
  });

  it('prints the version of the package with --version', async ({ expect }) => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await handrail('--version')).toEqual({ code: 0, stdout: `handrail ${version}\n`, stderr: '' });
  });

  it('rejects an unknown command in one line, with what was meant, and exit code 2', async ({ expect }) => {
    expect(await handrail('chek', 'x.policy')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'handrail: unknown command "chek"\ndid you mean handrail check? Run handrail --help for the list of commands.\n',
    });
    expect(await handrail('lnt', 'x.policy')).toEqual({ code: 2, stdout: '', stderr: 'handrail: unknown command "lnt"\ndid you mean handrail lint? Run handrail --help for the list of commands.\n' });
    expect(await handrail('help', 'vet')).toEqual({ code: 2, stdout: '', stderr: 'handrail: unknown command "vet"\nRun handrail --help for the list of commands.\n' });
    expect(await handrail('--verbose')).toEqual({ code: 2, stdout: '', stderr: 'handrail: unknown option --verbose\nRun handrail --help for the commands and their options.\n' });
  });

  it('answers a wrong option of every command in its own words, never with Node\'s or a stack', async ({ expect }) => {
    const cases: Array<[string[], string]> = [
      [['check', '--strct', file('invoices.policy')], 'handrail check: unknown option --strct\ndid you mean --strict? Run handrail check --help for its usage.\n'],
      [['lint', '--fix', file('invoices.policy')], 'handrail lint: unknown option --fix\nRun handrail lint --help for its usage.\n'],
      [['compile', file('invoices.policy'), '--rules-onyl'], 'handrail compile: unknown option --rules-onyl\ndid you mean --rules-only? Run handrail compile --help for its usage.\n'],
      [['test', '--covrage'], 'handrail test: unknown option --covrage\ndid you mean --coverage? Run handrail test --help for its usage.\n'],
      [['test', '--engine'], 'handrail test: option --engine needs a value\nRun handrail test --help for its usage.\n'],
      [['fmt', '--check=yes', file('invoices.policy')], 'handrail fmt: option --check takes no value\nRun handrail fmt --help for its usage.\n'],
      [['audit', 'verify', '-x', file('log.jsonl')], 'handrail audit: unknown option -x\nRun handrail audit --help for its usage.\n'],
      [['replay', file('invoices.policy'), file('log.jsonl'), '--agianst', 'x'], 'handrail replay: unknown option --agianst\ndid you mean --against? Run handrail replay --help for its usage.\n'],
      [['init', '--forse'], 'handrail init: unknown option --forse\ndid you mean --force? Run handrail init --help for its usage.\n'],
    ];
    for (const [args, stderr] of cases) expect(await handrail(...args)).toEqual({ code: 2, stdout: '', stderr });
  });

  it('prints the usage when no command is given, with exit code 2', async ({ expect }) => {
    const none = await handrail();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: handrail COMMAND [options]');
    expect(none.stdout).toBe('');
  });
});

describe('a reader that stops early', () => {
  it('is not an error', async () => {
    const { execSync } = await import('node:child_process');
    // Far more output than a pipe holds, so the writer meets the closed pipe.
    const dir = mkdtempSync(join(tmpdir(), 'handrail-epipe-'));
    const rules = Array.from({ length: 400 }, (_, i) => `rule r${i}: when content contains "word ${i}" and step > ${i} then escalate "reason ${i}"`);
    writeFileSync(join(dir, 'big.policy'), ['policy big', ...rules].join('\n'));
    try {
      const output = execSync(`node packages/policy/bin/handrail.js compile ${join(dir, 'big.policy')} | head -1; echo "exit \${PIPESTATUS[0]}"`, { cwd: root, shell: '/bin/bash', encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(output).toBe('{\nexit 0\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
