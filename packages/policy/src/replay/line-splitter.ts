// Cutting streamed text into lines, as readline does, without an event per line.

/**
 * Splits text into lines as readline does with `crlfDelay: Infinity` (\n, \r\n or a lone \r
 * ends a line; a last line without a break counts), without an event per line: a replay spends
 * as long deciding a turn as reading it, and readline's events cost as much again.
 *
 * @example
 * const splitter = lineSplitter((line) => console.log(line));
 * splitter.write('a\r\nb'); splitter.end(); // a, b
 */
export function lineSplitter(onLine: (line: string) => void): { write(text: string): void; end(): void } {
  // The unfinished line, in the pieces it arrived in (joined once it ends), and whether the last
  // piece ended with \r, whose line is out already: a \n first in the next text belongs to it.
  let partial: string[] = [];
  let afterReturn = false;
  const lineBreak = /\r\n|\r|\n/g;
  const emit = (text: string, start: number, end: number) => {
    const tail = text.slice(start, end);
    if (partial.length === 0) onLine(tail);
    else {
      partial.push(tail);
      const line = partial.join('');
      partial = [];
      onLine(line);
    }
  };
  return {
    write(text) {
      if (text === '') return;
      let start = afterReturn && text.charCodeAt(0) === 10 ? 1 : 0;
      afterReturn = false;
      if (text.indexOf('\r', start) < 0) {
        for (let end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
          emit(text, start, end);
          start = end + 1;
        }
      } else {
        lineBreak.lastIndex = start;
        for (let found = lineBreak.exec(text); found; found = lineBreak.exec(text)) {
          emit(text, start, found.index);
          start = lineBreak.lastIndex;
          if (found[0] === '\r' && start === text.length) afterReturn = true;
        }
      }
      if (start < text.length) partial.push(text.slice(start));
    },
    end() {
      if (partial.length) emit('', 0, 0);
    },
  };
}
