// The policy's own text, for the formatter: tokens are printed as their author spelled them
// (`equals` or `==`, `"\u00e9"` or `"é"`, `10m`), so formatting changes layout, never spelling.
import type * as ast from '../ast.js';
import { createLexer } from '../syntax/lexer.js';

export class SourceText {
  readonly #lineStarts: number[] = [0];
  readonly #lexer = createLexer();

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.#lineStarts.push(i + 1);
  }

  /** The exact text of a node that is one token: a string, number, duration or regex literal. */
  token(span: ast.Span): string {
    return this.text.slice(span.offset, span.offset + span.length);
  }

  /**
   * The tokens of a span that may hold several, joined by `separator`: whitespace and comments
   * between them are dropped (comments are printed by the formatter elsewhere).
   */
  tokens(span: ast.Span, separator = ''): string {
    const lexer = this.#lexer.reset(this.text.slice(span.offset, span.offset + span.length));
    const out: string[] = [];
    for (let token = lexer.next(); token; token = lexer.next()) out.push(token.text);
    return out.join(separator);
  }

  /**
   * Whether a blank line separates `offset` from the code or comment before it: two line breaks
   * or more in the whitespace that precedes it. At the start of the text, none does.
   */
  blankLineBefore(offset: number): boolean {
    let breaks = 0;
    for (let i = offset - 1; i >= 0 && ' \t\r\f\n'.includes(this.text[i]!); i--) if (this.text[i] === '\n') breaks++;
    return breaks >= 2;
  }

  /** The 1-based line of an offset. */
  lineOf(offset: number): number {
    let low = 0;
    let high = this.#lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.#lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  }
}
