// Policy hashes and audit chains rest on canonicalJson: its output may never change. It is held
// here to its first, plainest form on generated values (undefined and functions included).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../../test/adversarial/fuzz-runs.js';
import { canonicalJson } from '../src/compile/hash.js';

function plainCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(plainCanonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${plainCanonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const odd = fc.constantFrom(undefined, () => 1, Number.NaN, -0, Infinity, '\u2028', '\uD800', '__proto__');
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), odd, tie('list'), tie('record')),
  list: fc.array(tie('node'), { maxLength: 5 }),
  record: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('a', 'B', 'é', '10', '9', '__proto__')), tie('node'), { maxKeys: 5 }),
})).node;

describe('canonicalJson', () => {
  it('writes every value as its first form did', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(plainCanonicalJson(v));
      }),
      { numRuns: fuzzRuns(2_000) },
    );
  });

  it('sorts keys by UTF-16 code units and skips undefined', () => {
    expect(canonicalJson({ b: 1, a: [undefined, { d: undefined, c: 'x' }], é: null, Z: 2 })).toBe('{"Z":2,"a":[,{"c":"x"}],"b":1,"é":null}');
  });
});
