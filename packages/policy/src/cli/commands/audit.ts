// `handrail audit verify FILE…`: is each audit log whole? Names the first bad record of each.
import { readFile } from 'node:fs/promises';
import { verifyAuditLog } from '../../audit/verify.js';
import { CliError, UsageError, exitCodes, parseCommandLine, type Command } from '../command.js';

const hashPattern = /^sha256:[0-9a-f]{64}$/;

const unreadable: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

async function readLog(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    throw new CliError(`cannot read ${file}: ${(typeof code === 'string' && unreadable[code]) || (error as Error).message}`);
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `handrail audit verify`: exit 0 when every log verifies, else the first bad record of each and exit 1. */
export const audit: Command = {
  name: 'audit',
  summary: 'verify hash-chained audit logs; name the first bad record',
  usage: `handrail audit verify FILE… [--expect HASH]

  Checks that each audit log (JSON lines) is whole: every record well formed, numbered in order,
  linked to the record before it and hashing to its own hash. Prints "ok FILE (N records, last
  hash …)" for each good log; prints "FILE:LINE: error CODE: what is wrong" for the first bad
  record of a log and exits 1.

  --expect HASH  the log must hold a record with this hash (the last hash of an earlier
                 verification, kept elsewhere), so records cut off at the end are detected`,

  async run(args, io) {
    const { positionals, values } = parseCommandLine(args, { expect: { type: 'string' } });
    const [action, ...files] = positionals;
    if (action === undefined) throw new UsageError('audit needs an action: verify');
    if (action !== 'verify') throw new UsageError(`unknown audit action "${action}" (the actions are: verify)`);
    if (files.length === 0) throw new UsageError('audit verify needs at least one FILE');
    const expectHash = values.expect;
    if (expectHash !== undefined && !hashPattern.test(expectHash)) throw new CliError(`--expect must be a hash "sha256:<64 hex digits>", not ${JSON.stringify(expectHash)}`, exitCodes.usage);
    let failed = 0;
    for (const file of files) {
      let text: string;
      try {
        text = await readLog(file);
      } catch (error) {
        // An unreadable log does not stop the others.
        if (!(error instanceof CliError)) throw error;
        failed++;
        io.stderr(`handrail: ${error.message}\n`);
        continue;
      }
      const verdict = verifyAuditLog(text, expectHash !== undefined ? { expectHash } : {});
      if (verdict.ok) io.stdout(`ok ${file} (${plural(verdict.records, 'record')}, last hash ${verdict.lastHash})\n`);
      else {
        failed++;
        const { line, code, message } = verdict.problem;
        io.stderr(`${file}:${line}: error ${code}: ${message}\n`);
      }
    }
    if (failed && files.length > 1) io.stderr(`handrail: ${failed} of ${files.length} audit logs failed verification\n`);
    return failed ? exitCodes.failed : exitCodes.ok;
  },
};
