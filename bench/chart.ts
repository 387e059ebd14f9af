// The matrix as an SVG chart (docs/performance-chart.svg): time per decision against rule count
// and against message size, log scales, Handrail beside the baselines measured in the same run.
import type { Cell } from './matrix.bench.js';

interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: Array<[number, number | undefined]>;
}

interface Panel {
  title: string;
  xLabel: string;
  xTick: (x: number) => string;
  series: Series[];
}

const colors = { handrail: '#1f6feb', naive: '#d29922', jre: '#cf222e', hand: '#2da44e' };
const width = 330;
const height = 270;
const margin = { left: 58, right: 12, top: 34, bottom: 44 };
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const log = Math.log10;

function usLabel(us: number): string {
  if (us >= 1e6) return `${us / 1e6} s`;
  if (us >= 1e3) return `${us / 1e3} ms`;
  if (us >= 1) return `${us} µs`;
  return `${us * 1000} ns`;
}

function panel({ title, xLabel, xTick, series }: Panel, offsetX: number): string {
  const xs = [...new Set(series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const ys = series.flatMap((s) => s.points.map(([, y]) => y)).filter((y): y is number => y !== undefined && y > 0);
  const yMin = Math.floor(log(Math.min(...ys)));
  const yMax = Math.ceil(log(Math.max(...ys)));
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const px = (x: number) => offsetX + margin.left + ((log(x) - log(xs[0]!)) / (log(xs[xs.length - 1]!) - log(xs[0]!) || 1)) * plotW;
  const py = (y: number) => margin.top + plotH - ((log(y) - yMin) / (yMax - yMin || 1)) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${offsetX + width / 2}" y="18" text-anchor="middle" font-weight="600">${escape(title)}</text>`);
  for (let e = yMin; e <= yMax; e++) {
    const y = py(10 ** e);
    parts.push(`<line x1="${offsetX + margin.left}" x2="${offsetX + width - margin.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${offsetX + margin.left - 6}" y="${y + 4}" text-anchor="end">${usLabel(10 ** e)}</text>`);
  }
  for (const x of xs) {
    parts.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#eee"/>`);
    parts.push(`<text x="${px(x)}" y="${margin.top + plotH + 16}" text-anchor="middle">${escape(xTick(x))}</text>`);
  }
  parts.push(`<text x="${offsetX + margin.left + plotW / 2}" y="${height - 8}" text-anchor="middle" fill="#555">${escape(xLabel)}</text>`);
  for (const s of series) {
    const measured = s.points.filter((p): p is [number, number] => p[1] !== undefined);
    if (!measured.length) continue;
    const path = measured.map(([x, y], i) => `${i ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
    for (const [x, y] of measured) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
  }
  return parts.join('\n');
}

const size = (bytes: number) => (bytes >= 1e6 ? `${bytes / 1e6} MB` : bytes >= 1e3 ? `${bytes / 1e3} KB` : `${bytes} B`);

export function renderChart(cells: readonly Cell[]): string {
  const pick = (kind: Cell['kind'], where: (cell: Cell) => boolean) => cells.filter((cell) => cell.kind === kind && where(cell));
  const three = (list: Cell[], x: (cell: Cell) => number): Series[] => [
    { label: 'Handrail', color: colors.handrail, points: list.map((c) => [x(c), c.handrail]) },
    { label: 'naive per-rule loop', color: colors.naive, points: list.map((c) => [x(c), c.naive]) },
    { label: 'json-rules-engine', color: colors.jre, points: list.map((c) => [x(c), c.jre]) },
  ];
  const byRules = pick('mixed', (c) => c.size === 1000);
  const bySize = pick('keyword', (c) => c.rules === 200);
  const twenty = pick('twenty', () => true);
  const panels: Panel[] = [
    { title: 'Mixed rules, 1 KB message', xLabel: 'rules in the policy', xTick: String, series: three(byRules, (c) => c.rules) },
    { title: '200 keyword rules', xLabel: 'message size', xTick: size, series: three(bySize, (c) => c.size) },
    {
      title: '20-rule policy vs hand-written',
      xLabel: 'message size',
      xTick: size,
      series: [
        { label: 'Handrail', color: colors.handrail, points: twenty.map((c) => [c.size, c.handrail]) },
        { label: 'hand-written predicate', color: colors.hand, dashed: true, points: twenty.map((c) => [c.size, c.hand]) },
      ],
    },
  ];
  const totalW = width * panels.length;
  const legend = [
    ['Handrail', colors.handrail, false],
    ['naive per-rule loop', colors.naive, false],
    ['json-rules-engine', colors.jre, false],
    ['hand-written predicate', colors.hand, true],
  ] as const;
  const legendY = height + 14;
  const legendParts = legend.map(([label, color, dashed], i) => {
    const x = 70 + i * 230;
    return `<line x1="${x}" x2="${x + 24}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="5,3"' : ''}/><text x="${x + 30}" y="${legendY + 4}">${escape(label)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${height + 30}" viewBox="0 0 ${totalW} ${height + 30}" font-family="system-ui, sans-serif" font-size="11">`,
    '<title>Time per decision (log scale) by rule count and message size</title>',
    `<rect width="${totalW}" height="${height + 30}" fill="#fff"/>`,
    ...panels.map((p, i) => panel(p, i * width)),
    ...legendParts,
    '</svg>',
    '',
  ].join('\n');
}
