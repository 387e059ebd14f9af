#!/usr/bin/env node
// Installed, the package has no sources: the built CLI runs, with no TypeScript loader. In a
// checkout, the sources run through tsx, so a build left over from earlier (or one being written
// right now) is never what runs.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
