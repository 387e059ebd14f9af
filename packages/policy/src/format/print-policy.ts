// The whole file: the header, then the settings (`mode` then `max`, then `fact`s, `tool`s, then `default`),
// then the rules in their order; then every comment put in its place. Blank lines between
// statements are the author's: one stands where the source had one or more, and none is added.
import type * as ast from '../ast.js';
import type { PlacedComment } from './anchors.js';
import type { PrintContext } from './context.js';
import type { Line } from './layout.js';
import { printHeader, printStatement } from './print-statement.js';

/** The order of statements' kinds. */
const rank: Record<ast.Statement['kind'], number> = { mode: 0, max: 1, fact: 2, tool: 3, default: 4, rule: 5 };

/**
 * Statements in the order the formatter prints them: settings first, rules last, each kind in
 * the order written. Only rules' order means anything (it breaks ties between rules), and it is
 * kept.
 */
export function statementOrder(statements: readonly ast.Statement[]): ast.Statement[] {
  return statements.map((statement, i) => ({ statement, i })).sort((a, b) => rank[a.statement.kind] - rank[b.statement.kind] || a.i - b.i).map(({ statement }) => statement);
}

/** Whether the source has a blank line above a statement, or above the comments that lead it. */
function blankAbove(ctx: PrintContext, statement: ast.Statement): boolean {
  const anchor = ctx.anchors.of(statement);
  return ctx.source.blankLineBefore(anchor?.leading[0]?.offset ?? statement.span.offset);
}

function layout(ctx: PrintContext, policy: ast.Policy): Line[] {
  const lines: Line[] = [...printHeader(ctx, policy)];
  for (const statement of statementOrder(policy.statements)) {
    if (blankAbove(ctx, statement)) lines.push({ indent: 0, text: '', starts: [], ends: [] });
    lines.push(...printStatement(ctx, statement));
  }
  return lines;
}

function pushComments(out: string[], indent: string, comments: readonly PlacedComment[]): void {
  for (const comment of comments) {
    out.push(indent + comment.text);
    if (comment.blankAfter) out.push('');
  }
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
    pushComments(out, indent, above);
    out.push(line.text === '' ? '' : `${indent}${line.text}${after.length ? `  ${after[0]!.text}` : ''}`);
  }
  const { dangling } = ctx.anchors;
  if (dangling.length && ctx.source.blankLineBefore(dangling[0]!.offset)) out.push('');
  pushComments(out, '', dangling);
  return out;
}

/** The formatted text of a parsed policy. */
export function printPolicy(ctx: PrintContext, policy: ast.Policy): string {
  return `${withComments(ctx, layout(ctx, policy)).join('\n')}\n`;
}
