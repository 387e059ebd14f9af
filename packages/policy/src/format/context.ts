// What every printer needs: the source (for tokens as written), the comments' anchors, the width.
import type { Anchors } from './anchors.js';
import type { SourceText } from './source-text.js';

export interface PrintContext {
  source: SourceText;
  anchors: Anchors;
  /** Lines longer than this are broken where the layout allows (long literals are never cut). */
  width: number;
}
