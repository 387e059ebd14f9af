// Reading a policy named on the command line. A file that cannot be read is one line of error;
// a policy that does not compile throws its PolicyError, printed by the caller as code frames.
import { readFile } from 'node:fs/promises';
import { loadPolicy, type Policy } from '../index.js';
import { CliError } from './command.js';

const reasons: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
};

/** Why a file could not be read, in words. */
export function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && reasons[code]) return reasons[code];
  return error instanceof Error ? error.message : String(error);
}

/**
 * Loads a `.policy` file or a compiled `.json` document, naming it in errors as the user wrote it.
 * Throws CliError when the file cannot be read and PolicyError when it does not compile.
 */
export async function loadPolicyFromCommandLine(file: string): Promise<Policy> {
  return loadPolicy(await readPolicyText(file), { file });
}

/** The text of a file named on the command line; CliError when it cannot be read. */
export async function readPolicyText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${reasonOf(error)}`);
  }
}

