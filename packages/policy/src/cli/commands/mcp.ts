// `handrail mcp …`: the MCP gateway of @handrail/adapters, found at run time in the user's project
// like a plugin. This package never imports the adapters (they depend on it), so the gateway is
// looked up by name where the user installed it, and a missing one is a message on how to add it.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CliError, type Command, type Io } from '../command.js';

/** The package and subpath that hold the gateway, and what else it needs installed. */
const gatewayPackage = '@handrail/adapters';
const gatewaySpecifier = `${gatewayPackage}/mcp`;
const install = `npm install ${gatewayPackage} @modelcontextprotocol/sdk`;

/** What this command needs of the gateway's module. */
interface GatewayModule {
  runGatewayCommand(argv: readonly string[], io: { stdout(text: string): void; stderr(text: string): void; command?: string }): Promise<number>;
}

// Run from its TypeScript sources (a checkout of Handrail), this CLI takes the adapters' sources
// too, as the workspace's `@handrail/source` condition does; installed, Node's resolution decides.
const runningFromSources = import.meta.url.endsWith('.ts');

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
}

/**
 * The package.json of the adapters a module in `directory` would import: the nearest
 * node_modules/@handrail/adapters up the tree, as Node's ESM resolution looks (NODE_PATH aside).
 */
function adaptersManifestFrom(directory: string): string | undefined {
  for (let current = resolve(directory); ; current = dirname(current)) {
    const candidate = join(current, 'node_modules', ...gatewayPackage.split('/'), 'package.json');
    if (existsSync(candidate)) return realpathSync(candidate);
    if (dirname(current) === current) return undefined;
  }
}

/** The gateway's entry file in the adapters package whose manifest is `manifestFile`. */
function gatewayEntryOf(manifestFile: string): string {
  if (runningFromSources) {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { exports?: Record<string, Record<string, string> | undefined> };
    const source = manifest.exports?.['./mcp']?.['@handrail/source'];
    if (source !== undefined) return join(dirname(manifestFile), source);
  }
  // The package resolving its own name: its exports map, under this process's conditions.
  return createRequire(manifestFile).resolve(gatewaySpecifier);
}

/**
 * Loads the gateway from the user's project (`cwd`), else from beside this CLI's own installation
 * (a global install of both packages). Throws a CliError saying what to install when it is absent.
 */
async function loadGateway(cwd: string): Promise<GatewayModule> {
  const manifestFile = adaptersManifestFrom(cwd) ?? adaptersManifestFrom(dirname(fileURLToPath(import.meta.url)));
  if (manifestFile === undefined) throw new CliError(`the mcp command needs ${gatewayPackage} (with @modelcontextprotocol/sdk), which is not installed in ${cwd}: ${install}`);
  let loaded: Partial<GatewayModule>;
  let entry = manifestFile;
  try {
    entry = gatewayEntryOf(manifestFile);
    loaded = (await import(pathToFileURL(entry).href)) as Partial<GatewayModule>;
  } catch (error) {
    // The adapters are there; what they import for MCP is not.
    if (isNotFound(error)) throw new CliError(`the mcp command: ${gatewayPackage} is installed but cannot load its MCP gateway (${(error as Error).message.split('\n')[0]}): ${install}`);
    throw error;
  }
  if (typeof loaded.runGatewayCommand !== 'function') throw new CliError(`the mcp command: ${entry} has no runGatewayCommand; install a ${gatewayPackage} of the same version as this handrail`);
  return loaded as GatewayModule;
}

export const mcp: Command = {
  name: 'mcp',
  summary: "put a policy in front of an MCP server's tools (a gateway on stdio; needs @handrail/adapters)",
  usage: `handrail mcp --policy FILE [--audit FILE] [--shadow] [--sender NAME] -- COMMAND [ARGS...]
handrail mcp --policy FILE [--audit FILE] [--shadow] [--sender NAME] --upstream-url URL [--header "NAME: VALUE"]...
  A gateway MCP server on stdio in front of another MCP server: tools/list passes through, and
  every tools/call is decided by the policy first (continue forwards it, stop answers with an
  error result, escalate asks the person at the client). The same as the handrail-mcp command of
  ${gatewayPackage}, which this command runs from your project: ${install}
  --policy FILE       the policy (.policy, or compiled .json)
  --audit FILE        append every decision and answer to this signed audit log
  --shadow            decide and record, never enforce: every call is forwarded
  --sender NAME       who proposes the calls, as the policy's sender (default mcp-client)
  --upstream-url URL  the upstream server's Streamable HTTP endpoint (instead of a command)
  --header "N: V"     a header for every request to --upstream-url (repeatable)
  -- COMMAND ARGS     the upstream server's command`,
  endsProcess: true,
  async run(args: string[], io: Io) {
    const gateway = await loadGateway(io.cwd ?? process.cwd());
    return gateway.runGatewayCommand(args, { stdout: io.stdout, stderr: io.stderr, command: 'handrail mcp' });
  },
};
