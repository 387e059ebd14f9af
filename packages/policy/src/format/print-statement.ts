// The header and each statement. A rule is one line when it fits and has no comment inside it:
//   rule NAME [priority N]: when CONDITION then ACTION [and reset COUNTER]
// and three lines or more otherwise:
//   rule NAME [priority N]:
//     when CONDITION
//     then ACTION [and reset COUNTER]
import type * as ast from '../ast.js';
import { hasInnerComments } from './anchors.js';
import type { PrintContext } from './context.js';
import { concat, endColumn, mark, onNewLine, text, type Fragment } from './layout.js';
import { printAction } from './print-action.js';
import { printCondition } from './print-condition.js';

const body = 2;
const continuation = 4;

export function printHeader(ctx: PrintContext, node: ast.Policy): Fragment {
  const version = node.version ? ` version ${ctx.source.token(node.version.span)}` : '';
  return mark(text(`policy ${node.name.name}${version}`), ctx.anchors.of(node));
}

function ruleHeader(ctx: PrintContext, node: ast.Rule): Fragment {
  const priority = node.priority ? ` priority ${ctx.source.token(node.priority.span)}` : '';
  return mark(text(`rule ${node.name.name}${priority}:`), ctx.anchors.of(node.name));
}

/** The rule on one line, or undefined when it is too long for one. */
function ruleOnOneLine(ctx: PrintContext, node: ast.Rule): Fragment | undefined {
  const header = ruleHeader(ctx, node);
  const whenColumn = header[0]!.text.length + ' when '.length;
  const when = concat(text(' when '), printCondition(ctx, node.when, whenColumn, continuation));
  if (when.length > 1) return undefined;
  const thenColumn = whenColumn + when[0]!.text.length - ' when '.length + ' then '.length;
  const then = concat(text(' then '), printAction(ctx, node.then, thenColumn, continuation));
  const resets = node.resets.map((reset) => concat(text(' '), mark(text(`and reset ${reset.name}`), ctx.anchors.of(reset))));
  const line = concat(header, when, then, ...resets);
  return line.length === 1 && line[0]!.text.length <= ctx.width ? line : undefined;
}

function printRule(ctx: PrintContext, node: ast.Rule): Fragment {
  const anchor = ctx.anchors.of(node);
  // A comment inside the rule needs the rule's lines to stand on (or at the end of).
  const oneLine = anchor && hasInnerComments(anchor) ? undefined : ruleOnOneLine(ctx, node);
  if (oneLine) return oneLine;
  const header = ruleHeader(ctx, node);
  const when = onNewLine(body, concat(text('when '), printCondition(ctx, node.when, body + 'when '.length, continuation)));
  let then = onNewLine(body, concat(text('then '), printAction(ctx, node.then, body + 'then '.length, continuation)));
  const resets = node.resets.map((reset) => mark(text(`and reset ${reset.name}`), ctx.anchors.of(reset)));
  if (resets.length) {
    const inline = resets.map((r) => ` ${r[0]!.text}`).join('');
    const commented = (ctx.anchors.of(node.then)?.trailing.length ?? 0) > 0 || node.resets.some((r) => {
      const anchor = ctx.anchors.of(r);
      return anchor !== undefined && (anchor.leading.length > 0 || anchor.trailing.length > 0);
    });
    // `then` and its resets share a line when they fit on it; else each reset has a line.
    if (!commented && then.length === 2 && endColumn(then, 0) + inline.length <= ctx.width) then = concat(then, ...resets.map((r) => concat(text(' '), r)));
    else then = concat(then, ...resets.map((r) => onNewLine(body, r)));
  }
  return concat(header, when, then);
}

/**
 * `tool NAME(a: string, b?: number, ...)` on one line when it fits and no comment sits inside it;
 * else one parameter a line.
 */
function printTool(ctx: PrintContext, node: ast.ToolDeclaration): Fragment {
  const name = ctx.source.token(node.name.span);
  const params = node.params.map((param) => mark(text(`${param.name.name}${param.optional ? '?' : ''}: ${param.type.name}`), ctx.anchors.of(param)));
  if (node.openEnded) params.push(text('...'));
  const anchor = ctx.anchors.of(node);
  const oneLine = concat(text(`tool ${name}(`), ...params.flatMap((param, i) => (i ? [text(', '), param] : [param])), text(')'));
  if (!(anchor && hasInnerComments(anchor)) && oneLine[0]!.text.length <= ctx.width) return oneLine;
  return concat(text(`tool ${name}(`), ...params.map((param, i) => onNewLine(body, i < params.length - 1 ? concat(param, text(',')) : param)), onNewLine(0, text(')')));
}

export function printStatement(ctx: PrintContext, node: ast.Statement): Fragment {
  let out: Fragment;
  switch (node.kind) {
    case 'mode':
      out = text(`mode ${node.preset.name}`);
      break;
    case 'max':
      out = text(`max ${node.counter.name} ${ctx.source.token(node.value.span)}`);
      break;
    case 'fact':
      out = text(`fact ${node.name.name}: ${node.type.name}`);
      break;
    case 'tool':
      out = printTool(ctx, node);
      break;
    case 'default':
      out = concat(text('default '), printAction(ctx, node.action, 'default '.length, body));
      break;
    case 'rule':
      out = printRule(ctx, node);
      break;
  }
  return mark(out, ctx.anchors.of(node));
}
