// Replay splits transcripts into lines itself (readline's event per line cost as much as deciding
// the turn). Lines must be exactly readline's with crlfDelay: Infinity, however the text is
// cut into chunks: \n, \r\n and a lone \r end a line, U+2028 does not, a last line counts.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../../test/adversarial/fuzz-runs.js';
import { lineSplitter } from '../src/replay/line-splitter.js';

async function readlineLines(chunks: string[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: Readable.from(chunks), crlfDelay: Infinity })) lines.push(line);
  return lines;
}

function splitterLines(chunks: string[]): string[] {
  const lines: string[] = [];
  const splitter = lineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.write(chunk);
  splitter.end();
  return lines;
}

const piece = fc.constantFrom('a', 'bc', '\r', '\n', '\r\n', '\n\n', 'é', '\u2028', ' ', '{"content":"x"}');

describe('lineSplitter', () => {
  it('gives readline’s lines for any text cut into any chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(piece, { maxLength: 4 }).map((parts) => parts.join('')), { maxLength: 8 }), async (chunks) => {
        const nonEmpty = chunks.filter((chunk) => chunk !== '');
        expect(splitterLines(chunks)).toEqual(await readlineLines(nonEmpty));
      }),
      { numRuns: fuzzRuns(1_000) },
    );
  });

  it('reads a long line sent in many chunks once', () => {
    const chunks = Array.from({ length: 20_000 }, () => 'x'.repeat(500));
    const started = performance.now();
    const lines = splitterLines([...chunks, '\r', '\nend']);
    expect(lines.map((line) => line.length)).toEqual([10_000_000, 3]);
    // Scanning the whole line again on every chunk would take minutes; this is generous.
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
