// Finding test files and policies under the paths given on the command line.
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { policyTestFileSuffix } from './format.js';

export interface Found {
  /** Test files, in a stable order. */
  testFiles: string[];
  /** Policy files named or found; those no test file tests are reported as untested. */
  policies: string[];
  /** Paths that do not exist or are neither a policy, a test file nor a directory. */
  problems: string[];
}

/** Each file once, as first spelled, however the paths that found it were written. */
function unique(files: readonly string[]): string[] {
  const seen = new Set<string>();
  return files.filter((file) => {
    const key = resolve(file);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Directories never searched: dependencies and hidden folders (`.git`). */
function skipped(name: string): boolean {
  return name === 'node_modules' || name.startsWith('.');
}

async function walk(dir: string, found: Found): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipped(entry.name)) await walk(path, found);
    } else if (entry.name.endsWith(policyTestFileSuffix)) found.testFiles.push(path);
    else if (entry.name.endsWith('.policy')) found.policies.push(path);
  }
}

/**
 * Test files (`*.policy.test.json`) and policies (`*.policy`) in the given files and directories,
 * directories searched recursively. A `.policy` named directly brings its test file beside it.
 *
 * @example
 * const { testFiles, policies } = await findPolicyTests(['policies']);
 */
export async function findPolicyTests(paths: readonly string[]): Promise<Found> {
  const found: Found = { testFiles: [], policies: [], problems: [] };
  for (const path of paths) {
    let kind: 'file' | 'directory' | undefined;
    try {
      const info = await stat(path);
      kind = info.isDirectory() ? 'directory' : info.isFile() ? 'file' : undefined;
    } catch {
      found.problems.push(`${path}: no such file or directory`);
      continue;
    }
    if (kind === 'directory') await walk(path, found);
    else if (path.endsWith('.test.json')) found.testFiles.push(path);
    else if (path.endsWith('.policy')) {
      found.policies.push(path);
      const beside = `${path}.test.json`;
      if (existsSync(beside)) found.testFiles.push(beside);
    } else found.problems.push(`${path}: not a policy (.policy) or a policy test file (${policyTestFileSuffix})`);
  }
  found.testFiles = unique(found.testFiles);
  found.policies = unique(found.policies);
  return found;
}
