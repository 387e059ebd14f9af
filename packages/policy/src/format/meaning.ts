// What formatting must not change: the policy as the compiler reads it (the AST without places,
// chains flattened, statements in the printed order) and the text of every comment.
import type * as ast from '../ast.js';
import { chainOperands, isChain } from './condition-shape.js';
import { statementOrder } from './print-policy.js';

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  const node = value as Record<string, unknown>;
  if (isChain(node as ast.Condition)) return { kind: node.kind, operands: chainOperands(node as never).map(strip) };
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node)) if (key !== 'span' && key !== 'operatorSpan' && key !== 'comments') out[key] = strip(child);
  return out;
}

/** A string equal for two parsed policies exactly when formatting one could give the other. */
export function meaningOf(policy: ast.Policy): string {
  const comments = policy.comments.map((c) => c.text.trimEnd()).sort();
  return JSON.stringify({ policy: strip({ ...policy, statements: statementOrder(policy.statements) }), comments });
}
