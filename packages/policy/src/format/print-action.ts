// Actions: `continue`, `continue with "…"`, `stop "…"`, `escalate "…" OPTIONS`. An escalation too
// long for its line keeps its reason on the line and puts each option on a line of its own, in
// the order written.
import type * as ast from '../ast.js';
import type { PrintContext } from './context.js';
import { concat, mark, onNewLine, text, type Fragment } from './layout.js';

function option(ctx: PrintContext, node: ast.EscalateOption): string {
  switch (node.kind) {
    case 'via':
      return `via ${node.channel.name}`;
    case 'timeout':
      return `timeout ${node.duration.text}`;
    case 'else':
      return `else ${node.outcome}`;
    case 'prompt':
      return `prompt ${ctx.source.token(node.text.span)}`;
  }
}

function parts(ctx: PrintContext, node: ast.Action): { head: string; options: string[] } {
  switch (node.kind) {
    case 'continue':
      return { head: node.reply ? `continue with ${ctx.source.token(node.reply.span)}` : 'continue', options: [] };
    case 'stop':
      return { head: node.reason ? `stop ${ctx.source.token(node.reason.span)}` : 'stop', options: [] };
    case 'escalate':
      return { head: node.reason ? `escalate ${ctx.source.token(node.reason.span)}` : 'escalate', options: node.options.map((o) => option(ctx, o)) };
  }
}

/**
 * An action starting at `column`; options broken onto lines indented by `indent`.
 *
 * @example
 * printAction(ctx, rule.then, 7, 4); // escalate "large payment" timeout 10m else stop
 */
export function printAction(ctx: PrintContext, node: ast.Action, column: number, indent: number): Fragment {
  const { head, options } = parts(ctx, node);
  const flat = [head, ...options].join(' ');
  const out = column + flat.length <= ctx.width || !options.length ? text(flat) : concat(text(head), ...options.map((o) => onNewLine(indent, text(o))));
  return mark(out, ctx.anchors.of(node));
}
