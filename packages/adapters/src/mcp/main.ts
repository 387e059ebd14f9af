// The `handrail-mcp` executable (bin/handrail-mcp.js loads this file).
import { runGatewayCommand } from './command.js';

try {
  process.exitCode = await runGatewayCommand(process.argv.slice(2), {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
  });
} catch (error) {
  process.stderr.write(`handrail-mcp: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 70;
}
// The upstream's transport and stdin may hold the event loop open after the gateway has closed.
process.exit();
