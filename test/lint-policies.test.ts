// Every policy the repository ships or shows is lint-clean, and the reference's Lint section is
// real: each example prints exactly the finding shown under it, and every code is documented.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFinding, lintCodes, lintPolicy } from '../packages/policy/src/index.js';

const root = new URL('..', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function policiesUnder(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.policy') && !file.includes('node_modules'))
    .map((file) => join(folder, file));
}

const shipped = [...policiesUnder('examples'), ...policiesUnder('bench'), ...policiesUnder('packages/policy/presets'), ...policiesUnder('packages/adapters/test/fixtures')];
const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)];

/** The findings of a policy as code frames, one string (empty when clean). */
function findings(source: string, file: string): string {
  return lintPolicy(source, { file })
    .map((finding) => formatFinding(finding, source, file))
    .join('\n\n');
}

interface Block {
  line: number;
  language: string;
  source: string;
  /** The `## ` section it is in. */
  section: string;
}

/** The fenced blocks of a Markdown text, with the section each is in. */
function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  let section = '';
  let open: { line: number; language: string; lines: string[] } | undefined;
  markdown.split('\n').forEach((text, index) => {
    if (open) {
      if (/^ {0,3}```+\s*$/.test(text)) {
        blocks.push({ line: open.line, language: open.language, source: open.lines.join('\n'), section });
        open = undefined;
      } else open.lines.push(text);
      return;
    }
    const start = /^ {0,3}```+\s*(\S*)/.exec(text);
    if (start) open = { line: index + 1, language: start[1]!, lines: [] };
    else if (text.startsWith('## ')) section = text.slice(3).trim();
  });
  return blocks;
}

describe('lint on the repository', () => {
  it('finds the shipped policies', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(15);
  });

  it.each(shipped)('%s has no findings', (path) => {
    expect(findings(read(path), path)).toBe('');
  });

  it.each(documents)('the policies shown in %s have no findings, outside the Lint section', (path) => {
    for (const block of blocksOf(read(path)))
      if (block.language === 'policy' && block.section !== 'Lint') expect(findings(block.source, `${path}:${block.line}`)).toBe('');
  });
});

describe('the Lint section of docs/policy-language.md', () => {
  const text = read('docs/policy-language.md');
  const blocks = blocksOf(text).filter((block) => block.section === 'Lint');

  it('shows under each example exactly what lint prints for it', () => {
    let examples = 0;
    blocks.forEach((block, index) => {
      if (block.language !== 'policy') return;
      const shown = blocks[index + 1]?.language === 'text' ? blocks[index + 1]!.source : '';
      expect(findings(block.source, 'lint.policy'), `the example on line ${block.line}`).toBe(shown);
      if (shown) examples++;
    });
    expect(examples).toBe(Object.keys(lintCodes).length);
  });

  it('documents every code, in its table and under its own heading', () => {
    for (const [code, what] of Object.entries(lintCodes)) {
      expect(text, code).toContain(`| [\`${code}\`](#${code.toLowerCase()}) | ${what} |`);
      expect(text, code).toContain(`\n### \`${code}\`\n`);
    }
  });
});
