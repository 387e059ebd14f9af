// The console io on piped input: answers buffered before they are asked for, end of input as
// empty answers, and a question abandoned when its time is up.
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { ConsoleIO } from '../src/index.js';

function consoleOn(input: PassThrough) {
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => (written += chunk.toString()));
  return { io: new ConsoleIO({ input, output }), written: () => written };
}

describe('ConsoleIO', () => {
  test('piped answers are read line by line, also when they arrive before the question', async () => {
    const input = new PassThrough();
    const { io, written } = consoleOn(input);
    input.write('first\nsecond\n');
    expect(await io.input('a? ')).toBe('first');
    expect(await io.input('b? ')).toBe('second');
    const third = io.input('c? ');
    input.write('exit\n');
    expect(await third).toBe('exit');
    io.print('done');
    // Piped answers are echoed, so the output reads like a session at a terminal.
    expect(written()).toBe('a? first\nb? second\nc? exit\ndone\n');
    io.close();
  });

  test('at the end of input every question gets an empty answer', async () => {
    const input = new PassThrough();
    const { io } = consoleOn(input);
    input.end('only\n');
    expect(await io.input('1 ')).toBe('only');
    expect(await io.input('2 ')).toBe('');
    expect(await io.input('3 ')).toBe('');
  });

  test('an aborted question resolves empty and the next answer goes to the next question', async () => {
    const input = new PassThrough();
    const { io } = consoleOn(input);
    const controller = new AbortController();
    const pending = io.input('slow? ', { signal: controller.signal });
    controller.abort();
    expect(await pending).toBe('');
    const next = io.input('next? ');
    input.write('yes\n');
    expect(await next).toBe('yes');
    io.close();
  });
});
