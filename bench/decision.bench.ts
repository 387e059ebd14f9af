// Decision benchmark: for one 20-rule policy and ~1 KB messages, the median time per decision of
//   - the fast evaluator, decideSync (and decide, the async path, for information),
//   - json-rules-engine itself: one reused Engine with Handrail's operators,
//   - a hand-written TypeScript predicate of the same 20 rules,
//   - one supervisor step that needs no person (createSupervisor's check: counters, decision,
//     verdict; what createGate and the bundled agents run per step), against decide;
// then fast vs json-rules-engine on a generated 200-rule policy. Before timing, every evaluator
// must agree on the action, rule and reason of every sample turn (exit 1 otherwise).
//
//   corepack pnpm bench            full run (200 batches per evaluator and workload)
//   tsx --conditions=@handrail/source bench/decision.bench.ts --quick          a few batches, for smoke tests
//   tsx --conditions=@handrail/source bench/decision.bench.ts --check-targets  exit 2 when a timing target is missed
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { compilePolicy, decide, decideSync, type Decision, type Policy, type Turn } from '../packages/policy/src/index.js';
import { createSupervisor } from '../packages/core/src/index.js';
import { generatePolicy } from './generate-policy.js';
import { handWritten, type HandDecision } from './hand-written.js';
import { jsonRulesEngineDecider, type JreDecide } from './json-rules-engine.js';
import { body, expected, samples, type Sample } from './messages.js';
import { checksum, measure, type Subject, type Timing, type TimingOptions } from './timing.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const checkTargets = args.has('--check-targets');
const options: TimingOptions = quick ? { batches: 15, batchMs: 0.3, warmupMs: 15 } : { batches: 200, batchMs: 2, warmupMs: 300 };

const targets = { fastOverHand: 1.5, jreOverFast: 20, supervisorOverDecide: 1.5 };

const policyFile = new URL('./policies/twenty-rules.policy', import.meta.url);
const policyText = readFileSync(policyFile, 'utf8');
const twenty = compilePolicy(policyText, { file: 'bench/policies/twenty-rules.policy' });
const twoHundred = compilePolicy(generatePolicy(policyText, 200), { file: 'generated-200.policy' });

const brief = (d: Decision | HandDecision) => ({ action: d.action, rule: d.rule, reason: d.reason });
const show = (d: { action: string; rule: string | null }) => `${d.action} ${d.rule ?? '(default)'}`;

// ── agreement ────────────────────────────────────────────────────────────────────────────────

interface Evaluators {
  label: string;
  policy: Policy;
  jre: JreDecide;
  hand?: (turn: Turn) => HandDecision;
  expected?: typeof expected;
}

async function checkAgreement({ label, policy, jre, hand, expected: wanted }: Evaluators): Promise<boolean> {
  console.log(`Agreement on action, rule and reason — ${label}:`);
  let ok = true;
  for (const { name, turn } of samples) {
    const results: Array<[string, ReturnType<typeof brief>]> = [
      ['fast', brief(decideSync(policy, turn))],
      ['decide', brief(await decide(policy, turn))],
      ['json-rules-engine', await jre(turn)],
    ];
    if (hand) results.push(['hand-written', hand(turn)]);
    const [, first] = results[0]!;
    const same = results.every(([, r]) => r.action === first.action && r.rule === first.rule && r.reason === first.reason);
    const want = wanted?.[name];
    const asExpected = !want || (want.action === first.action && want.rule === first.rule);
    if (!same || !asExpected) ok = false;
    const status = !same ? 'DISAGREE' : !asExpected ? `UNEXPECTED (wanted ${show(want!)})` : 'ok';
    console.log(`  ${name.padEnd(18)} ${show(first).padEnd(30)} ${status}`);
    if (!same) for (const [who, r] of results) console.log(`      ${who.padEnd(18)} ${show(r)} — ${r.reason}`);
  }
  console.log(`agreement: ${ok ? 'OK' : 'FAILED'} (${samples.length} samples, ${evaluatorNames(hand !== undefined)})`);
  return ok;
}
const evaluatorNames = (withHand: boolean) => (withHand ? 'fast, decide, json-rules-engine, hand-written' : 'fast, decide, json-rules-engine');

// ── timing ───────────────────────────────────────────────────────────────────────────────────

const quiet = samples.find((s) => s.name === 'quiet')!;
const workloads: Array<{ title: string; pick: (i: number) => Sample }> = [
  { title: 'common case: no rule matches', pick: () => quiet },
  { title: `mixed: ${samples.length} samples in turn, most fire rules`, pick: (i) => samples[i % samples.length]! },
];

function subjects(policy: Policy, jre: JreDecide, pick: (i: number) => Sample, withHand: boolean): Subject[] {
  const list: Subject[] = [];
  if (withHand) list.push({ name: 'hand-written predicate', async: false, call: (i) => handWritten(pick(i).turn) });
  list.push({ name: 'fast: decideSync', async: false, call: (i) => decideSync(policy, pick(i).turn) });
  list.push({ name: 'fast: decide (async)', async: true, call: (i) => decide(policy, pick(i).turn) });
  list.push({ name: 'json-rules-engine (reused Engine)', async: true, call: (i) => jre(pick(i).turn) });
  if (withHand) {
    // A step nobody is asked about: an escalation finds no channel and stops, so no person waits.
    const supervisor = createSupervisor({ policy, humanAvailable: true });
    list.push({ name: 'supervisor: check (no person)', async: true, call: (i) => supervisor.check(pick(i).turn) });
  }
  return list;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);
