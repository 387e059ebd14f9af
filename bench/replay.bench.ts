// Replay throughput: a transcript file of ~1 KB turns replayed with replayFile against the
// 20-rule policy (on its default worker threads, and in one thread), beside reading and parsing
// the same file alone (readline and JSON.parse), measured in the same run. Prints turns per
// second for each and the ratio of replayFile's time to reading and parsing.
//
//   tsx bench/replay.bench.ts               1,000,000 turns (a ~1 GB temporary file)
//   tsx bench/replay.bench.ts --turns=20000 fewer (the smoke test uses --quick: 20,000)
import { createReadStream, mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { compilePolicy, replayFile } from '../packages/policy/src/index.js';
import { quietText } from './matrix-workloads.js';

const quick = process.argv.includes('--quick');
const turns = Number(process.argv.find((arg) => arg.startsWith('--turns='))?.slice('--turns='.length) ?? (quick ? 20_000 : 1_000_000));

const policy = compilePolicy(readFileSync(new URL('./policies/twenty-rules.policy', import.meta.url), 'utf8'), { file: 'twenty-rules.policy' });
const directory = mkdtempSync(join(tmpdir(), 'handrail-replay-bench-'));
const file = join(directory, 'turns.jsonl');

/** ~1 KB turns: ordinary text, a step and counters; every 25th step escalates (checkpoint). */
function writeTranscript(): number {
  const fd = openSync(file, 'w');
  const text = quietText(900);
  let bytes = 0;
  let chunk = '';
  for (let i = 0; i < turns; i++) {
    chunk += `${JSON.stringify({ content: text, role: 'assistant', sender: 'accountant', step: i % 200, autoReplies: i % 6 })}\n`;
    if (chunk.length > 1 << 20 || i === turns - 1) {
      bytes += writeSync(fd, chunk);
      chunk = '';
    }
  }
  closeSync(fd);
  return bytes;
}

async function readAndParse(): Promise<number> {
  let count = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (JSON.parse(line) !== null) count++;
  }
  return count;
}

async function main(): Promise<void> {
  const bytes = writeTranscript();
  console.log(`Replay benchmark — ${turns.toLocaleString('en')} turns, ${(bytes / turns).toFixed(0)} bytes each, ${(bytes / 1e6).toFixed(0)} MB; wall time, best of ${quick ? 1 : 2}`);
  let readBest = Infinity;
  let replayBest = Infinity;
  let oneThreadBest = Infinity;
  for (let round = 0; round < (quick ? 1 : 2); round++) {
    let started = performance.now();
    const read = await readAndParse();
    readBest = Math.min(readBest, performance.now() - started);
    started = performance.now();
    const report = await replayFile(policy, file);
    replayBest = Math.min(replayBest, performance.now() - started);
    started = performance.now();
    const oneThread = await replayFile(policy, file, { workers: 1 });
    oneThreadBest = Math.min(oneThreadBest, performance.now() - started);
    if (read !== turns || report.turns !== turns || oneThread.turns !== turns) throw new Error(`read ${read} lines and replayed ${report.turns} and ${oneThread.turns} turns of ${turns}`);
  }
  const rate = (ms: number) => Math.round(turns / (ms / 1000)).toLocaleString('en');
  console.log(`  read + JSON.parse   ${rate(readBest).padStart(10)} turns/s`);
  console.log(`  replayFile          ${rate(replayBest).padStart(10)} turns/s   (${availableParallelism()} cores; default workers)`);
  console.log(`  replayFile, 1 thread ${rate(oneThreadBest).padStart(9)} turns/s   (workers: 1; ${(oneThreadBest / readBest).toFixed(2)}× reading and parsing)`);
  console.log(`  replay / read+parse = ${(replayBest / readBest).toFixed(2)}× the time`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(directory, { recursive: true, force: true }));
