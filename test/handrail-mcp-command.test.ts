// `handrail mcp`: the policy CLI finds the MCP gateway of @handrail/adapters in the user's project
// at run time (it never imports it), runs it under its own name, and says what to install when
// it is not there. In this process through runCli, each case a project directory of its own.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../packages/policy/src/cli/run-cli.js';

const adapters = fileURLToPath(new URL('../packages/adapters', import.meta.url));
const { version } = (await import('../packages/adapters/package.json', { with: { type: 'json' } })).default as { version: string };
const work = mkdtempSync(join(tmpdir(), 'handrail-mcp-command-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A project directory with the given packages under node_modules (name → the directory to link). */
function project(name: string, packages: Record<string, string> = {}): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'node_modules', '@handrail'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true }));
  for (const [packageName, target] of Object.entries(packages)) symlinkSync(target, join(dir, 'node_modules', packageName), 'dir');
  return dir;
}

async function handrail(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), cwd });
  return { code, stdout, stderr };
}

describe('handrail mcp', () => {
  it('runs the gateway of the project’s @handrail/adapters under its own name', async () => {
    const dir = project('with-adapters', { '@handrail/adapters': adapters });
    expect(await handrail(dir, 'mcp', '--version')).toEqual({ code: 0, stdout: `handrail mcp ${version}\n`, stderr: '' });
    expect(await handrail(dir, 'mcp', '--polcy', 'refunds.policy')).toEqual({ code: 2, stdout: '', stderr: "handrail mcp: Unknown option '--polcy'\nRun handrail mcp --help for usage.\n" });
    const missing = await handrail(dir, 'mcp', '--policy', join(dir, 'absent.policy'), '--', process.execPath, '-e', '');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^handrail mcp: .*absent\.policy/);
  });

  it('says how to install the gateway when the project has no @handrail/adapters', async () => {
    const dir = project('without-adapters');
    expect(await handrail(dir, 'mcp', '--policy', 'refunds.policy', '--', 'node', 'server.js')).toEqual({
      code: 1,
      stdout: '',
      stderr: `handrail: the mcp command needs @handrail/adapters (with @modelcontextprotocol/sdk), which is not installed in ${dir}: npm install @handrail/adapters @modelcontextprotocol/sdk\n`,
    });
  });

  it('says what is missing when @handrail/adapters is there but the MCP SDK is not', async () => {
    const fake = join(work, 'adapters-without-sdk');
    mkdirSync(fake);
    const entry = { '@handrail/source': './mcp.js', default: './mcp.js' };
    writeFileSync(join(fake, 'package.json'), JSON.stringify({ name: '@handrail/adapters', version, type: 'module', exports: { './mcp': entry, './package.json': './package.json' } }));
    writeFileSync(join(fake, 'mcp.js'), "export { StdioServerTransport as runGatewayCommand } from '@modelcontextprotocol/sdk/server/stdio.js';\n");
    const dir = project('adapters-without-sdk', { '@handrail/adapters': fake });
    const result = await handrail(dir, 'mcp', '--version');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^handrail: the mcp command: @handrail\/adapters is installed but cannot load its MCP gateway \(.*@modelcontextprotocol\/sdk.*\): npm install @handrail\/adapters @modelcontextprotocol\/sdk\n$/);
  });

  it('prints its usage without the adapters, and is listed in handrail --help', async () => {
    const dir = project('help-only');
    const help = await handrail(dir, 'mcp', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: handrail mcp --policy FILE .*-- COMMAND \[ARGS\.\.\.\]\n/);
    expect(help.stdout).toContain('npm install @handrail/adapters @modelcontextprotocol/sdk');
    expect((await handrail(dir, '--help')).stdout).toMatch(/\n {2}mcp +put a policy in front of an MCP server's tools/);
  });
});
