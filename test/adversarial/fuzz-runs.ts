// How many generated cases an adversarial test runs: its default, sized for CI, times
// HANDRAIL_FUZZ_RUNS when that is set (HANDRAIL_FUZZ_RUNS=10 runs ten times as many).
const multiplier = Number(process.env.HANDRAIL_FUZZ_RUNS);

/** `base` cases, scaled by HANDRAIL_FUZZ_RUNS; at least 1. */
export function fuzzRuns(base: number): number {
  return Math.max(1, Math.round(base * (Number.isFinite(multiplier) && multiplier > 0 ? multiplier : 1)));
}
