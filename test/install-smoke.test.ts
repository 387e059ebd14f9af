// The packages as a user gets them: built, packed with pnpm, installed with plain npm into a
// project of its own outside the workspace (with the lowest `openai` the core's peer range
// admits), then used there from ESM, CommonJS, TypeScript and the command line.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const packageDirectories = ['policy', 'core', 'adapters'] as const;
const manifests = Object.fromEntries(
  packageDirectories.map((directory) => [directory, JSON.parse(readFileSync(join(root, 'packages', directory, 'package.json'), 'utf8')) as Manifest]),
) as Record<(typeof packageDirectories)[number], Manifest>;

interface Manifest {
  name: string;
  version: string;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program; never rejects, whatever the exit code. */
function run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = npmEnvironment()): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** The environment without the settings a workspace script run passes down to its children. */
function npmEnvironment(): NodeJS.ProcessEnv {
  const kept = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig']);
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || kept.has(key.toLowerCase())));
}

function expectSuccess(result: Run, what: string): void {
  expect(result.code, `${what} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
}

/** `^6.0.0` → `6.0.0`: the range's lower bound, which the project installs exactly. */
function lowerBound(range: string | undefined): string {
  const match = /^\^(\d+\.\d+\.\d+)$/.exec(range ?? '');
  if (!match?.[1]) throw new Error(`expected a caret range, got ${range}`);
  return match[1];
}

const openaiLowest = lowerBound(manifests.core.peerDependencies?.openai);
const typescript = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

// One TypeScript program, written as ESM (loop.mts) and as CommonJS (loop.cts): a scripted
// OpenAI-compatible server, the core's OpenAIModel on the project's own `openai` client, and a
// gate that decides each tool call the model asks for.
const loop = `import OpenAI from 'openai';
import { compilePolicy, presetPolicy, type Decision } from '@handrail/policy';
import { OpenAIModel, type ApprovalChannel } from '@handrail/core';
import { startOpenAIServer } from '@handrail/core/testing';
import { createGate, type GateVerdict } from '@handrail/adapters';
import { gateChatCompletion } from '@handrail/adapters/openai';

const policy = compilePolicy(\`policy refunds version 1
rule forbidden: when tool.name == "delete_account" then stop "accounts are never deleted"
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund" timeout 5m else stop\`);

async function main(): Promise<void> {
  const server = await startOpenAIServer([
    { toolCalls: [{ name: 'refund', arguments: { amount: 250 } }] },
    { toolCalls: [{ name: 'refund', arguments: { amount: 20 } }] },
    { toolCalls: [{ name: 'delete_account', arguments: { id: 7 } }] },
  ]);
  try {
    const model = new OpenAIModel({ model: 'scripted', client: new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 }) });
    const asked: string[] = [];
    const desk: ApprovalChannel = {
      name: 'desk',
      ask: async (request) => {
        asked.push(request.prompt);
        return { kind: 'reject', message: 'not today', by: 'dana', at: new Date().toISOString() };
      },
    };
    const gate = createGate({ policy, channel: desk });
    for (let step = 0; step < 3; step++) {
      const response = await model.complete({ messages: [{ role: 'user', content: 'Sort out order 42.' }] });
      const call = response.toolCalls?.[0];
      if (!call) throw new Error('the model asked for no tool');
      const verdict: GateVerdict = await gate.check({ content: response.content, role: 'assistant', sender: 'clerk', tool: { name: call.function.name, args: call.function.arguments } });
      const decision: Decision = verdict.decision;
      console.log(\`\${call.function.name} \${call.function.arguments}: \${decision.action} → \${verdict.kind}\`);
    }
    console.log(\`asked \${asked.length}: \${asked.join(' | ')}\`);
    console.log(\`preset \${presetPolicy('never').name}, openai gate \${typeof gateChatCompletion}\`);
  } finally {
    await server.close();
  }
}

// Had a type not resolved (and become any), these lines would compile and tsc would fail.
function probes(): void {
  // @ts-expect-error: a client needs chat completions
  new OpenAIModel({ model: 'scripted', client: {} });
  // @ts-expect-error: a verdict is one of four kinds
  const kind: GateVerdict['kind'] = 'maybe';
  // @ts-expect-error: an action is continue, escalate or stop
  const action: Decision['action'] = 'pause';
  void kind;
  void action;
}
void probes;

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;

const loopOutput = [
  'refund {"amount":250}: escalate → reject',
  'refund {"amount":20}: continue → proceed',
  'delete_account {"id":7}: stop → stop',
  'asked 1: large refund. Approve?',
  'preset never, openai gate function',
  '',
].join('\n');

// Every entry point from plain JavaScript; `load` is `import()` or `require`.
const entries = (load: string, schema: string, resolve: string) => `
const policy = ${load}('@handrail/policy');
const core = ${load}('@handrail/core');
const testing = ${load}('@handrail/core/testing');
const adapters = ${load}('@handrail/adapters');
const openaiAdapter = ${load}('@handrail/adapters/openai');
const schema = ${schema};
const decision = policy.decideSync(policy.compilePolicy('policy p version 1\\nrule done: when content ends with "TERMINATE" then stop "finished"'), { content: 'All done. TERMINATE' });
console.log(JSON.stringify({
  decision: decision.action + ' ' + decision.rule,
  core: typeof core.OpenAIModel,
  testing: typeof testing.startOpenAIServer,
  gate: typeof adapters.createGate,
  openai: typeof openaiAdapter.gateChatCompletion,
  schema: schema.$schema,
  grammar: ${resolve}('@handrail/policy/editors/policy.tmLanguage.json').endsWith('/node_modules/@handrail/policy/editors/policy.tmLanguage.json'),
  preset: ${resolve}('@handrail/policy/presets/terminate.policy').endsWith('.policy'),
}));
`;

const entriesOutput = {
  decision: 'stop done',
  core: 'function',
  testing: 'function',
  gate: 'function',
  openai: 'function',
  schema: 'https://json-schema.org/draft/2020-12/schema',
  grammar: true,
  preset: true,
};

function tsconfig(options: Record<string, unknown>, files: string[]): string {
  // skipLibCheck as most projects set it: checking every declaration file of openai and
  // @types/node takes a minute; the probes in the program catch types that failed to resolve.
  return JSON.stringify({ compilerOptions: { strict: true, skipLibCheck: true, types: ['node'], target: 'ES2022', ...options }, files }, null, 2);
}

let work = '';
let project = '';
const tarballs = new Map<string, string>();
const timings: string[] = [];

async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await step();
  } finally {
    timings.push(`${label} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'handrail-install-'));
  const packs = join(work, 'packs');
  project = join(work, 'project');
  mkdirSync(project);

  expectSuccess(await timed('build and pack', () => run('bash', ['scripts/pack-packages.sh', packs], root, process.env)), 'scripts/pack-packages.sh');
  for (const file of readdirSync(packs)) tarballs.set(file, join(packs, file));

  const dependencies: Record<string, string> = { openai: openaiLowest, '@types/node': '^20.19.0' };
  for (const directory of packageDirectories) {
    const { name, version } = manifests[directory];
    dependencies[name] = `file:../packs/${name.replace('@', '').replace('/', '-')}-${version}.tgz`;
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'handrail-install-smoke', version: '0.0.0', private: true, dependencies }, null, 2));
  writeFileSync(join(project, 'loop.mts'), loop);
  writeFileSync(join(project, 'loop.cts'), loop);
  writeFileSync(join(project, 'entries.mjs'), entries('await import', "(await import('@handrail/policy/schema/policy-document.schema.json', { with: { type: 'json' } })).default", 'import.meta.resolve'));
  writeFileSync(join(project, 'entries.cjs'), entries('require', "require('@handrail/policy/schema/policy-document.schema.json')", 'require.resolve'));
  writeFileSync(join(project, 'tsconfig.node16.json'), tsconfig({ module: 'node16', moduleResolution: 'node16', outDir: 'out-node16' }, ['loop.mts']));
  writeFileSync(join(project, 'tsconfig.bundler.json'), tsconfig({ module: 'esnext', moduleResolution: 'bundler', noEmit: true }, ['loop.mts']));
  writeFileSync(join(project, 'tsconfig.node20.json'), tsconfig({ module: 'node20', outDir: 'out-node20' }, ['loop.mts', 'loop.cts']));
  writeFileSync(join(project, 'tsconfig.nodenext.json'), tsconfig({ module: 'nodenext', noEmit: true }, ['loop.mts', 'loop.cts']));
  writeFileSync(join(project, 'tsconfig.node16-commonjs.json'), tsconfig({ module: 'node16', noEmit: true }, ['loop.cts']));
  writeFileSync(join(project, 'refunds.policy'), 'policy refunds version 1\nrule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund"\n');
  writeFileSync(join(project, 'broken.policy'), 'policy broken version 1\nrule large: when tool.name containz "refund" then stop\n');

  expectSuccess(await timed('npm install', () => run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], project)), 'npm install');
}, 600_000);