const byName = (timings: Timing[], name: string) => timings.find((t) => t.name === name)!;

function table(timings: Timing[], baseline: Timing | undefined): void {
  const head = `  ${'evaluator'.padEnd(36)}${'median µs'.padStart(11)}${'p25–p75 µs'.padStart(18)}${baseline ? '× hand-written'.padStart(16) : ''}${'calls/batch'.padStart(13)}`;
  console.log(head);
  for (const t of timings) {
    const spread = `${fmt(t.p25)}–${fmt(t.p75)}`;
    const ratio = baseline ? fmt(t.median / baseline.median).padStart(16) : '';
    console.log(`  ${t.name.padEnd(36)}${fmt(t.median).padStart(11)}${spread.padStart(18)}${ratio}${String(t.callsPerBatch).padStart(13)}`);
  }
}

interface Verdict {
  label: string;
  pass: boolean;
  detail: string;
}

async function main(): Promise<number> {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Handrail decision benchmark — node ${process.version}, ${cpu} × ${cpus().length}, load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  console.log(
    `${quick ? 'QUICK run (timings are rough)' : 'full run'}: ${options.batches} batches per evaluator and workload, ~${options.batchMs} ms each, after ${options.warmupMs} ms warm-up; message ${Buffer.byteLength(body)} bytes`,
  );
  console.log('');

  const jre20 = jsonRulesEngineDecider(twenty);
  const jre200 = jsonRulesEngineDecider(twoHundred);
  const agreed20 = await checkAgreement({ label: `${twenty.document.rules.length} rules`, policy: twenty, jre: jre20, hand: handWritten, expected });
  console.log('');
  const agreed200 = await checkAgreement({ label: `${twoHundred.document.rules.length} rules (generated)`, policy: twoHundred, jre: jre200 });
  console.log('');
  if (!agreed20 || !agreed200) {
    console.error('The evaluators disagree: timings would compare different work. Fix the disagreement first.');
    return 1;
  }

  const verdicts: Verdict[] = [];
  console.log(`═══ ${twenty.document.rules.length} rules (bench/policies/twenty-rules.policy) ═══`);
  for (const { title, pick } of workloads) {
    const timings = await measure(subjects(twenty, jre20, pick, true), options);
    const hand = byName(timings, 'hand-written predicate');
    const fast = byName(timings, 'fast: decideSync');
    const jre = byName(timings, 'json-rules-engine (reused Engine)');
    console.log('');
    console.log(`${title}`);
    table(timings, hand);
    const fastOverHand = fast.median / hand.median;
    const jreOverFast = jre.median / fast.median;
    console.log(`  json-rules-engine / fast = ${fmt(jreOverFast, 1)}×   json-rules-engine / hand-written = ${fmt(jre.median / hand.median, 1)}×`);
    verdicts.push({ label: `fast ≤ ${targets.fastOverHand}× hand-written (${title})`, pass: fastOverHand <= targets.fastOverHand, detail: `${fmt(fastOverHand)}×` });
    verdicts.push({ label: `fast ≥ ${targets.jreOverFast}× faster than json-rules-engine (${title})`, pass: jreOverFast >= targets.jreOverFast, detail: `${fmt(jreOverFast, 1)}×` });
    const supervisorOverDecide = byName(timings, 'supervisor: check (no person)').median / byName(timings, 'fast: decide (async)').median;
    console.log(`  supervisor step / decide = ${fmt(supervisorOverDecide)}×   supervisor step / decideSync = ${fmt(byName(timings, 'supervisor: check (no person)').median / fast.median)}×`);
    verdicts.push({ label: `a supervisor step ≤ ${targets.supervisorOverDecide}× decide (${title})`, pass: supervisorOverDecide <= targets.supervisorOverDecide, detail: `${fmt(supervisorOverDecide)}×` });
  }

  console.log('');
  console.log(`Targets${quick ? ' (QUICK run: not meaningful)' : ''}:`);
  for (const v of verdicts) console.log(`  ${v.pass ? 'PASS' : 'FAIL'}  ${v.label}: ${v.detail}`);

  console.log('');
  console.log(`═══ ${twoHundred.document.rules.length} rules (generated from the 20 by bench/generate-policy.ts) ═══`);
  for (const { title, pick } of workloads) {
    const timings = await measure(subjects(twoHundred, jre200, pick, false), options);
    const fast = byName(timings, 'fast: decideSync');
    const jre = byName(timings, 'json-rules-engine (reused Engine)');
    console.log('');
    console.log(`${title}`);
    table(timings, undefined);
    console.log(`  json-rules-engine / fast = ${fmt(jre.median / fast.median, 1)}×`);
  }
  console.log('');
  console.log(`(checksum ${checksum()})`);
  return checkTargets && verdicts.some((v) => !v.pass) ? 2 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
