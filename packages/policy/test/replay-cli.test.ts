// `handrail replay` on transcripts written to a temporary directory: in this process through
// runCli, and as a user runs it, the real executable in a child process from the repository root
// (standard input, and a million turns replayed with a 64 MB heap: reading it whole would not fit).
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, handrail, root, timeout, type CliResult as Result } from './run-handrail.js';
import { compilePolicy, type ReplayReport } from '../src/index.js';


function run(nodeArgs: string[], args: string[], input?: (child: ReturnType<typeof spawn>) => void): Promise<Result> {
  return new Promise((resolve) => {
    if (!input) {
      execFile(process.execPath, [...nodeArgs, bin, ...args], { cwd: root, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
      return;
    }
    const child = spawn(process.execPath, [...nodeArgs, bin, ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    input(child);
  });
}


const policy = `policy review version 2
fact tier: string
rule review: when content contains "NEEDS_REVIEW" then escalate "asked for review" timeout 10m
rule refund: when tool.name == "refund" and tool.args.amount > 100 then stop "large refund"
rule gold: when tier == "gold" and content == "hello" then continue with "Hello!"
`;
const old = `policy review version 1
fact tier: string
rule review: when content contains "NEEDS_REVIEW" then escalate "asked for review"
rule gold: when tier == "gold" and content == "hello" then continue with "Hello!"
`;
const line = (value: unknown) => JSON.stringify(value);
const transcript = [
  line({ content: 'hello', role: 'assistant', facts: { tier: 'gold' } }),
  line({ content: 'NEEDS_REVIEW: invoice 7', role: 'assistant', facts: { tier: 'gold' } }),
  'garbage',
  '',
  line({ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'refund', arguments: '{"amount": 500}' } }] }),
  line({ type: 'chat-ended', end: { cause: 'stop' } }),
].join('\n');

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-replay-'));
  writeFileSync(file('review.policy'), policy);
  writeFileSync(file('old.policy'), old);
  writeFileSync(file('broken.policy'), 'policy broken\nrule r: when content contains then stop\n');
  writeFileSync(file('runs.jsonl'), transcript);
  writeFileSync(file('rss.mjs'), "process.on('exit', () => process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\\n`));\n");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.concurrent('handrail replay', { timeout }, () => {
  it('prints counts per action and per rule, failures, skipped and bad lines', async () => {
    const result = await handrail('replay', file('review.policy'), file('runs.jsonl'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`replay ${file('runs.jsonl')}
  policy   ${file('review.policy')}  (review version 2, ${compilePolicy(policy).hash.slice(0, 19)}…)
  6 lines: 3 turns, 1 skipped (no turn), 1 bad, 1 blank

action           turns
  continue           1
  escalate           1
  stop               0
  failed closed      1

deciding rule  turns
  gold             1
  review           1

failed closed: 1 decision
  MISSING_FACT  1
  line 5: MISSING_FACT: policy review reads the fact "tier", but the host did not provide it

skipped: 1 line without a turn
  chat-ended  1

bad lines: 1
  line 3: not JSON: Unexpected token 'g', "garbage" is not valid JSON
`);
  });

  it('lists the turns another policy decides differently, with --against', async () => {
    const result = await handrail('replay', file('review.policy'), file('runs.jsonl'), '--against', file('old.policy'), '--fact', 'tier="silver"');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`  against  ${file('old.policy')}  (review version 1, sha256:`);
    expect(result.stdout).toContain('action           new  old\n  continue         1    2\n  escalate         1    1\n  stop             1    0\n  failed closed    0    0\n');
    expect(result.stdout).toContain(
      [
        'differences: 2 of 3 turns decided differently',
        '  line 2',
        '    old  escalate review "asked for review" [else stop]',
        '    new  escalate review "asked for review" [else stop, timeout 10m]',
        '  line 5',
        '    old  continue (default) "no rule matched"',
        '    new  stop refund "large refund"',
        '',
      ].join('\n'),
    );
  });

  it('keeps one history per run of an audit log that mixes two runs', async () => {
    writeFileSync(file('mail.policy'), 'policy mail\nrule tainted: when tool.name == "send_email" and history.tools contains "read_inbox" then escalate "mail after the inbox"\n');
    const record = (seq: number, runId: string, tool: string) =>
      line({ seq, time: '2026-01-01T10:00:00.000Z', type: 'decision', runId, policy: { name: 'mail', hash: 'sha256:0' }, rule: null, reason: 'no rule matched', action: 'continue', prev: 'p', hash: 'h', turn: { role: 'assistant', tool: { name: tool } } });
    // Run a reads the inbox; run b, which never did, sends mail before run a does.
    writeFileSync(file('two-runs.jsonl'), [record(1, 'run-a', 'read_inbox'), record(2, 'run-b', 'send_email'), record(3, 'run-a', 'send_email')].join('\n'));
    const result = await handrail('replay', file('mail.policy'), file('two-runs.jsonl'), '--json');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as ReplayReport).decisions.rules).toEqual({ '(default)': 2, tainted: 1 });
    // With room for one run only, run a's history is forgotten: its mail fails closed instead of going out.
    const narrow = JSON.parse((await handrail('replay', file('mail.policy'), file('two-runs.jsonl'), '--json', '--max-runs', '1')).stdout) as ReplayReport;
    expect(narrow.decisions.failed).toMatchObject({ count: 1, codes: { MISSING_FACT: 1 }, first: [{ line: 3 }] });
    expect((await handrail('replay', file('mail.policy'), file('two-runs.jsonl'), '--max-runs', '0')).code).toBe(2);
  });

  it('prints the report as JSON with --json', async () => {
    const result = await handrail('replay', file('review.policy'), file('runs.jsonl'), '--against', file('old.policy'), '--json', '--max-differences', '0');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ReplayReport;
    expect(report).toMatchObject({ lines: 6, turns: 3, blankLines: 1, badLines: { count: 1 }, skipped: { count: 1, types: { 'chat-ended': 1 } } });
    // Line 5 fails closed alike under both (no "tier"): a difference of wording, not of outcome.
    expect(report.differences!.count).toBe(1);
    expect(report.differences!.first).toEqual([]);
    expect(report.decisions.failed.first).toEqual([{ line: 5, code: 'MISSING_FACT', message: 'policy review reads the fact "tier", but the host did not provide it' }]);
  });

  it('reads the transcript from standard input with -', async () => {
    const result = await run([], ['replay', file('review.policy'), '-', '--json'], (child) => child.stdin!.end(transcript));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ lines: 6, turns: 3 });
  });

  it('reports progress on stderr with --progress, about once a second', async () => {
    // Lines trickle in until the first progress report shows: however long the CLI takes to start.
    let written = 0;
    const result = await run([], ['replay', file('review.policy'), '-', '--progress'], (child) => {
      const feed = setInterval(() => {
        child.stdin!.write(`${line({ content: 'hello', facts: { tier: 'gold' } })}\n`);
        written++;
      }, 200);
      child.stderr!.on('data', (chunk: Buffer) => {
        if (!/^replay: /m.test(chunk.toString())) return;
        clearInterval(feed);
        child.stdin!.end();
      });
      child.on('close', () => clearInterval(feed));
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^replay: [\d,]+ lines, [\d,]+ lines\/s\n/);
    expect(result.stdout).toContain(`${written} lines: ${written} turns`);
  });

  it('says which file it cannot read, and shows a broken policy as a code frame', async () => {
    const missing = await handrail('replay', file('review.policy'), file('missing.jsonl'));
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: `handrail: cannot read ${file('missing.jsonl')}: no such file or directory\n` });
    const directory = await handrail('replay', file('review.policy'), dir);
    expect(directory).toMatchObject({ code: 1, stderr: `handrail: cannot read ${dir}: it is a directory\n` });
    const broken = await handrail('replay', file('broken.policy'), file('runs.jsonl'));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`${file('broken.policy')}:2:31: error UNEXPECTED_TOKEN: unexpected "then"\n`);
    expect(broken.stderr).toContain('> 2 | rule r: when content contains then stop\n');
  });

  it('refuses a wrong command line with its usage', async () => {
    const one = await handrail('replay', file('review.policy'));
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/^handrail replay: replay needs a POLICY and a TRANSCRIPT\n\nusage: handrail replay POLICY TRANSCRIPT/);
    const max = await handrail('replay', file('review.policy'), file('runs.jsonl'), '--max-differences', 'many');
    expect(max).toMatchObject({ code: 2, stderr: 'handrail: --max-differences must be a whole number, not "many"\n' });
    const fact = await handrail('replay', file('review.policy'), file('runs.jsonl'), '--fact', 'tier=gold');
    expect(fact.code).toBe(2);
    expect(fact.stderr).toMatch(/^handrail: --fact tier is not valid JSON/);
    const workers = await handrail('replay', file('review.policy'), file('runs.jsonl'), '--workers', '0');
    expect(workers).toMatchObject({ code: 2, stderr: 'handrail: --workers must be a whole number of 1 or more, not "0"\n' });
  });
});

