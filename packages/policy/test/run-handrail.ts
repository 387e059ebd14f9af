// Running the real `handrail` executable from the repository root, as a user would.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** Runs `handrail ARGS…`; never rejects, whatever the exit code. */
export function handrail(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}
