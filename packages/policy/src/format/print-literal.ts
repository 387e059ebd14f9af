// Literals and fact paths, spelled as the author wrote them.
import type * as ast from '../ast.js';
import type { PrintContext } from './context.js';

export function printScalar(ctx: Pick<PrintContext, 'source'>, node: ast.Scalar): string {
  switch (node.kind) {
    case 'string':
    case 'number':
      return ctx.source.token(node.span);
    case 'boolean':
      return node.value ? 'true' : 'false';
    case 'duration':
      return node.text;
  }
}

export function printList(ctx: Pick<PrintContext, 'source'>, node: ast.ListLiteral): string {
  return `[${node.items.map((item) => printScalar(ctx, item)).join(', ')}]`;
}

export function printRegex(node: ast.RegexLiteral): string {
  return `/${node.pattern}/${node.flags}`;
}

/** `tool.args.amount`, `tool.args.items[0]`, `tool.args["odd key"]`. */
export function printField(ctx: Pick<PrintContext, 'source'>, node: ast.FieldRef): string {
  return node.fact.name + node.path.map((segment) => ctx.source.tokens(segment.span)).join('');
}

export function printOperand(ctx: Pick<PrintContext, 'source'>, node: ast.Operand): string {
  return node.kind === 'field' ? printField(ctx, node) : printScalar(ctx, node);
}
