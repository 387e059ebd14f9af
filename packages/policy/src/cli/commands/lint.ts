// `handrail lint FILE…`: findings about policies that compile but may not do what was meant.
// `handrail check --strict` prints the same findings through `lintFile`.
import { PolicyError, formatFinding, lintCodes, lintPolicy } from '../../index.js';
import { isCompiledDocument } from '../../compile/compile.js';
import { CliError, UsageError, exitCodes, parseCommandLine, type Command, type Io } from '../command.js';
import { readPolicyText } from '../load-policy-file.js';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * Lints one policy's text and prints each finding as a code frame on stderr; returns how many
 * there were. A compile error throws its PolicyError, as loading would.
 */
export function lintFile(file: string, text: string, io: Io, separator: () => string): number {
  if (isCompiledDocument(text)) throw new CliError(`${file} is a compiled document, which keeps no source to lint; lint the .policy file it was compiled from`);
  const findings = lintPolicy(text, { file });
  for (const finding of findings) io.stderr(`${separator()}${formatFinding(finding, text, file)}\n`);
  return findings.length;
}

export const lint: Command = {
  name: 'lint',
  summary: 'find rules that never decide, conditions that never hold and other likely mistakes',
  usage: `handrail lint FILE…

  Checks each .policy file as check does, then looks for likely mistakes; prints
  "ok FILE (no findings)" for a clean file, and each finding as a code frame with its code.
  Exits 1 when any file has a finding or does not compile. Silence one finding with a comment
  on its line or alone on the line above: # handrail-ignore CODE

  Codes:
${Object.entries(lintCodes)
  .map(([code, what]) => `    ${code.padEnd(22)} ${what}`)
  .join('\n')}`,

  async run(args, io) {
    const { positionals: files } = parseCommandLine(args, {});
    if (files.length === 0) throw new UsageError('lint needs at least one FILE');
    let printed = 0;
    const separator = () => (printed++ > 0 ? '\n' : '');
    let findings = 0;
    let withFindings = 0;
    let unreadable = 0;
    for (const file of files) {
      try {
        const count = lintFile(file, await readPolicyText(file), io, separator);
        findings += count;
        if (count) withFindings++;
        else io.stdout(`ok ${file} (no findings)\n`);
      } catch (error) {
        // A bad file does not stop the others.
        unreadable++;
        if (PolicyError.isInstance(error)) io.stderr(`${separator()}${error.format()}\n`);
        else if (error instanceof CliError) io.stderr(`${separator()}handrail: ${error.message}\n`);
        else throw error;
      }
    }
    const summary = [
      ...(findings ? [`${plural(findings, 'finding')} in ${withFindings} of ${plural(files.length, 'file')}`] : []),
      ...(unreadable && files.length > 1 ? [`${unreadable} of ${files.length} files could not be linted`] : []),
    ];
    if (summary.length) io.stderr(`handrail: ${summary.join('; ')}\n`);
    const failing = withFindings + unreadable;
    return failing ? exitCodes.failed : exitCodes.ok;
  },
};
