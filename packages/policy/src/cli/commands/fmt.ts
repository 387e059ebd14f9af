// `handrail fmt [--check] FILE…`: every policy file in the one canonical layout. Files are
// rewritten atomically (a temporary file beside the original, then a rename), so an interrupted
// run never leaves half a policy.
import { randomBytes } from 'node:crypto';
import { chmod, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { formatPolicy, PolicyError } from '../../index.js';
import { CliError, UsageError, exitCodes, parseCommandLine, type Command } from '../command.js';
import { reasonOf } from '../load-policy-file.js';

/** Replaces `file` by `text` in one step: readers see the old policy or the new, never a mix. */
async function writeAtomically(file: string, text: string): Promise<void> {
  // Through a symbolic link, the file it points to is the one to replace, not the link.
  const target = await realpath(file);
  const { mode } = await stat(target);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { flag: 'wx' });
    await chmod(temporary, mode & 0o7777);
    await rename(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** `handrail fmt`: rewrite policies in the canonical layout, or with --check list those that are not. */
export const fmt: Command = {
  name: 'fmt',
  summary: 'rewrite policy files in the canonical layout (or check that they are)',
  usage: `handrail fmt [--check] FILE…

  Rewrites each .policy file in the canonical layout, keeping its comments and its meaning (the
  compiled hash does not change), and prints "formatted FILE" for each file it changed.
  --check   change nothing: print each file that is not formatted and exit 1 if any is; when
            all are, say how many were checked ("3 files formatted")
  A file that does not parse is reported with its code frame and left alone (exit 1).`,

  async run(args, io) {
    const { values, positionals: files } = parseCommandLine(args, { check: { type: 'boolean' } });
    if (files.length === 0) throw new UsageError('fmt needs at least one FILE');
    let failed = 0;
    let unformatted = 0;
    const separator = () => (failed > 1 ? '\n' : '');
    for (const file of files) {
      try {
        let source: string;
        try {
          source = await readFile(file, 'utf8');
        } catch (error) {
          throw new CliError(`cannot read ${file}: ${reasonOf(error)}`);
        }
        if (file.endsWith('.json')) throw new CliError(`${file} is a compiled document; fmt formats .policy files`);
        const formatted = formatPolicy(source, { file });
        if (formatted === source) continue;
        unformatted++;
        if (values.check) {
          io.stdout(`${file}\n`);
          continue;
        }
        try {
          await writeAtomically(file, formatted);
        } catch (error) {
          throw new CliError(`cannot write ${file}: ${reasonOf(error)}`);
        }
        io.stdout(`formatted ${file}\n`);
      } catch (error) {
        // One bad file does not stop the others.
        failed++;
        if (PolicyError.isInstance(error)) io.stderr(`${separator()}${error.format()}\n`);
        else if (error instanceof CliError) io.stderr(`${separator()}handrail: ${error.message}\n`);
        else throw error;
      }
    }
    if (values.check && !unformatted && !failed) io.stdout(`${files.length} file${files.length === 1 ? '' : 's'} formatted\n`);
    if (values.check && unformatted) {
      const which = `${unformatted} of ${files.length} file${files.length === 1 ? '' : 's'} ${unformatted === 1 ? 'is' : 'are'}`;
      io.stderr(`handrail: ${which} not formatted; run handrail fmt on ${unformatted === 1 ? 'it' : 'them'}\n`);
    }
    if (failed && files.length > 1) io.stderr(`handrail: ${failed} of ${files.length} files could not be formatted\n`);
    return failed || (values.check && unformatted) ? exitCodes.failed : exitCodes.ok;
  },
};
