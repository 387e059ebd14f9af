// `handrail replay POLICY TRANSCRIPT`: what a policy would have decided on recorded turns, and
// with --against, where it decides differently from another.
import { stat } from 'node:fs/promises';
import { formatReplayReport, replayFile, replayStream, type Policy, type ReplayProgress, type ReplayReport, type ReplayStreamOptions } from '../../index.js';
import { CliError, UsageError, exitCodes, parseCommandLine, type Command } from '../command.js';
import { loadPolicyFromCommandLine, reasonOf } from '../load-policy-file.js';

const options = {
  against: { type: 'string' },
  json: { type: 'boolean' },
  progress: { type: 'boolean' },
  fact: { type: 'string', multiple: true },
  'max-differences': { type: 'string' },
  'max-runs': { type: 'string' },
  workers: { type: 'string' },
  'working-directory': { type: 'string' },
  home: { type: 'string' },
} as const;

function badValue(message: string): never {
  throw new CliError(message, exitCodes.usage);
}

/** `name=JSON` pairs into custom fact values. */
function customFacts(pairs: readonly string[]): Record<string, unknown> {
  const facts: Record<string, unknown> = Object.create(null);
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) badValue(`--fact takes name=JSON, not ${JSON.stringify(pair)}`);
    try {
      facts[pair.slice(0, at)] = JSON.parse(pair.slice(at + 1));
    } catch (error) {
      badValue(`--fact ${pair.slice(0, at)} is not valid JSON: ${(error as Error).message}`);
    }
  }
  return facts;
}

/** One line of progress: lines read, how far into the file, and the recent rate. */
function progressReporter(write: (text: string) => void, terminal: boolean) {
  let previous = { lines: 0, elapsedMs: 0 };
  return {
    report(progress: ReplayProgress): void {
      const rate = ((progress.lines - previous.lines) * 1000) / Math.max(1, progress.elapsedMs - previous.elapsedMs);
      previous = progress;
      const share = progress.bytesRead !== undefined && progress.totalBytes ? `, ${Math.floor((progress.bytesRead / progress.totalBytes) * 100)}%` : '';
      const text = `replay: ${progress.lines.toLocaleString('en-US')} lines${share}, ${Math.round(rate).toLocaleString('en-US')} lines/s`;
      // A terminal shows one line that keeps changing; a log gets one line a second.
      write(terminal ? `\r${text}\x1b[K` : `${text}\n`);
    },
    done(): void {
      if (terminal && previous.lines) write('\r\x1b[K');
    },
  };
}

/** `handrail replay`: counts of decisions over a transcript, and differences from another policy. */
export const replay: Command = {
  name: 'replay',
  summary: 'run a policy over recorded turns (JSON lines); compare it with another',
  usage: `handrail replay POLICY TRANSCRIPT [--against OLD_POLICY] [options]

  Decides every turn of TRANSCRIPT (JSON lines; - reads standard input) with POLICY and prints
  how many turns each action and each rule decided, the decisions that failed closed, lines
  skipped for holding no turn, and lines that are not JSON. Each line is a Turn, an OpenAI chat
  message, a record with a "turn" (an audit record, a decision-made event) or a chat result.
  --against FILE          decide with this policy too; list every turn decided differently
  --json                  print the report as JSON
  --progress              report progress on stderr every second (by default, on a terminal)
  --fact NAME=JSON        the value of a custom fact, for turns that do not carry it (repeatable)
  --max-differences N     how many differences to list (1000 by default); all are counted
  --max-runs N            how many runs' histories to keep at once (10000 by default)
  --workers N             threads that decide (by default one per core, up to 4, for a file
                          over 8 MiB); 1 decides in one thread; the report is the same
  --working-directory DIR what relative paths in path conditions resolve against
  --home DIR              what ~ stands for in path conditions
  Each turn's history (for history rules) is built from the turns of its run before it in
  TRANSCRIPT: one run per runId of audit records, and one for the lines without a runId.
  Exits 0 when the transcript was read, whatever was decided; 1 when a file cannot be read.`,

  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, options);
    if (positionals.length !== 2) throw new UsageError(positionals.length > 2 ? 'replay takes one POLICY and one TRANSCRIPT' : 'replay needs a POLICY and a TRANSCRIPT');
    const [policyFile, transcript] = positionals as [string, string];
    const max = values['max-differences'];
    if (max !== undefined && !/^\d+$/.test(max)) badValue(`--max-differences must be a whole number, not ${JSON.stringify(max)}`);
    const maxRuns = values['max-runs'];
    if (maxRuns !== undefined && !/^[1-9]\d*$/.test(maxRuns)) badValue(`--max-runs must be a whole number of 1 or more, not ${JSON.stringify(maxRuns)}`);
    const workers = values.workers;
    if (workers !== undefined && !/^[1-9]\d*$/.test(workers)) badValue(`--workers must be a whole number of 1 or more, not ${JSON.stringify(workers)}`);
    const facts = customFacts(values.fact ?? []);

    const policy = await loadPolicyFromCommandLine(policyFile);
    const against: Policy | undefined = values.against !== undefined ? await loadPolicyFromCommandLine(values.against) : undefined;
    if (transcript !== '-') {
      try {
        const info = await stat(transcript);
        if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      } catch (error) {
        throw new CliError(`cannot read ${transcript}: ${reasonOf(error)}`);
      }
    }

    const progress = progressReporter(io.stderr, Boolean(process.stderr.isTTY));
    const showProgress = values.progress ?? Boolean(process.stderr.isTTY);
    const replayOptions: ReplayStreamOptions = {
      ...(against ? { against } : {}),
      ...(Object.keys(facts).length ? { facts } : {}),
      ...(max !== undefined ? { maxDifferences: Number(max) } : {}),
      ...(maxRuns !== undefined ? { maxRuns: Number(maxRuns) } : {}),
      ...(workers !== undefined ? { workers: Number(workers) } : {}),
      ...(values['working-directory'] !== undefined ? { workingDirectory: values['working-directory'] } : {}),
      ...(values.home !== undefined ? { home: values.home } : {}),
      ...(showProgress ? { onProgress: progress.report } : {}),
    };
    let report: ReplayReport;
    try {
      report = transcript === '-' ? await replayStream(policy, process.stdin, replayOptions) : await replayFile(policy, transcript, replayOptions);
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code !== undefined) throw new CliError(`cannot read ${transcript}: ${reasonOf(error)}`);
      throw error;
    } finally {
      if (showProgress) progress.done();
    }
    io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReplayReport(report, { transcript: transcript === '-' ? '(standard input)' : transcript }));
    return exitCodes.ok;
  },
};
