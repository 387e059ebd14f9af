// Conditions. A chain of one connective fits on its line or is broken before each `and` / `or`,
// its operands one per line, indented under the line that starts it. Parentheses are printed
// where a chain sits inside another chain or under `not`: where they are needed, and around an
// `and` inside an `or`, where they are not but a reader would otherwise have to know precedence.
import type * as ast from '../ast.js';
import { hasInnerComments, type Anchor } from './anchors.js';
import { chainOperands, isChain, type Chain } from './condition-shape.js';
import type { PrintContext } from './context.js';
import { concat, mark, onNewLine, text, type Fragment } from './layout.js';
import { printField, printList, printOperand, printRegex } from './print-literal.js';

const textOperatorWords: Record<ast.TextOperator, string> = {
  contains: 'contains',
  containsAny: 'contains any',
  containsAll: 'contains all',
  startsWith: 'starts with',
  endsWith: 'ends with',
};

/** What printing one test needs: the text its tokens are spelled in. */
type Spelling = Pick<PrintContext, 'source'>;

export type Test = Exclude<ast.Condition, { kind: 'and' | 'or' | 'not' }>;

/** One test, always on one line. */
export function printTest(ctx: Spelling, node: Test): string {
  const field = printField(ctx, node.field);
  const ignoring = (on: boolean) => (on ? ' ignoring case' : '');
  const window = (given: ast.HistoryWindow | undefined) => (given ? ` over the last ${given.steps.value} ${given.steps.value === 1 ? 'step' : 'steps'}` : '');
  switch (node.kind) {
    case 'text': {
      const value = node.value.kind === 'list' ? printList(ctx, node.value) : printOperand(ctx, node.value);
      return `${field} ${textOperatorWords[node.operator]} ${value}${ignoring(node.ignoreCase)}${window(node.window)}`;
    }
    case 'equals': {
      // `equals` and `==` are the same test; the author's word is kept.
      const operator = node.negated ? '!=' : ctx.source.tokens(node.operatorSpan);
      return `${field} ${operator} ${printOperand(ctx, node.value)}${ignoring(node.ignoreCase)}${window(node.window)}`;
    }
    case 'matches':
      return `${field} matches ${printRegex(node.value)}`;
    case 'compare':
      return `${field} ${node.operator} ${printOperand(ctx, node.value)}${window(node.window)}`;
    case 'within':
      return `${field} ${node.negated ? 'not within' : 'within'} ${printOperand(ctx, node.value)}`;
    case 'in':
      return `${field} ${node.negated ? 'not in' : 'in'} ${printList(ctx, node.value)}`;
    case 'exists':
      return `${field} exists`;
    case 'every':
      return `every ${ctx.source.token(node.count.span)} ${field}`;
    case 'truthy':
      return field;
  }
}

/** A condition on one line, whatever its length. */
export function printFlat(ctx: Spelling, node: ast.Condition): string {
  if (isChain(node)) return chainOperands(node).map((operand) => (isChain(operand) ? `(${printFlat(ctx, operand)})` : printFlat(ctx, operand))).join(` ${node.kind} `);
  if (node.kind === 'not') return `not ${isChain(node.operand) ? `(${printFlat(ctx, node.operand)})` : printFlat(ctx, node.operand)}`;
  return printTest(ctx, node);
}

interface Place {
  /** Where the fragment's first line continues. */
  column: number;
  /** The indentation of the lines a chain is broken onto. */
  indent: number;
  /** Characters that will follow the fragment's last line (closing parentheses). */
  suffix: number;
}

function chain(ctx: PrintContext, node: Chain, owner: Anchor | undefined, place: Place): Fragment {
  const operands = chainOperands(node);
  const flat = printFlat(ctx, node);
  const commented = owner !== undefined && hasInnerComments(owner);
  if (!commented && place.column + flat.length + place.suffix <= ctx.width) {
    // Every anchor inside starts and ends on this one line: their comments go above it or after it.
    const line = text(flat);
    const visit = (anchor: Anchor): void => {
      line[0]!.starts.push(anchor);
      line[0]!.ends.push(anchor);
      anchor.children.forEach(visit);
    };
    owner?.children.forEach(visit);
    return line;
  }
  const nested = place.indent + 2;
  let out: Fragment = [];
  operands.forEach((operand, i) => {
    const suffix = i === operands.length - 1 ? place.suffix : 0;
    if (i === 0) {
      out = operandFragment(ctx, operand, { column: place.column, indent: nested, suffix });
      return;
    }
    const prefix = `${node.kind} `;
    const part = concat(text(prefix), operandFragment(ctx, operand, { column: place.indent + prefix.length, indent: nested, suffix }));
    out = concat(out, onNewLine(place.indent, part));
  });
  return out;
}

/**
 * An operand of a chain, with its anchor. A chain inside a chain (an `or` in an `and`, or an `and`
 * in an `or`) is parenthesised.
 */
function operandFragment(ctx: PrintContext, node: ast.Condition, place: Place): Fragment {
  const anchor = ctx.anchors.of(node);
  const inner = isChain(node)
    ? concat(text('('), chain(ctx, node, anchor, { ...place, column: place.column + 1, suffix: place.suffix + 1 }), text(')'))
    : body(ctx, node, anchor, place);
  return mark(inner, anchor);
}

/** `owner` is the anchor whose children are the operands of the chain inside `node`, if any. */
function body(ctx: PrintContext, node: ast.Condition, owner: Anchor | undefined, place: Place): Fragment {
  if (isChain(node)) return chain(ctx, node, owner, place);
  if (node.kind === 'not') {
    const inner = node.operand;
    const column = place.column + 'not '.length;
    if (isChain(inner)) return concat(text('not ('), chain(ctx, inner, owner, { ...place, column: column + 1, suffix: place.suffix + 1 }), text(')'));
    return concat(text('not '), body(ctx, inner, owner, { ...place, column }));
  }
  return text(printTest(ctx, node));
}

/**
 * A rule's condition after `when `, starting at `column`; broken lines are indented by `indent`.
 *
 * @example
 * printCondition(ctx, rule.when, 7, 4); // when a
 * //                                     and (b or c)
 */
export function printCondition(ctx: PrintContext, node: ast.Condition, column: number, indent: number): Fragment {
  const anchor = ctx.anchors.of(node);
  return mark(body(ctx, node, anchor, { column, indent, suffix: 0 }), anchor);
}
