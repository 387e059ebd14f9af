// Batch timing with process.hrtime.bigint: after a warm-up that also sizes the batches, every
// subject runs `batches` batches of N calls, interleaved with the other subjects so drift and
// GC spread evenly; the result is the median (and quartiles) of per-batch time per call.

export interface Subject {
  name: string;
  /** One call; `i` counts calls so a subject can cycle through inputs. Sync or async. */
  call: (i: number) => unknown;
  async: boolean;
}

export interface TimingOptions {
  batches: number;
  /** Wall time of one batch to aim for, in ms; sets N per subject. */
  batchMs: number;
  warmupMs: number;
}

export interface Timing {
  name: string;
  perCall: number[];
  /** µs per call */
  median: number;
  p25: number;
  p75: number;
  callsPerBatch: number;
}

let sink = 0;
/** Keeps results alive so no call can be optimised away. */
function consume(value: unknown): void {
  if (value !== null && typeof value === 'object' && 'rule' in value) sink += String((value as { rule: unknown }).rule).length;
  else sink += 1;
}
export const checksum = () => sink;

async function batch(subject: Subject, n: number, start: number): Promise<bigint> {
  const { call } = subject;
  if (subject.async) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) consume(await call(start + i));
    return process.hrtime.bigint() - t0;
  }
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) consume(call(start + i));
  return process.hrtime.bigint() - t0;
}

const quantile = (sorted: number[], q: number) => {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
};

export async function measure(subjects: readonly Subject[], options: TimingOptions): Promise<Timing[]> {
  const sizes: number[] = [];
  for (const subject of subjects) {
    // Warm up until warmupMs has passed, doubling the batch, then size batches to batchMs.
    let n = 1;
    let calls = 0;
    let spent = 0n;
    const deadline = BigInt(Math.round(options.warmupMs * 1e6));
    while (spent < deadline) {
      spent += await batch(subject, n, calls);
      calls += n;
      n = Math.min(n * 2, 1 << 16);
    }
    const nsPerCall = Number(spent) / calls;
    sizes.push(Math.max(1, Math.round((options.batchMs * 1e6) / nsPerCall)));
  }
  const perCall: number[][] = subjects.map(() => []);
  let offset = 0;
  for (let b = 0; b < options.batches; b++) {
    for (let s = 0; s < subjects.length; s++) {
      const n = sizes[s]!;
      const ns = await batch(subjects[s]!, n, offset);
      perCall[s]!.push(Number(ns) / n / 1000);
    }
    offset += 1;
  }
  return subjects.map((subject, s) => {
    const sorted = [...perCall[s]!].sort((a, b) => a - b);
    return { name: subject.name, perCall: perCall[s]!, median: quantile(sorted, 0.5), p25: quantile(sorted, 0.25), p75: quantile(sorted, 0.75), callsPerBatch: sizes[s]! };
  });
}
