// `handrail check` starts quickly because what it does not need is never loaded: ajv (the JSON
// Schemas), json-rules-engine (the reference engine) and re2js (the linear regex engine, needed
// only for a policy with a regex). The real executable runs with a hook that reports every
// package loaded through require, as these are.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, root, timeout } from './run-handrail.js';

const directory = mkdtempSync(join(tmpdir(), 'handrail-startup-'));
const hook = join(directory, 'report-loads.cjs');
writeFileSync(
  hook,
  `const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  const name = /(ajv|json-rules-engine|re2js)/.exec(request);
  if (name) process.stderr.write('loaded ' + name[1] + '\\n');
  return load.call(this, request, ...rest);
};
`,
);

function checkWithHook(file: string): Promise<{ code: number; loaded: string[] }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--require', hook, bin, 'check', file], { cwd: root, encoding: 'utf8', timeout }, (error, _stdout, stderr) => {
      const loaded = [...new Set(stderr.split('\n').filter((line) => line.startsWith('loaded ')).map((line) => line.slice('loaded '.length)))];
      resolve({ code: error ? Number(error.code) : 0, loaded: loaded.sort() });
    });
  });
}

describe('handrail check loads only what it needs', () => {
  it('loads none of ajv, json-rules-engine and re2js for a policy without regexes', async () => {
    const file = join(directory, 'plain.policy');
    writeFileSync(file, 'policy plain\nrule done: when content ends with "TERMINATE" then stop\n');
    expect(await checkWithHook(file)).toEqual({ code: 0, loaded: [] });
  }, timeout);

  it('loads only re2js for a policy with a regex, which it must check for the linear engine', async () => {
    const file = join(directory, 'regex.policy');
    writeFileSync(file, 'policy regex\nrule leak: when content matches /api[_-]?key\\s*[:=]/i then stop\n');
    expect(await checkWithHook(file)).toEqual({ code: 0, loaded: ['re2js'] });
  }, timeout);
});