// A ceiling for a loaded machine, not a timing: bench/replay.bench.ts measures throughput.
describe('handrail replay on a million turns', { timeout: 2 * timeout }, () => {
  const turns = 1_000_000;
  const invoices = join('examples', 'policies', 'invoices.policy');
  const terminate = join('packages', 'policy', 'presets', 'terminate.policy');
  /** Turns the invoices policy's `review` rule decides, and the preset's `ask_at_limit` (at 8 auto-replies). */
  const expected = { review: 0, askAtLimit: 0, byDefault: 0, bad: 0 };

  /** Writes the transcript with a stream, waiting when the disk is behind: never all in memory. */
  async function writeTranscript(path: string): Promise<void> {
    const out = createWriteStream(path);
    const padding = 'x'.repeat(40);
    for (let i = 1; i <= turns; i++) {
      let text: string;
      if (i % 100_000 === 0) {
        text = `{"content": "cut off at ${i}`;
        expected.bad++;
      } else if (i % 10 === 0) {
        text = line({ content: `Invoice ${i} NEEDS_REVIEW ${padding}`, role: 'assistant', sender: 'clerk', autoReplies: i % 9 });
        expected.review++;
      } else if (i % 10 === 1) {
        text = line({ role: 'assistant', name: 'clerk', content: null, tool_calls: [{ id: `call_${i}`, type: 'function', function: { name: 'book_invoice', arguments: `{"invoice": ${i}}` } }] });
        expected.byDefault++;
      } else {
        text = line({ content: `Booked invoice ${i}. ${padding}`, role: 'assistant', sender: 'clerk', autoReplies: i % 9, step: i });
        if (i % 9 === 8) expected.askAtLimit++;
        else expected.byDefault++;
      }
      if (!out.write(`${text}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  const maxRss = (stderr: string) => Number(/maxRSS (\d+)/.exec(stderr)?.[1]) * 1024;
  const limited = ['--max-old-space-size=64'];

  it('replays it in bounded memory, with the counts and differences of every turn', async () => {
    const big = file('million.jsonl');
    const small = file('one.jsonl');
    await writeTranscript(big);
    writeFileSync(small, `${line({ content: 'hello' })}\n`);
    const rss = ['--import', pathToFileURL(file('rss.mjs')).href];

    // What loading the CLI itself takes, so the bound below is on what the replay adds.
    const baseline = await run([...limited, ...rss], ['replay', invoices, small, '--json']);
    expect(baseline.code).toBe(0);
    // In one thread: worker threads (the default for a file this size) each add a heap of their own.
    const result = await run([...limited, ...rss], ['replay', invoices, big, '--against', terminate, '--json', '--workers', '1']);
    expect(result.stderr).toMatch(/^maxRSS \d+\n$/);
    expect(result.code).toBe(0);

    const report = JSON.parse(result.stdout) as ReplayReport;
    expect(report.lines).toBe(turns);
    expect(report.turns).toBe(turns - expected.bad);
    expect(report.badLines.count).toBe(expected.bad);
    expect(report.badLines.first.map((bad) => bad.line)).toEqual([...Array(10).keys()].map((k) => (k + 1) * 100_000));
    expect(report.decisions.actions).toEqual({ continue: expected.byDefault, escalate: expected.review + expected.askAtLimit, stop: 0 });
    expect({ ...report.decisions.rules }).toEqual({ '(default)': expected.byDefault, review: expected.review, 'terminate.ask_at_limit': expected.askAtLimit });
    // The preset alone, with its limit of 100, lets every turn through.
    expect(report.againstDecisions!.actions).toEqual({ continue: turns - expected.bad, escalate: 0, stop: 0 });
    expect(report.differences!.count).toBe(expected.review + expected.askAtLimit);
    expect(report.differences!.first).toHaveLength(1000);
    expect(report.differences!.first[0]).toMatchObject({ line: 8, new: { rule: 'terminate.ask_at_limit' }, old: { rule: null } });

    // The file is about 100 MB: holding it, or its lines, would add far more than this.
    const added = maxRss(result.stderr) - maxRss(baseline.stderr);
    expect(added).toBeLessThan(48 * 1024 * 1024);

    // On worker threads, the same report.
    const parallel = await run(limited, ['replay', invoices, big, '--against', terminate, '--json', '--workers', '2']);
    expect(parallel.code).toBe(0);
    expect(JSON.parse(parallel.stdout)).toEqual(report);
  });
});
