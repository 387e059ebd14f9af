// Where a log's key and anchor live, and verifying a log from its files: what the writer and
// `handrail audit verify` agree on, so that the default setup needs no flag on either side.
import { readFile } from 'node:fs/promises';
import { HandrailError } from '../errors.js';
import { parseAuditKey } from './anchor.js';
import { verifyAuditLog, type AuditVerification } from './verify.js';

/**
 * The environment variable naming the key file of every audit log (read by the writer and by
 * `handrail audit verify`), to keep the key away from the logs.
 *
 * @example
 * // HANDRAIL_AUDIT_KEY_FILE=/run/secrets/handrail-audit.key node app.js
 * process.env[auditKeyFileVariable];
 */
export const auditKeyFileVariable = 'HANDRAIL_AUDIT_KEY_FILE';

/**
 * The key file of the log at `logPath`: `keyFile` when given, else the file named by
 * `HANDRAIL_AUDIT_KEY_FILE`, else `<log>.key` beside the log.
 *
 * @example
 * auditKeyFile('.handrail/audit.jsonl'); // '.handrail/audit.jsonl.key' (with no variable set)
 */
export function auditKeyFile(logPath: string, keyFile?: string, env: NodeJS.ProcessEnv = process.env): string {
  return keyFile ?? (env[auditKeyFileVariable] || `${logPath}.key`);
}

/**
 * The anchor file of the log at `logPath`: `<log>.anchor`, replaced after each append.
 *
 * @example
 * auditAnchorFile('.handrail/audit.jsonl'); // '.handrail/audit.jsonl.anchor'
 */
export function auditAnchorFile(logPath: string): string {
  return `${logPath}.anchor`;
}

const unreadable: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/**
 * A log, key or anchor file that exists but cannot be read (or a key file that holds no key).
 *
 * @example
 * catch (error) { if (AuditFileError.isInstance(error)) console.error(error.message); }
 */
export class AuditFileError extends HandrailError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super('AUDIT_FILE_UNREADABLE', `cannot read ${path}: ${reason}`);
  }
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && unreadable[code]) || (error as Error).message;
}

/** The file's text, or undefined when it does not exist. */
async function readOptionalFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AuditFileError(path, reasonOf(error));
  }
}

/**
 * The key in `path`, or undefined when there is no such file. Throws AuditFileError when the
 * file holds something else: a damaged key is never used as another key.
 *
 * @example
 * const key = await readAuditKeyFile(auditKeyFile('audit.jsonl'));
 */
export async function readAuditKeyFile(path: string): Promise<Uint8Array | undefined> {
  const text = await readOptionalFile(path);
  if (text === undefined) return undefined;
  try {
    return parseAuditKey(text);
  } catch (error) {
    throw new AuditFileError(path, (error as Error).message);
  }
}

/**
 * Verifies the log at `path` with its key and anchor found where the writer keeps them (see
 * `auditKeyFile`, `auditAnchorFile`): what `handrail audit verify` does. Throws AuditFileError
 * when the log cannot be read.
 *
 * @example
 * const verdict = await verifyAuditLogFile('.handrail/audit.jsonl');
 * if (!verdict.ok) console.error(`${verdict.problem.code} on line ${verdict.problem.line}: ${verdict.problem.message}`);
 */
export async function verifyAuditLogFile(path: string, options: { keyFile?: string; expectHash?: string } = {}): Promise<AuditVerification> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AuditFileError(path, reasonOf(error));
  }
  const key = await readAuditKeyFile(auditKeyFile(path, options.keyFile));
  const anchor = await readOptionalFile(auditAnchorFile(path));
  return verifyAuditLog(text, {
    ...(options.expectHash !== undefined ? { expectHash: options.expectHash } : {}),
    ...(key ? { key } : {}),
    ...(anchor !== undefined ? { anchor } : {}),
  });
}