afterAll(() => {
  for (const [file, path] of tarballs) console.log(`${file}: ${(statSync(path).size / 1024).toFixed(1)} KiB`);
  console.log(`install smoke: ${timings.join(', ')}`);
  if (work) rmSync(work, { recursive: true, force: true });
}, 120_000); // removing a whole npm install takes a while on a busy machine

describe('the packed packages', { timeout: 120_000 }, () => {
  it('hold their build, README, CHANGELOG and LICENSE, and no workspace ranges, sources, maps or tests', async () => {
    expect([...tarballs.keys()].sort()).toEqual(packageDirectories.map((directory) => `handrail-${directory}-${manifests[directory].version}.tgz`).sort());
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    for (const [file, path] of tarballs) {
      const listing = await run('tar', ['-tzf', path], work);
      expectSuccess(listing, `tar -tzf ${file}`);
      const paths = listing.stdout.trim().split('\n').map((line) => line.replace(/^package\//, ''));
      expect(paths, file).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']));
      expect(paths.filter((path) => !/^(dist|bin|presets|schema|editors)\/|^(LICENSE|README\.md|CHANGELOG\.md|package\.json)$/.test(path)), file).toEqual([]);
      expect(paths.filter((path) => /\.map$|\.tsbuildinfo$|\.test\.|(^|\/)(src|test)\//.test(path)), file).toEqual([]);
      const packed = await run('tar', ['-xzOf', path, 'package/package.json', 'package/LICENSE'], work);
      expect(packed.stdout).not.toContain('workspace:');
      expect(packed.stdout).toContain(license);
    }
  });
});

describe('a project that installed them with npm', { timeout: 120_000 }, () => {
  it('has one copy of each package, and the lowest openai the core supports', () => {
    const installed = (path: string) => (JSON.parse(readFileSync(join(project, 'node_modules', path, 'package.json'), 'utf8')) as Manifest).version;
    expect(installed('openai')).toBe(openaiLowest);
    for (const directory of packageDirectories) {
      expect(installed(manifests[directory].name)).toBe(manifests[directory].version);
      expect(existsSync(join(project, 'node_modules', manifests[directory].name, 'node_modules')), `${manifests[directory].name} has nested dependencies`).toBe(false);
    }
  });

  it('imports every entry point from ESM', async () => {
    const result = await run(process.execPath, ['entries.mjs'], project);
    expectSuccess(result, 'node entries.mjs');
    expect(JSON.parse(result.stdout)).toEqual(entriesOutput);
  });

  it('requires every entry point from CommonJS', async () => {
    const result = await run(process.execPath, ['entries.cjs'], project);
    expectSuccess(result, 'node entries.cjs');
    expect(JSON.parse(result.stdout)).toEqual(entriesOutput);
  });

  it('type-checks under --strict: ESM with node16, node20, nodenext and bundler, CommonJS with node20 and nodenext, not CommonJS with node16', async () => {
    const configs = ['node16', 'bundler', 'node20', 'nodenext', 'node16-commonjs'];
    const results = await timed('tsc', () => Promise.all(configs.map((config) => run(process.execPath, [typescript, '-p', `tsconfig.${config}.json`], project))));
    results.slice(0, 4).forEach((result, index) => expectSuccess(result, `tsc -p tsconfig.${configs[index]}.json`));
    // module node16 has CommonJS require() only CommonJS; the README says to use node20 or nodenext.
    expect(results[4]?.code).not.toBe(0);
    expect(results[4]?.stdout).toContain('error TS1479');
  }, 300_000);

  // Runs what the type-check above emitted.
  it('runs a gated loop on the core OpenAI model, compiled to ESM and to CommonJS', async () => {
    const esm = await run(process.execPath, ['out-node16/loop.mjs'], project);
    expectSuccess(esm, 'node out-node16/loop.mjs');
    expect(esm.stdout).toBe(loopOutput);
    const commonjs = await run(process.execPath, ['out-node20/loop.cjs'], project);
    expectSuccess(commonjs, 'node out-node20/loop.cjs');
    expect(commonjs.stdout).toBe(loopOutput);
    expect(readFileSync(join(project, 'out-node20/loop.cjs'), 'utf8')).toContain("require(\"@handrail/adapters\")");
  });

  it('runs the installed handrail command from its build', async () => {
    expect(existsSync(join(project, 'node_modules', 'tsx')), 'no TypeScript loader is installed').toBe(false);
    const good = await run('npx', ['--no', 'handrail', 'check', 'refunds.policy'], project);
    expectSuccess(good, 'npx handrail check refunds.policy');
    expect(good.stdout).toMatch(/^ok refunds\.policy \(1 rule, hash sha256:[0-9a-f]{64}\)\n$/);
    const broken = await run('npx', ['--no', 'handrail', 'check', 'broken.policy'], project);
    expect(broken.code).toBe(1);
    expect(broken.stderr + broken.stdout).toContain('broken.policy:2:28: error UNKNOWN_OPERATOR');
  });

  it('runs handrail mcp from the installed @handrail/adapters, and says what to install until the MCP SDK is there', async () => {
    const without = await run('npx', ['--no', 'handrail', 'mcp', '--version'], project);
    expect(without.code, without.stderr).toBe(1);
    expect(without.stderr).toMatch(/^handrail: the mcp command: @handrail\/adapters is installed but cannot load its MCP gateway \(.*@modelcontextprotocol\/sdk.*\): npm install @handrail\/adapters @modelcontextprotocol\/sdk\n$/);
    const sdk = manifests.adapters.devDependencies?.['@modelcontextprotocol/sdk'];
    expectSuccess(await timed('npm install the MCP SDK', () => run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `@modelcontextprotocol/sdk@${sdk}`], project)), 'npm install @modelcontextprotocol/sdk');
    const gateway = await run('npx', ['--no', 'handrail', 'mcp', '--version'], project);
    expectSuccess(gateway, 'npx handrail mcp --version');
    expect(gateway.stdout).toBe(`handrail mcp ${manifests.adapters.version}\n`);
  }, 300_000);

  it('runs the handrail command of a tarball with npx, outside any project', async () => {
    const elsewhere = join(work, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'refunds.policy'), readFileSync(join(project, 'refunds.policy')));
    const tarball = tarballs.get(`handrail-policy-${manifests.policy.version}.tgz`) ?? '';
    const result = await timed('npx --package', () => run('npx', ['--yes', '--prefer-offline', '--package', tarball, 'handrail', 'check', 'refunds.policy'], elsewhere));
    expectSuccess(result, 'npx --package handrail-policy.tgz handrail check');
    expect(result.stdout).toMatch(/^ok refunds\.policy \(1 rule, hash sha256:[0-9a-f]{64}\)\n$/);
  }, 300_000);
});
