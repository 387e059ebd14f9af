// Every ```policy block in the documentation is a complete policy that compiles, and the
// reference's tables of built-in facts and operators list everything the package has.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtInFacts, compilePolicy, operators, PolicyError } from '../packages/policy/src/index.js';

const reference = 'docs/policy-language.md';
const documents = [reference, 'README.md'].filter((path) => existsSync(new URL(`../${path}`, import.meta.url)));

interface Block {
  /** The line of the opening fence, from 1. */
  line: number;
  source: string;
}

/** The fenced blocks of one language in a Markdown text (``` or ~~~ fences, up to 3 spaces in). */
function fencedBlocks(markdown: string, language: string): Block[] {
  const blocks: Block[] = [];
  let open: { line: number; fence: string; language: string; lines: string[] } | undefined;
  markdown.split('\n').forEach((text, index) => {
    if (!open) {
      const start = /^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)/.exec(text);
      if (start) open = { line: index + 1, fence: start[1]!, language: start[2]!, lines: [] };
      return;
    }
    const fenceChar = open.fence[0]!;
    const closing = new RegExp(`^ {0,3}\\${fenceChar}{${open.fence.length},}[ \\t]*$`);
    if (closing.test(text)) {
      if (open.language === language) blocks.push({ line: open.line, source: open.lines.join('\n') });
      open = undefined;
    } else open.lines.push(text);
  });
  return blocks;
}

function read(path: string): string {
  return readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
}

/** The compile errors of a block as code frames, or undefined when it compiles. */
function problems(source: string, file: string): string | undefined {
  try {
    compilePolicy(source, { file });
    return undefined;
  } catch (error) {
    if (PolicyError.isInstance(error)) return error.format();
    throw error;
  }
}

describe.each(documents)('```policy blocks in %s', (path) => {
  const blocks = fencedBlocks(read(path), 'policy');

  it.each(blocks.map((block) => [`line ${block.line}`, block] as const))('compiles (%s)', (_line, block) => {
    expect(problems(block.source, `${path}:${block.line}`)).toBeUndefined();
  });
});

describe(reference, () => {
  const text = read(reference);

  it('has policy examples to check', () => {
    expect(fencedBlocks(text, 'policy').length).toBeGreaterThan(10);
  });

  it('lists every built-in fact in its table', () => {
    for (const name of Object.keys(builtInFacts)) expect(text, `fact ${name}`).toContain(`| \`${name}\` |`);
  });

  it('lists every operator of the compiled form', () => {
    for (const name of Object.keys(operators)) expect(text, `operator ${name}`).toContain(`| \`${name}\` |`);
  });
});

describe('fencedBlocks', () => {
  it('finds blocks of one language and the line they start on', () => {
    const markdown = ['# Title', '```policy', 'policy a', '```', '', '```text', 'not this', '```', '````policy', 'policy b', '```', '````'].join('\n');
    expect(fencedBlocks(markdown, 'policy')).toEqual([
      { line: 2, source: 'policy a' },
      { line: 9, source: 'policy b\n```' },
    ]);
  });
});
