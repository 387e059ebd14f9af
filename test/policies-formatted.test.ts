// Every policy the repository ships is checked, tested and laid out as `handrail fmt` would.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const shipped = [
  ...readdirSync(join(root, 'examples'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.policy') && !file.includes('node_modules'))
    .map((file) => join('examples', file)),
  ...['always', 'never', 'terminate'].map((name) => `packages/policy/presets/${name}.policy`),
];

function handrail(...args: string[]): string {
  return execFileSync(process.execPath, ['packages/policy/bin/handrail.js', ...args], { cwd: root, encoding: 'utf8' });
}

describe('the shipped policies', () => {
  it('are found', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(10);
  });

  it('check and are formatted', () => {
    expect(handrail('check', ...shipped)).toContain(`ok ${shipped[0]}`);
    handrail('fmt', '--check', ...shipped);
  }, 60_000);
});
