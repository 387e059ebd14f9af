// How the formatter sees a condition: chains of one connective (`a and b and c`, however the
// author grouped them) and `not`s in front of a test or a parenthesised chain.
import type * as ast from '../ast.js';

export type Chain = Extract<ast.Condition, { kind: 'and' | 'or' }>;

export function isChain(node: ast.Condition): node is Chain {
  return node.kind === 'and' || node.kind === 'or';
}

/**
 * The operands of a chain: `a and (b and c)` and `(a and b) and c` both give [a, b, c], since
 * they compile to one `all` of three conditions.
 */
export function chainOperands(node: Chain): ast.Condition[] {
  const out: ast.Condition[] = [];
  const visit = (child: ast.Condition): void => {
    if (child.kind === node.kind) {
      visit((child as Chain).left);
      visit((child as Chain).right);
    } else out.push(child);
  };
  visit(node);
  return out;
}

/** The chain under any `not`s in front of a node (`not (a or b)` → `a or b`), if there is one. */
export function innerChain(node: ast.Condition): Chain | undefined {
  let inner = node;
  while (inner.kind === 'not') inner = inner.operand;
  return isChain(inner) ? inner : undefined;
}
