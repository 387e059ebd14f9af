// `handrail check FILE…`: does each policy compile? Every problem is printed, not just the first.
import { PolicyError, loadPolicy, regexEngines } from '../../index.js';
import { CliError, UsageError, exitCodes, parseCommandLine, type Command } from '../command.js';
import { readPolicyText } from '../load-policy-file.js';
import { isCompiledDocument } from '../../compile/compile.js';
import { lintFile } from './lint.js';

const engineNames = {
  native: 'JavaScript engine at every length',
  'native-then-linear': 'JavaScript engine on short texts, the linear engine beyond',
  linear: 'linear engine at every length',
} as const;

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `handrail check`: exit 0 when every file compiles, else every problem as a code frame and exit 1. */
export const check: Command = {
  name: 'check',
  summary: 'parse and validate policy files; print every error as a code frame',
  usage: `handrail check [--strict] [--verbose] FILE…

  Checks each .policy file or compiled .json document. Prints "ok FILE (N rules, hash …)" for
  each valid file; prints every error with its file:line:col and exits 1 when any is invalid.

  --strict    also prints the findings of handrail lint, and exits 1 when there are any
              (a compiled .json document has no source to lint and is only checked)
  --verbose   also lists each regular expression with the engine it runs on and why`,

  async run(args, io) {
    const { values, positionals: files } = parseCommandLine(args, { verbose: { type: 'boolean' }, strict: { type: 'boolean' } });
    if (files.length === 0) throw new UsageError('check needs at least one FILE');
    let failed = 0;
    let frames = 0;
    // Frames of successive errors are kept apart by a blank line, as within one file.
    const separator = () => (frames++ > 0 ? '\n' : '');
    for (const file of files) {
      try {
        const text = await readPolicyText(file);
        const policy = loadPolicy(text, { file });
        // Lint findings are failures under --strict; frames go to stderr with the errors.
        const findings = values.strict && !isCompiledDocument(text) ? lintFile(file, text, io, separator) : 0;
        if (findings) {
          failed++;
          io.stderr(`handrail: ${plural(findings, 'lint finding')} in ${file}\n`);
          continue;
        }
        io.stdout(`ok ${file} (${plural(policy.document.rules.length, 'rule')}, hash ${policy.hash})\n`);
        // Which regex engine runs each pattern decides how it behaves on long hostile text.
        if (values.verbose)
          for (const regex of regexEngines(policy)) io.stdout(`  rule ${regex.rule}: /${regex.pattern}/${regex.flags} runs on the ${engineNames[regex.engine]} (${regex.reason})\n`);
      } catch (error) {
        // A bad file does not stop the others: a user fixing several files sees all at once.
        failed++;
        if (PolicyError.isInstance(error)) io.stderr(`${separator()}${error.format()}\n`);
        else if (error instanceof CliError) io.stderr(`${separator()}handrail: ${error.message}\n`);
        else throw error;
      }
    }
    if (failed && files.length > 1) io.stderr(`handrail: ${failed} of ${files.length} files failed the check\n`);
    return failed ? exitCodes.failed : exitCodes.ok;
  },
};
