// The `handrail` executable (bin/handrail.js loads this file).
import { commands, runCli } from './run-cli.js';

// A reader that stops early (`handrail compile x.policy | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
  });
} catch (error) {
  process.stderr.write(`handrail: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 70;
}
if (commands.find((command) => command.name === process.argv[2])?.endsProcess) process.exit();
