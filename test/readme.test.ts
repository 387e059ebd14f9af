// The README's examples are real: its code is a file that runs, its error frame what the
// compiler prints.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy, PolicyError } from '../packages/policy/src/index.js';

const root = new URL('..', import.meta.url).pathname;
const readme = readFileSync(`${root}README.md`, 'utf8');

function blockAfter(marker: string): string {
  const start = readme.indexOf(marker);
  expect(start, `README has ${marker}`).toBeGreaterThanOrEqual(0);
  const open = readme.indexOf('\n', readme.indexOf('```', start)) + 1;
  return readme.slice(open, readme.indexOf('```', open));
}

describe('the README', () => {
  it('shows the quick-start file as it is, and that file runs', () => {
    const file = 'examples/policies/src/quick-start.ts';
    expect(blockAfter(`<!-- ${file} -->`)).toBe(readFileSync(`${root}${file}`, 'utf8'));
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@handrail/source', 'src/quick-start.ts'], { cwd: `${root}examples/policies`, encoding: 'utf8' });
    expect(output).toBe('ask a person: large payment (rule large); after 600000 ms: stop\n');
  });

  it('shows the invoices policy as it is: the one the demo runs and the examples test', () => {
    const file = 'examples/policies/invoices.policy';
    expect(blockAfter(`<!-- ${file} -->`)).toBe(readFileSync(`${root}${file}`, 'utf8'));
    expect(readFileSync(`${root}examples/invoice-processing/src/demo.ts`, 'utf8')).toContain("new URL('../../policies/invoices.policy', import.meta.url)");
  });

  it('shows the error frame the compiler prints', () => {
    const broken = [
      'policy invoices version 3',
      'mode terminate',
      'max auto_replies 8',
      '',
      'rule failure: when content matches /ERROR:|Traceback/i then escalate "error state"',
      '# Escalate when the agent asks for review.',
      'rule review: when content containz "NEEDS_REVIEW" then escalate',
      '',
    ].join('\n');
    let frame = '';
    try {
      compilePolicy(broken, { file: 'invoices.policy' });
    } catch (error) {
      if (!PolicyError.isInstance(error)) throw error;
      frame = error.format();
    }
    expect(blockAfter('A broken policy prints')).toBe(`${frame}\n`);
  });

  it('shows handrail commands that run', () => {
    const block = blockAfter('## The `handrail` command');
    const commands = block
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter(Boolean);
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const command of commands) {
      expect(command.startsWith('corepack pnpm handrail ')).toBe(true);
      // execFileSync throws, and the test fails, on any exit status but 0.
      execFileSync('bash', ['-c', command.replace('corepack pnpm handrail ', `${process.execPath} packages/policy/bin/handrail.js `)], { cwd: root, encoding: 'utf8' });
    }
  }, 120_000);
});
