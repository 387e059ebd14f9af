import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../../test/adversarial/fuzz-runs.js';
import { findCodeBlocks } from '../src/turn.js';

// The pattern the scanner replaces: its answers, found in quadratic time on unclosed fences.
const fence = /^[ \t]*```[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)^[ \t]*```[ \t]*$/gm;
const byRegex = (text: string) => (text.includes('```') ? [...text.matchAll(fence)].map((m) => ({ language: m[1] ?? '', code: m[2] ?? '' })) : []);

describe('finding code blocks', () => {
  it.each([
    ['Run this:\n```sh\nrm -rf dist\n```\n', [{ language: 'sh', code: 'rm -rf dist\n' }]],
    ['```python title="x"\nprint(1)\n```\ntext\n  ```\n```js\na\n\t```  ', [{ language: 'python', code: 'print(1)\n' }, { language: '', code: '```js\na\n' }]],
    ['```\n```', [{ language: '', code: '' }]],
    ['``` c++\r\nint x;\r\n```\r\n', [{ language: 'c++', code: 'int x;\r\n' }]],
    ['```x\nnever closed', []],
    ['````\nfour\n````\n```\n', [{ language: '', code: 'four\n````\n' }]],
  ])('finds the blocks of %j', (text, blocks) => {
    expect(findCodeBlocks(text)).toEqual(blocks);
    expect(byRegex(text)).toEqual(blocks);
  });

  it('finds what the multiline fence pattern finds, on any text', () => {
    const piece = fc.constantFrom('```', '`', '``', 'py', 'c++', ' ', '\t', '\n', '\r', '\r\n', '\u2028', '\u2029', 'x', '-', 'é', '=');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        expect(findCodeBlocks(text)).toEqual(byRegex(text));
      }),
      { numRuns: fuzzRuns(20_000) },
    );
  });
});
