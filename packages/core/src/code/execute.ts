// Running the fenced code blocks of a message, as AutoGen's UserProxy does: each block in turn,
// in the work directory, with a timeout; the first failure stops the rest.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigurationError, delayProblem, HandrailError, startDeadline, type CodeBlock } from '@handrail/policy';

/**
 * How a proxy runs code; `false` in `codeExecutionConfig` turns it off.
 *
 * @example
 * new UserProxyAgent('user', { codeExecutionConfig: { workDir: 'coding', timeout: 60 } });
 */
export interface CodeExecutionConfig {
  /** Where code runs and files are written; `coding` under the current directory by default. */
  workDir?: string;
  /** Seconds before a block is killed (AutoGen's `timeout`); 60 by default. */
  timeout?: number;
  /** Run in Docker: true for the default image, or an image name. Off by default. */
  useDocker?: boolean | string;
  /** How many of the latest messages to scan for code; `auto` scans those received since this agent last spoke. */
  lastNMessages?: number | 'auto';
}

/** The result of running a message's blocks. */
export interface CodeResult {
  exitCode: number;
  /** Every block's output, each preceded by a newline, as AutoGen joins them. */
  output: string;
}

/** Code could not be run at all (no Docker engine, bad configuration). */
export class CodeExecutionError extends HandrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CODE_EXECUTION_FAILED', message, options);
  }
}

const shells = new Set(['sh', 'bash', 'shell', 'zsh', 'console']);
const pythons = new Set(['python', 'py', 'python3', 'Python']);
const scripts = new Set(['js', 'javascript', 'node', 'mjs']);
const defaultImage = 'python:3-slim';

/** AutoGen's infer_lang: shell commands that start like one, else python. */
export function inferLanguage(code: string): string {
  return /^\s*(python3? |pip3? |npm |node |sh |bash |ls|cat |echo )/.test(code) ? 'sh' : 'python';
}

/** The language a block runs as: sh, bash, python, js, or the block's own unknown name. */
export function languageOf(block: CodeBlock): string {
  const language = block.language || inferLanguage(block.code);
  if (language === 'bash') return 'bash';
  if (shells.has(language)) return 'sh';
  if (pythons.has(language)) return 'python';
  if (scripts.has(language)) return 'js';
  return language;
}

function commandFor(language: string, file: string): string[] {
  if (language === 'python') return ['python3', file];
  if (language === 'js') return ['node', file];
  return [language, file];
}

const extension: Record<string, string> = { python: 'py', js: 'mjs', sh: 'sh', bash: 'sh' };
let dockerChecked: string | undefined;

/** Fails fast, with a clear message, when Docker is asked for and no engine answers. */
function requireDocker(): void {
  if (dockerChecked === 'ok') return;
  const probe = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 5_000, encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? (probe.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the docker command is not installed' : probe.error.message : (probe.stderr || probe.stdout).trim() || `docker version exited with ${probe.status}`;
    throw new CodeExecutionError(`code execution is set to run in Docker (useDocker), but no Docker engine answers: ${why}. Start Docker, or set codeExecutionConfig.useDocker to false to run code on this machine.`);
  }
  dockerChecked = 'ok';
}

/** A file name the block asked for with `# filename: x` on its first line, kept inside workDir. */
function requestedFile(code: string, workDir: string): string | undefined {
  const match = /^\s*(?:#|\/\/)\s*filename:\s*(\S+)/.exec(code.split('\n', 1)[0] ?? '');
  if (!match) return undefined;
  const path = resolve(workDir, match[1]!);
  const inside = relative(workDir, path);
  if (inside.startsWith('..') || isAbsolute(inside)) throw new CodeExecutionError(`the code asks to be saved outside the work directory: ${match[1]}`);
  return inside;
}

/**
 * The time limit of a block in milliseconds (60 s by default). A limit nobody can state would
 * kill the block at once, or never: it is a ConfigurationError, before anything runs.
 */
export function codeTimeoutMs(config: CodeExecutionConfig): number {
  const timeoutMs = (config.timeout ?? 60) * 1000;
  const problem = delayProblem(timeoutMs);
  if (problem !== undefined) throw new ConfigurationError(`codeExecutionConfig.timeout of ${String(config.timeout)} s: ${problem}`);
  return timeoutMs;
}

function run(command: string[], cwd: string, timeoutMs: number): Promise<{ exitCode: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(command[0]!, command.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    let output = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const cancel = startDeadline(timeoutMs, () => {
      timedOut = true;
      // The block may have started children of its own: end the whole process group.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    });
    child.on('error', (error) => {
      cancel();
      done({ exitCode: 1, output: `${output}${error.message}` });
    });
    child.on('close', (code) => {
      cancel();
      if (timedOut) done({ exitCode: 1, output: `${output}Timeout` });
      else done({ exitCode: code ?? 1, output });
    });
  });
}

let counter = 0;

/**
 * Runs one block in `workDir` (created when missing); unknown languages fail with
 * `unknown language x`, as in AutoGen.
 *
 * @example
 * const { exitCode, output } = await executeCodeBlock({ language: 'sh', code: 'echo hi' }, { workDir: '.tmp' });
 */
export async function executeCodeBlock(block: CodeBlock, config: CodeExecutionConfig = {}): Promise<CodeResult> {
  const timeoutMs = codeTimeoutMs(config);
  const language = languageOf(block);
  if (!extension[language]) return { exitCode: 1, output: `unknown language ${language}` };
  const workDir = resolve(config.workDir ?? 'coding');
  if (config.useDocker) requireDocker();
  await mkdir(workDir, { recursive: true });
  const file = requestedFile(block.code, workDir) ?? `tmp_code_${process.pid}_${++counter}.${extension[language]}`;
  await mkdir(join(workDir, file, '..'), { recursive: true });
  await writeFile(join(workDir, file), block.code);
  if (config.useDocker) {
    const image = typeof config.useDocker === 'string' ? config.useDocker : defaultImage;
    const command = ['docker', 'run', '--rm', '-v', `${workDir}:/workspace`, '-w', '/workspace', image, ...commandFor(language, file)];
    return run(command, workDir, timeoutMs);
  }
  return run(commandFor(language, file), workDir, timeoutMs);
}
