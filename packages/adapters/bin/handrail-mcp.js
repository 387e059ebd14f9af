#!/usr/bin/env node
// Installed, the package has no sources: the built gateway runs, with no TypeScript loader. In a
// checkout, the sources run through tsx with the workspace's source condition (a process flag,
// so in a child process that shares this one's stdio), so a stale build is never what runs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const sources = new URL('../src/mcp/main.ts', import.meta.url);
if (existsSync(sources)) {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--conditions=@handrail/source', fileURLToPath(sources), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await import(new URL('../dist/mcp/main.js', import.meta.url).href);
}
