// `handrail lint` and `handrail check --strict` on policy files in a temporary directory: what the
// user sees and the exit codes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { compileToDocument } from '../src/index.js';
import { handrail, handrailBin, timeout } from './run-handrail.js';

const clean = `policy clean
rule review: when content contains "NEEDS_REVIEW" then escalate "agent asked for review"
rule done: when content ends with "TERMINATE" then stop
`;

const shadowed = `policy shadowed
rule big: when tool.args.amount > 100 then escalate "big payment"
rule huge: when tool.args.amount > 10000 then escalate "huge payment"
`;

const silenced = `policy silenced
rule big: when tool.args.amount > 100 then escalate "big payment"
# handrail-ignore UNREACHABLE_RULE
rule huge: when tool.args.amount > 10000 then escalate "huge payment"
`;

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-lint-'));
  writeFileSync(file('clean.policy'), clean);
  writeFileSync(file('shadowed.policy'), shadowed);
  writeFileSync(file('silenced.policy'), silenced);
  writeFileSync(file('broken.policy'), 'policy broken\nrule r: when contnet contains "x" then stop\n');
  writeFileSync(file('shadowed.json'), JSON.stringify(compileToDocument(shadowed)));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.concurrent('handrail lint', { timeout }, () => {
  it('prints ok for a clean file and exits 0', async ({ expect }) => {
    const result = await handrail('lint', file('clean.policy'), file('silenced.policy'));
    expect(result).toEqual({ code: 0, stdout: `ok ${file('clean.policy')} (no findings)\nok ${file('silenced.policy')} (no findings)\n`, stderr: '' });
  });

  it('prints each finding as a code frame with its code, and exits 1', async ({ expect }) => {
    const result = await handrail('lint', file('shadowed.policy'), file('clean.policy'));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`ok ${file('clean.policy')} (no findings)\n`);
    expect(result.stderr).toBe(
      [
        `${file('shadowed.policy')}:3:6: warning UNREACHABLE_RULE: rule huge never decides: whenever it holds, rule big (line 2) holds too and wins (it comes first in the policy); give this rule a higher priority (\`rule huge priority 2:\`), narrow big so that it leaves this case alone (\`and not …\`), or remove it`,
        '  2 | rule big: when tool.args.amount > 100 then escalate "big payment"',
        '> 3 | rule huge: when tool.args.amount > 10000 then escalate "huge payment"',
        '    |      ^^^^',
        'handrail: 1 finding in 1 of 2 files',
        '',
      ].join('\n'),
    );
  });

  it('reports a policy that does not compile as check does, and goes on with the others', async ({ expect }) => {
    const result = await handrail('lint', file('broken.policy'), file('clean.policy'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file('broken.policy')}:2:14: error UNKNOWN_FACT: unknown fact "contnet"`);
    expect(result.stderr).toContain('handrail: 1 of 2 files could not be linted');
    expect(result.stdout).toBe(`ok ${file('clean.policy')} (no findings)\n`);
  });

  it('refuses a compiled document, which keeps no source to lint', async ({ expect }) => {
    const result = await handrail('lint', file('shadowed.json'));
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `handrail: ${file('shadowed.json')} is a compiled document, which keeps no source to lint; lint the .policy file it was compiled from\n`,
    });
  });

  it('lists the codes and how to silence one in its help, and needs a file', async ({ expect }) => {
    const help = await handrail('help', 'lint');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('# handrail-ignore CODE');
    expect(help.stdout).toContain('    UNREACHABLE_RULE       a rule that never decides');
    expect((await handrail('--help')).stdout).toMatch(/\n {2}lint +find rules that never decide/);
    const usage = await handrail('lint');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('handrail lint: lint needs at least one FILE');
  });

  it('runs as the real executable', async ({ expect }) => {
    const result = await handrailBin('lint', file('shadowed.policy'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('warning UNREACHABLE_RULE: rule huge never decides');
  });
});

describe.concurrent('handrail check --strict', { timeout }, () => {
  it('fails on lint findings, printed as lint prints them', async ({ expect }) => {
    const result = await handrail('check', '--strict', file('shadowed.policy'), file('clean.policy'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^ok ${file('clean.policy').replace(/[.\\/]/g, '\\$&')} \\(2 rules, hash sha256:[0-9a-f]{64}\\)\\n$`));
    expect(result.stderr).toContain(`${file('shadowed.policy')}:3:6: warning UNREACHABLE_RULE: rule huge never decides`);
    expect(result.stderr).toContain(`handrail: 1 lint finding in ${file('shadowed.policy')}\n`);
    expect(result.stderr).toContain('handrail: 1 of 2 files failed the check\n');
  });

  it('passes a silenced finding, and only checks a compiled document', async ({ expect }) => {
    const result = await handrail('check', '--strict', file('silenced.policy'), file('shadowed.json'));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('leaves plain check unchanged: findings are not errors', async ({ expect }) => {
    const result = await handrail('check', file('shadowed.policy'));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^ok .*shadowed\.policy \(2 rules, hash sha256:/);
  });
});
