// The offline run: the analyst's code (src/analyze.py, in a fenced block) and its closing summary.
import { readFileSync } from 'node:fs';
import type { ScriptedReply } from '@handrail/core/testing';

export const analysisCode = readFileSync(new URL('./analyze.py', import.meta.url), 'utf8');

export const task =
  'Analyse data.csv in the working directory (columns: month, region, units, revenue). Write chart.svg, a bar chart of revenue by region, and report.md, a short report with a table of revenue and share by region. Use Python with its standard library only.';

export const analystScript: ScriptedReply[] = [
  `I will read data.csv with the csv module, total the revenue by region and by month, draw the chart as SVG and write the report.\n\n\`\`\`python\n${analysisCode}\`\`\``,
  ({ messages }) => {
    const output = String(messages.at(-1)?.content ?? '');
    return output.includes('execution succeeded')
      ? 'The analysis is done: chart.svg shows revenue by region and report.md has the table and the growth over the period. North leads with 35% of revenue.\nTERMINATE'
      : `The script failed:\n${output}\nTERMINATE`;
  },
];
