// Running `handrail`: in this process through runCli (what most tests need: the command's
// behaviour, fast even on a loaded machine), or as the real executable in a child process from the
// repository root, as a user would (one end-to-end test per command).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/run-cli.js';

export const root = fileURLToPath(new URL('../../..', import.meta.url));
export const bin = join('packages', 'policy', 'bin', 'handrail.js');
// Each run starts a Node process that loads the TypeScript sources: on a busy machine that takes
// a second or more, so tests leave room for a slow start.
export const timeout = 120_000;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `handrail ARGS…` in this process, capturing what it writes; relative paths are the repository root's. */
export async function handrail(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) });
  return { code, stdout, stderr };
}

/** Runs the real executable `handrail ARGS…` in a child process; never rejects, whatever the exit code. */
export function handrailBin(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}
