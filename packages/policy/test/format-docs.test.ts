// A policy copied from the documentation passes `handrail fmt --check`: every complete policy in a
// ```policy block of docs/*.md and README.md is already in the canonical layout. A block that
// shows text before formatting says so in its fence: ```policy unformatted.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatPolicy } from '../src/index.js';

const repository = new URL('../../../', import.meta.url);
const documents = ['README.md', ...readdirSync(new URL('docs/', repository)).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

interface Block {
  name: string;
  source: string;
  unformatted: boolean;
}

/** The ```policy blocks of a Markdown file (``` or ~~~ fences, up to 3 spaces in), named by file and fence line. */
function policyBlocks(path: string): Block[] {
  const blocks: Block[] = [];
  let open: { line: number; fence: string; words: string[]; lines: string[] } | undefined;
  readFileSync(new URL(path, repository), 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (!open) {
        const start = /^ {0,3}(`{3,}|~{3,})[ \t]*([^`]*)$/.exec(text);
        if (start) open = { line: index + 1, fence: start[1]!, words: start[2]!.trim().split(/\s+/), lines: [] };
        return;
      }
      if (new RegExp(`^ {0,3}\\${open.fence[0]}{${open.fence.length},}[ \\t]*$`).test(text)) {
        const [language, ...marks] = open.words;
        if (language === 'policy') blocks.push({ name: `${path}:${open.line}`, source: `${open.lines.join('\n')}\n`, unformatted: marks.includes('unformatted') });
        open = undefined;
      } else open.lines.push(text);
    });
  return blocks;
}

const blocks = documents.flatMap(policyBlocks);
/** A complete policy: its first line that is not a comment or blank is the header. */
const complete = blocks.filter((block) => /^policy\b/.test(block.source.split('\n').find((line) => line.trim() !== '' && !line.trimStart().startsWith('#')) ?? ''));

describe('```policy blocks in the documentation', () => {
  it('are found, in the reference, the README and the guides', () => {
    expect(complete.filter((block) => block.name.startsWith('docs/policy-language.md')).length).toBeGreaterThanOrEqual(20);
    expect(complete.filter((block) => block.name.startsWith('README.md'))).toHaveLength(1);
    expect(complete.filter((block) => block.unformatted)).toHaveLength(1);
  });

  it.each(complete.filter((block) => !block.unformatted).map((block) => [block.name, block.source] as const))('%s is formatted', (name, source) => {
    expect(formatPolicy(source, { file: name })).toBe(source);
  });

  it.each(complete.filter((block) => block.unformatted).map((block) => [block.name, block.source] as const))('%s, marked unformatted, is not', (name, source) => {
    expect(formatPolicy(source, { file: name })).not.toBe(source);
  });
});
