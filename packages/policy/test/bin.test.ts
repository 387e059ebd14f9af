// What the `handrail` executable runs: in a checkout the sources, even beside a build (a stale
// one, or one another process is writing); installed, the build, with no TypeScript loader.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bin, root, timeout } from './run-handrail.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A package directory with the real bin/handrail.js and stand-ins for the CLI it may load. */
function packageWith(parts: { sources: boolean; build: boolean; loader: boolean }): string {
  const dir = mkdtempSync(join(tmpdir(), 'handrail-bin-'));
  made.push(dir);
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(root, bin), join(dir, 'bin', 'handrail.js'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  if (parts.sources) {
    mkdirSync(join(dir, 'src', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'src', 'cli', 'main.ts'), "const ran: string = 'sources';\nconsole.log(ran);\n");
  }
  if (parts.build) {
    mkdirSync(join(dir, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'cli', 'main.js'), "console.log('build');\n");
  }
  // tsx, as the repository's root dependencies provide it.
  if (parts.loader) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function run(dir: string): string {
  return execFileSync(process.execPath, [join(dir, 'bin', 'handrail.js')], { cwd: dir, encoding: 'utf8', timeout }).trim();
}

describe('bin/handrail.js', () => {
  it('runs the sources in a checkout, even when a build is there too', () => {
    expect(run(packageWith({ sources: true, build: true, loader: true }))).toBe('sources');
  });

  it('runs the build when installed (no sources), with no TypeScript loader to be found', () => {
    expect(run(packageWith({ sources: false, build: true, loader: false }))).toBe('build');
  });
});
