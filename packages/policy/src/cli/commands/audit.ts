// `handrail audit verify FILE…`: is each audit log whole? Names the first bad record of each.
import { AuditFileError, verifyAuditLogFile } from '../../audit/files.js';
import type { AuditVerification } from '../../audit/verify.js';
import { CliError, UsageError, exitCodes, parseCommandLine, type Command } from '../command.js';

const hashPattern = /^sha256:[0-9a-f]{64}$/;

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The "ok" line: what was checked, and, for a log without an anchor, what could not be. */
function okLine(file: string, verdict: Extract<AuditVerification, { ok: true }>): string {
  const counted = `${plural(verdict.records, 'record')}, last hash ${verdict.lastHash}`;
  if (verdict.anchored === null)
    return `ok ${file} (${counted}); not anchored: a log written without a key, so only its chain was checked (records cut off at the end, or the whole log rewritten, would not show; opening it with AuditLog anchors it)\n`;
  if (verdict.anchored < verdict.records)
    return `ok ${file} (${counted}, anchored up to record ${verdict.anchored}; record ${verdict.records} is signed and was written just before the writer stopped, and reopening the log anchors it)\n`;
  return `ok ${file} (${counted}, anchored)\n`;
}

/** `handrail audit verify`: exit 0 when every log verifies, else the first bad record of each and exit 1. */
export const audit: Command = {
  name: 'audit',
  summary: 'verify hash-chained audit logs; name the first bad record',
  usage: `handrail audit verify FILE… [--expect HASH] [--key KEYFILE]

  Checks that each audit log (JSON lines) is whole: every record well formed, numbered in order,
  linked to the record before it, hashing to its own hash and signed with the log's key; and the
  log ending where its anchor (FILE.anchor) says. Prints "ok FILE (N records, last hash …)" for
  each good log; prints "FILE:LINE: error CODE: what is wrong" for the first bad record of a log
  and exits 1.

  --key KEYFILE  the logs' key file (default: $HANDRAIL_AUDIT_KEY_FILE, else FILE.key beside
                 each log, where the writer creates it)
  --expect HASH  the log must hold a record with this hash (the last hash of an earlier
                 verification, kept elsewhere), so records cut off at the end are detected even
                 together with an older anchor put back`,

  async run(args, io) {
    const { positionals, values } = parseCommandLine(args, { expect: { type: 'string' }, key: { type: 'string' } });
    const [action, ...files] = positionals;
    if (action === undefined) throw new UsageError('audit needs an action: verify');
    if (action !== 'verify') throw new UsageError(`unknown audit action "${action}" (the actions are: verify)`);
    if (files.length === 0) throw new UsageError('audit verify needs at least one FILE');
    const expectHash = values.expect;
    if (expectHash !== undefined && !hashPattern.test(expectHash)) throw new CliError(`--expect must be a hash "sha256:<64 hex digits>", not ${JSON.stringify(expectHash)}`, exitCodes.usage);
    let failed = 0;
    for (const file of files) {
      let verdict: AuditVerification;
      try {
        verdict = await verifyAuditLogFile(file, { ...(expectHash !== undefined ? { expectHash } : {}), ...(values.key !== undefined ? { keyFile: values.key } : {}) });
      } catch (error) {
        // An unreadable log does not stop the others.
        if (!AuditFileError.isInstance(error)) throw error;
        failed++;
        io.stderr(`handrail: ${error.message}\n`);
        continue;
      }
      if (verdict.ok) io.stdout(okLine(file, verdict));
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
