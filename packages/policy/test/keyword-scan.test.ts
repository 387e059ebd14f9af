// The shared keyword scan finds exactly the words `String.prototype.includes` finds, on texts
// and words from a small alphabet (so words overlap, nest and repeat) and on odd code units.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeywordScan } from '../src/engine/keyword-scan.js';
import { fuzzRuns } from '../../../test/adversarial/fuzz-runs.js';

const runs = fuzzRuns(2000);
const unit = fc.constantFrom('a', 'b', 'A', 'ß', 'İ', '\u0307', '\ud83d', '\ude00', ' ');
const word = fc.array(unit, { maxLength: 4 }).map((units) => units.join(''));
const text = fc.array(unit, { maxLength: 60 }).map((units) => units.join(''));

describe('KeywordScan', () => {
  it('finds the words includes finds, scan after scan', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 12 }), fc.array(text, { minLength: 1, maxLength: 3 }), (words, texts) => {
        const scan = new KeywordScan(words);
        for (const each of texts) {
          const generation = scan.scan(each);
          expect(words.map((w, i) => scan.found[i] === generation)).toEqual(words.map((w) => each.includes(w)));
        }
      }),
      { numRuns: runs },
    );
  });

  it('finds a word that ends inside a longer one, and every copy of a repeated word', () => {
    const scan = new KeywordScan(['drop table', 'table', 'able', 'rop', 'table', 'x', '']);
    const generation = scan.scan('please drop table now');
    expect([...scan.found].map((g) => g === generation)).toEqual([true, true, true, true, true, false, true]);
  });
});
