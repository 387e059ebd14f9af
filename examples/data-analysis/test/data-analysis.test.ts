// The analysis example on its scripted analyst: the proxy runs the code with nobody asked, the
// chart and the report are written, and the policy ends the run.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScriptedIO, startScriptedModels } from '@handrail/core/testing';
import { expect, test } from 'vitest';
import { runAnalysis } from '../src/demo.js';
import { analystScript, task } from '../src/script.js';

test('the code runs unattended and writes chart.svg and report.md; the policy decides each step', async () => {
  const workDir = await mkdtemp(join(tmpdir(), 'handrail-analysis-'));
  const local = await startScriptedModels({ analyst: analystScript });
  try {
    const io = new ScriptedIO();
    const result = await runAnalysis({ model: local.models.analyst, io, workDir });
    expect(io.prompts).toEqual([]);
    expect(io.printed.filter((text) => text.startsWith('[handrail]') || text.startsWith('>>>>>>>>'))).toEqual([
      "[handrail] analysis: continue on analyst's message (no rule matched)",
      '>>>>>>>> EXECUTING CODE BLOCK 0 (inferred language is python)...',
      "[handrail] analysis: stop on analyst's message (rule never.termination: termination message)",
    ]);
    expect(result.chatHistory.map((m) => m.content?.split('\n')[0])).toEqual([
      task,
      'I will read data.csv with the csv module, total the revenue by region and by month, draw the chart as SVG and write the report.',
      'exitcode: 0 (execution succeeded)',
      'The analysis is done: chart.svg shows revenue by region and report.md has the table and the growth over the period. North leads with 35% of revenue.',
    ]);
    expect(result.chatHistory[2]!.content).toBe('exitcode: 0 (execution succeeded)\nCode output: \ntotal 295,560; top region North (104,400); growth 33%\nwrote chart.svg and report.md\n');
    expect(result.ended).toMatchObject({ cause: 'stop', agent: 'runner', rule: 'never.termination' });
    const report = await readFile(join(workDir, 'report.md'), 'utf8');
    expect(report).toContain('| North | 104,400 | 35% |');
    expect(report).toContain('Monthly revenue grew 33% from 2025-01 to 2025-06.');
    expect(await readFile(join(workDir, 'chart.svg'), 'utf8')).toMatch(/^<svg [^>]*>.*Revenue by region.*<\/svg>\n$/s);
  } finally {
    await local.close();
    await rm(workDir, { recursive: true, force: true });
  }
});
