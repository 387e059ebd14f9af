// Silencing a finding on one line: `# handrail-ignore CODE` at the end of the finding's line, or
// alone on the line just above it. Several codes may follow, separated by spaces or commas. An
// ignore that silences nothing (a misspelt code, a finding since fixed) is itself a finding, so
// silences do not outlive their reason.
import type * as ast from '../ast.js';
import { lintCodes, type LintFinding } from './finding.js';

const directive = /^#\s*handrail-ignore\b(.*)$/;

interface Ignore {
  codes: Array<{ code: string; used: boolean }>;
  /** The line whose findings it silences. */
  line: number;
  span: ast.Span;
}

/** The `# handrail-ignore` comments of a policy, each with the line it applies to. */
function ignoresOf(comments: ast.Policy['comments'], source: string): Ignore[] {
  const ignores: Ignore[] = [];
  for (const comment of comments) {
    const match = directive.exec(comment.text);
    if (!match) continue;
    const lineStart = source.lastIndexOf('\n', comment.span.offset - 1) + 1;
    const alone = source.slice(lineStart, comment.span.offset).trim() === '';
    const codes = match[1]!.split(/[\s,]+/).filter(Boolean).map((code) => ({ code, used: false }));
    ignores.push({ codes, line: alone ? comment.span.line + 1 : comment.span.line, span: comment.span });
  }
  return ignores;
}

/**
 * The findings no ignore comment silences, and an UNUSED_IGNORE finding for each code of an
 * ignore comment that silenced nothing.
 */
export function applyIgnores(findings: readonly LintFinding[], comments: ast.Policy['comments'], source: string): LintFinding[] {
  const ignores = ignoresOf(comments, source);
  const kept = findings.filter((finding) => {
    let silenced = false;
    for (const ignore of ignores) {
      if (ignore.line !== finding.span.line) continue;
      for (const entry of ignore.codes)
        if (entry.code === finding.code) {
          entry.used = true;
          silenced = true;
        }
    }
    return !silenced;
  });
  for (const ignore of ignores) {
    if (ignore.codes.length === 0)
      kept.push({ code: 'UNUSED_IGNORE', message: `name the code to silence: \`# handrail-ignore UNREACHABLE_RULE\``, span: ignore.span });
    for (const entry of ignore.codes) {
      if (entry.used) continue;
      const known = Object.hasOwn(lintCodes, entry.code);
      kept.push({
        code: 'UNUSED_IGNORE',
        message: known
          ? `no ${entry.code} finding on line ${ignore.line} to silence; remove it from the comment`
          : `${entry.code} is not a lint code; the codes are ${Object.keys(lintCodes).join(', ')}`,
        span: ignore.span,
      });
    }
  }
  return kept;
}
