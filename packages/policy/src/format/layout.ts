// Printed lines, and which anchors start and end on each, so comments can be placed once the
// layout is known: leading comments above the line where their anchor starts, a trailing comment
// at the end of the line where its anchor ends.
import type { Anchor } from './anchors.js';

export interface Line {
  indent: number;
  text: string;
  starts: Anchor[];
  ends: Anchor[];
}

/** Printed text that begins wherever the caller's current line is: its first line continues it. */
export type Fragment = Line[];

export function text(value: string): Fragment {
  return [{ indent: 0, text: value, starts: [], ends: [] }];
}

/** `a` then `b`, `b`'s first line continuing `a`'s last. */
export function concat(...parts: Fragment[]): Fragment {
  const out: Fragment = [];
  for (const part of parts) {
    if (!part.length) continue;
    const last = out.at(-1);
    const [first, ...rest] = part;
    if (!last) out.push({ ...first!, starts: [...first!.starts], ends: [...first!.ends] });
    else {
      last.text += first!.text;
      last.starts.push(...first!.starts);
      last.ends.push(...first!.ends);
    }
    out.push(...rest.map((line) => ({ ...line, starts: [...line.starts], ends: [...line.ends] })));
  }
  return out;
}

/** A new line at `indent` holding `part`. */
export function onNewLine(indent: number, part: Fragment): Fragment {
  const [first, ...rest] = concat(part);
  return [{ indent: 0, text: '', starts: [], ends: [] }, { ...first!, indent }, ...rest];
}

/** Records that `anchor` starts on the fragment's first line and ends on its last. */
export function mark(part: Fragment, anchor: Anchor | undefined): Fragment {
  if (anchor && part.length) {
    part[0]!.starts.unshift(anchor);
    part.at(-1)!.ends.push(anchor);
  }
  return part;
}

/** Width of a fragment's last line, as printed after `column`. */
export function endColumn(part: Fragment, column: number): number {
  const last = part.at(-1)!;
  return part.length === 1 ? column + last.text.length : last.indent + last.text.length;
}
