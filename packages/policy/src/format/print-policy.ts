// The whole file: the header, then the settings (`mode` then `max`, then `fact`s, then `default`),
// then the rules in their order, a blank line between groups and between rules; then every
// comment put in its place.
import type * as ast from '../ast.js';
import type { PrintContext } from './context.js';
import type { Line } from './layout.js';
import { printHeader, printStatement } from './print-statement.js';

/** The order of statements' kinds, and the block of lines each shares. */
const rank: Record<ast.Statement['kind'], number> = { mode: 0, max: 1, fact: 2, default: 3, rule: 4 };
const blockOf: Record<ast.Statement['kind'], number> = { mode: 0, max: 0, fact: 1, default: 2, rule: 3 };

/**
 * Statements in the order the formatter prints them: settings first, rules last, each kind in
 * the order written. Only rules' order means anything (it breaks ties between rules), and it is
 * kept.
 */
export function statementOrder(statements: readonly ast.Statement[]): ast.Statement[] {
  return statements.map((statement, i) => ({ statement, i })).sort((a, b) => rank[a.statement.kind] - rank[b.statement.kind] || a.i - b.i).map(({ statement }) => statement);
}

/** Settings of one group share a block of lines; each rule is a block of its own. */
function blocks(statements: readonly ast.Statement[]): ast.Statement[][] {
  const out: ast.Statement[][] = [];
  let previous: number | undefined;
  for (const statement of statementOrder(statements)) {
    const group = blockOf[statement.kind];
    if (group === previous && statement.kind !== 'rule') out.at(-1)!.push(statement);
    else out.push([statement]);
    previous = group;
  }
  return out;
}

function layout(ctx: PrintContext, policy: ast.Policy): Line[] {
  const lines: Line[] = [...printHeader(ctx, policy)];
  for (const block of blocks(policy.statements)) {
    lines.push({ indent: 0, text: '', starts: [], ends: [] });
    for (const statement of block) lines.push(...printStatement(ctx, statement));
  }
  return lines;
}

/** Lines with their comments: leading comments above, one trailing comment at the end. */
function withComments(ctx: PrintContext, lines: readonly Line[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const indent = ' '.repeat(line.indent);
    const above = line.starts.flatMap((anchor) => anchor.leading);
    const after = line.ends.flatMap((anchor) => anchor.trailing);
    // One line holds one comment at its end; others that would land there go above it.
    above.push(...after.splice(0, Math.max(0, after.length - 1)));
    for (const comment of above) {
      out.push(indent + comment.text);
      if (comment.blankAfter) out.push('');
    }
    out.push(line.text === '' ? '' : `${indent}${line.text}${after.length ? `  ${after[0]!.text}` : ''}`);
  }
  // Statements may have moved, so comments after the last one are set apart from what now ends the file.
  const { dangling } = ctx.anchors;
  if (dangling.length) out.push('');
  for (const comment of dangling) {
    out.push(comment.text);
    if (comment.blankAfter) out.push('');
  }
  return out;
}

/** The formatted text of a parsed policy. */
export function printPolicy(ctx: PrintContext, policy: ast.Policy): string {
  return `${withComments(ctx, layout(ctx, policy)).join('\n')}\n`;
}
