// What the policy fuzzers start from: the shipped policies and presets, and a small deterministic
// generator, so a failure names the seed that reproduces it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The text of every example policy and preset. */
export const shippedPolicies: readonly string[] = [
  ...readdirSync(join(root, 'examples/policies')).filter((f) => f.endsWith('.policy')).map((f) => join(root, 'examples/policies', f)),
  ...readdirSync(join(root, 'packages/policy/presets')).map((f) => join(root, 'packages/policy/presets', f)),
].map((path) => readFileSync(path, 'utf8'));

/** A xorshift generator from `seed`: numbers in [0, 1), integers below n, picks. */
export function random(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]! };
}
