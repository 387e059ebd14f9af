// `handrail fmt` on policy files in a temporary directory: in this process through runCli, and once
// as a user runs it, the real executable in a child process from the repository root.
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handrail, handrailBin, timeout } from './run-handrail.js';
import { compilePolicy, formatPolicy } from '../src/index.js';



const messy = `policy invoices   # the invoice desk
rule review:   when content contains "NEEDS_REVIEW" then escalate "agent asked for review"
mode terminate
`;
const tidy = formatPolicy(messy);
const broken = 'policy broken\n\nrule review: when content contains then escalate "agent asked for review"\n';

let dir: string;
const file = (name: string) => join(dir, name);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-fmt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.concurrent('handrail fmt', { timeout }, () => {
  it('lists the files that are not formatted with --check, changing nothing, and exits 1', async () => {
    const at = (name: string) => join(dir, `check-${name}`);
    writeFileSync(at('messy.policy'), messy);
    writeFileSync(at('tidy.policy'), tidy);
    const result = await handrail('fmt', '--check', at('messy.policy'), at('tidy.policy'));
    expect(result).toEqual({ code: 1, stdout: `${at('messy.policy')}\n`, stderr: 'handrail: 1 of 2 files is not formatted; run handrail fmt on it\n' });
    expect(readFileSync(at('messy.policy'), 'utf8')).toBe(messy);
    const clean = await handrail('fmt', '--check', at('tidy.policy'));
    expect(clean).toEqual({ code: 0, stdout: '1 file formatted\n', stderr: '' });
    writeFileSync(at('tidy-too.policy'), tidy);
    expect(await handrail('fmt', '--check', at('tidy.policy'), at('tidy-too.policy'))).toEqual({ code: 0, stdout: '2 files formatted\n', stderr: '' });
  });

  it('rewrites files in place, keeping their mode and meaning, and leaves no temporary file (the real executable)', async () => {
    const at = (name: string) => join(dir, `write-${name}`);
    writeFileSync(at('messy.policy'), messy);
    chmodSync(at('messy.policy'), 0o640);
    writeFileSync(at('tidy.policy'), tidy);
    const before = readdirSync(dir).filter((name) => name.startsWith('write-') || name.includes('.tmp')).sort();
    const result = await handrailBin('fmt', at('messy.policy'), at('tidy.policy'));
    expect(result).toEqual({ code: 0, stdout: `formatted ${at('messy.policy')}\n`, stderr: '' });
    expect(readFileSync(at('messy.policy'), 'utf8')).toBe(`policy invoices  # the invoice desk
mode terminate
rule review: when content contains "NEEDS_REVIEW" then escalate "agent asked for review"
`);
    expect(compilePolicy(readFileSync(at('messy.policy'), 'utf8')).hash).toBe(compilePolicy(messy).hash);
    expect(statSync(at('messy.policy')).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((name) => name.startsWith('write-') || name.includes('.tmp')).sort()).toEqual(before);
  });

  it('rewrites the file a symbolic link points to, and keeps the link', async () => {
    const at = (name: string) => join(dir, `link-${name}`);
    writeFileSync(at('target.policy'), messy);
    symlinkSync(at('target.policy'), at('link.policy'));
    const result = await handrail('fmt', at('link.policy'));
    expect(result.code).toBe(0);
    expect(lstatSync(at('link.policy')).isSymbolicLink()).toBe(true);
    expect(readFileSync(at('target.policy'), 'utf8')).toBe(tidy);
  });

  it('shows a file that does not parse as a code frame, leaves it alone and formats the others', async () => {
    const at = (name: string) => join(dir, `broken-${name}`);
    writeFileSync(at('broken.policy'), broken);
    writeFileSync(at('messy.policy'), messy);
    const result = await handrail('fmt', at('broken.policy'), at('messy.policy'));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`formatted ${at('messy.policy')}\n`);
    expect(result.stderr).toBe(`${at('broken.policy')}:3:36: error UNEXPECTED_TOKEN: unexpected "then"
  2 | 
> 3 | rule review: when content contains then escalate "agent asked for review"
    |                                    ^^^^
  expected one of: "any", "all", a "string"
handrail: 1 of 2 files could not be formatted
`);
    expect(readFileSync(at('broken.policy'), 'utf8')).toBe(broken);
    expect(readFileSync(at('messy.policy'), 'utf8')).toBe(tidy);
  });

  it('says which file it cannot read, refuses compiled documents, and needs a FILE', async () => {
    const missing = await handrail('fmt', file('missing.policy'));
    expect(missing).toEqual({ code: 1, stdout: '', stderr: `handrail: cannot read ${file('missing.policy')}: no such file or directory\n` });
    writeFileSync(file('compiled.json'), JSON.stringify(compilePolicy(messy).document));
    const json = await handrail('fmt', file('compiled.json'));
    expect(json).toEqual({ code: 1, stdout: '', stderr: `handrail: ${file('compiled.json')} is a compiled document; fmt formats .policy files\n` });
    const none = await handrail('fmt');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^handrail fmt: fmt needs at least one FILE\n\nusage: handrail fmt \[--check\] FILE…/);
  });
});
