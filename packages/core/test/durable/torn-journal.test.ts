// A crash in the middle of an append leaves the journal's last line torn. That line was never
// acknowledged (the run goes on only after fsync), so opening drops it and the run goes on.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DamagedFileError, DurableRun, FileRunStore, type JournalRecord } from '../../src/index.js';

let dir: string;
let store: FileRunStore;
const file = (runId: string) => join(dir, 'runs', `${runId}.jsonl`);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-torn-'));
  store = new FileRunStore(dir);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function recorded(runId: string): Promise<void> {
  const run = await DurableRun.open(store, runId);
  await run.step('lookup', () => ({ invoice: 42 }));
  await run.close();
}

describe('a torn last journal line', () => {
  it('is dropped when the run is restored, and the run goes on', async () => {
    await recorded('torn-1');
    const whole = readFileSync(file('torn-1'), 'utf8');
    appendFileSync(file('torn-1'), '{"seq":4,"at":"2025-03-01T10:00:00.000Z","type":"step-sta');
    expect(await store.readJournal('torn-1')).toHaveLength(3);

    const restored = await DurableRun.restore(store, 'torn-1');
    expect(await restored.step('lookup', () => 'not again')).toEqual({ invoice: 42 });
    expect(await restored.step('charge-card', () => 'charged')).toBe('charged');
    await restored.finish();
    const text = readFileSync(file('torn-1'), 'utf8');
    expect(text.startsWith(whole)).toBe(true);
    const records = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as JournalRecord);
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records.slice(3).map((record) => record.type)).toEqual(['step-started', 'step-finished', 'run-finished']);
  });

  it('that began a step: the step had not been called (the run calls it only after fsync), so it runs', async () => {
    await recorded('torn-2');
    const started = JSON.stringify({ seq: 4, at: new Date().toISOString(), type: 'step-started', key: 'charge-card', kind: 'step' });
    appendFileSync(file('torn-2'), started.slice(0, -3));
    const restored = await DurableRun.restore(store, 'torn-2');
    await restored.step('lookup', () => 'not again');
    let calls = 0;
    expect(await restored.step('charge-card', () => ++calls)).toBe(1);
    await restored.close();
  });

  it('a whole record without its newline is torn too: it was never acknowledged', async () => {
    await recorded('torn-3');
    appendFileSync(file('torn-3'), JSON.stringify({ seq: 4, at: new Date().toISOString(), type: 'run-finished' }));
    const restored = await DurableRun.restore(store, 'torn-3');
    expect(restored.status).toBe('running');
    await restored.close();
  });

  it('a bad line before the last is damage, not a crash: opening refuses, naming the line', async () => {
    await recorded('damaged');
    const lines = readFileSync(file('damaged'), 'utf8').split('\n');
    lines[1] = lines[1]!.slice(0, 20);
    writeFileSync(file('damaged'), lines.join('\n'));
    const error = await DurableRun.restore(store, 'damaged').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DamagedFileError);
    expect(error).toMatchObject({ code: 'FILE_DAMAGED', line: 2, message: expect.stringContaining('damaged.jsonl:2: not valid JSON') });
    // The lock was given back: the run can be opened once the file is repaired.
    await expect(DurableRun.restore(store, 'damaged')).rejects.toBeInstanceOf(DamagedFileError);
  });
});
