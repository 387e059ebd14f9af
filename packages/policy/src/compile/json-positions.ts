// Where each value of a JSON text starts, by JSON Pointer, so errors in a compiled policy given
// as JSON point at a line and column like errors in policy text do.

export function jsonPositions(text: string): Map<string, number> {
  const positions = new Map<string, number>();
  let i = 0;
  const space = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (pointer: string): void => {
    space();
    positions.set(pointer, i);
    const ch = text[i];
    if (ch === '{') {
      i++;
      space();
      while (i < text.length && text[i] !== '}') {
        space();
        const key = string();
        space();
        i++; // colon
        value(`${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        space();
        if (text[i] === ',') i++;
        space();
      }
      i++;
    } else if (ch === '[') {
      i++;
      let index = 0;
      space();
      while (i < text.length && text[i] !== ']') {
        value(`${pointer}/${index++}`);
        space();
        if (text[i] === ',') i++;
        space();
      }
      i++;
    } else if (ch === '"') string();
    else while (i < text.length && !/[\s,}\]]/.test(text[i] as string)) i++;
  };
  value('');
  return positions;
}

export function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}
