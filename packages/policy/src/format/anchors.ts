// Comments belong to places in the policy ("anchors"): the header, each statement, a rule's
// header, its condition and each operand of a chain inside it, its action and each reset. A
// comment on the line where an anchor ends is that anchor's trailing comment; a comment on lines
// of its own is the leading comment of the anchor that follows it.
import type * as ast from '../ast.js';
import { chainOperands, innerChain } from './condition-shape.js';
import type { SourceText } from './source-text.js';

export interface PlacedComment {
  text: string;
  offset: number;
  line: number;
  /** A blank line followed it in the source; kept between a statement's leading comments only. */
  blankAfter: boolean;
}

export interface Anchor {
  start: number;
  end: number;
  children: Anchor[];
  leading: PlacedComment[];
  trailing: PlacedComment[];
}

export interface Anchors {
  /** The anchor of a node: the policy (its header), a statement, a tool's parameter, a rule's name (its header line), a condition, an action or a reset. */
  of(node: object): Anchor | undefined;
  /** Comments after the last statement, on lines of their own. */
  dangling: PlacedComment[];
}

function spanEnd(span: ast.Span): number {
  return span.offset + span.length;
}

/** Builds the anchors of a parsed policy and gives each of its comments a place. */
export function placeComments(policy: ast.Policy, source: SourceText): Anchors {
  const byNode = new Map<object, Anchor>();
  const make = (node: object, start: number, end: number, children: Anchor[] = []): Anchor => {
    const anchor: Anchor = { start, end, children, leading: [], trailing: [] };
    byNode.set(node, anchor);
    return anchor;
  };
  const condition = (node: ast.Condition): Anchor => {
    const chain = innerChain(node);
    return make(node, node.span.offset, spanEnd(node.span), chain ? chainOperands(chain).map(condition) : []);
  };
  const statement = (node: ast.Statement): Anchor => {
    if (node.kind === 'tool') return make(node, node.span.offset, spanEnd(node.span), node.params.map((param) => make(param, param.span.offset, spanEnd(param.span))));
    if (node.kind !== 'rule') return make(node, node.span.offset, spanEnd(node.span));
    const headerEnd = spanEnd((node.priority ?? node.name).span);
    return make(node, node.span.offset, spanEnd(node.span), [
      make(node.name, node.span.offset, headerEnd),
      condition(node.when),
      make(node.then, node.then.span.offset, spanEnd(node.then.span)),
      ...node.resets.map((reset) => make(reset, reset.span.offset, spanEnd(reset.span))),
    ]);
  };

  const header = make(policy, policy.span.offset, spanEnd((policy.version ?? policy.name).span));
  const statements = policy.statements.map(statement);
  const root: Anchor = { start: 0, end: source.text.length, children: [header, ...statements], leading: [], trailing: [] };
  const dangling: PlacedComment[] = [];

  const endLine = (anchor: Anchor) => source.lineOf(anchor.end - 1);
  const attach = (container: Anchor, comment: PlacedComment, offset: number): void => {
    const inside = container.children.find((child) => child.start <= offset && offset < child.end);
    if (inside) {
      if (inside.children.length) attach(inside, comment, offset);
      else inside.trailing.push(comment);
      return;
    }
    const previous = container.children.findLast((child) => child.end <= offset);
    const next = container.children.find((child) => child.start > offset);
    if (previous && endLine(previous) === comment.line) previous.trailing.push(comment);
    else if (next) next.leading.push(comment);
    else if (container === root) dangling.push(comment);
    else if (previous) previous.trailing.push(comment);
    else container.trailing.push(comment);
  };
  for (const comment of policy.comments) {
    attach(root, { text: comment.text.trimEnd(), offset: comment.span.offset, line: comment.span.line, blankAfter: false }, comment.span.offset);
  }

  // Blank lines between a statement's leading comments, and before the statement, are the
  // author's grouping: keep them (one at most). Inside a rule, the layout is the formatter's.
  for (const anchor of [header, ...statements]) {
    const startLine = source.lineOf(anchor.start);
    anchor.leading.forEach((comment, i) => {
      const nextLine = anchor.leading[i + 1]?.line ?? startLine;
      comment.blankAfter = nextLine - comment.line > 1;
    });
  }
  dangling.forEach((comment, i) => {
    const nextLine = dangling[i + 1]?.line;
    comment.blankAfter = nextLine !== undefined && nextLine - comment.line > 1;
  });
  return { of: (node) => byNode.get(node), dangling };
}

/** Whether any anchor under `anchor` has a comment that must sit on a line of its own inside it. */
export function hasInnerComments(anchor: Anchor): boolean {
  // A comment before the first operand is printed above the chain's first line, and one after the
  // last operand at the end of its last line: neither needs the chain broken over lines.
  const visit = (node: Anchor, onLeftEdge: boolean, onRightEdge: boolean): boolean =>
    (!onLeftEdge && node.leading.length > 0) ||
    (!onRightEdge && node.trailing.length > 0) ||
    node.children.some((child, i) => visit(child, onLeftEdge && i === 0, onRightEdge && i === node.children.length - 1));
  return anchor.children.some((child, i) => visit(child, i === 0, i === anchor.children.length - 1));
}
