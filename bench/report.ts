// What a person reads after a run: a Markdown table (terminal and README alike) and an SVG chart built as
// plain strings: req/s with the rounds' min-max, CPU seconds per 100k requests, and p50-p99.9 latency
// with p99 marked, one row per target and tool.
import type { Protocol } from './protocol-options.js';
import type { TargetSummary } from './summary.js';

/** What a "request" is under each protocol, and how many of them CPU seconds are given per. */
export interface Units {
  rate: string;
  /** CPU seconds are shown per this many requests (1k handshakes: a handshake costs far more than a request). */
  per: number;
  perLabel: string;
}

export function unitsOf(protocol: Protocol): Units {
  if (protocol === 'tls-handshake') return { rate: 'handshakes/s', per: 1_000, perLabel: '1k handshakes' };
  return protocol === 'grpc' ? { rate: 'calls/s', per: 100_000, perLabel: '100k calls' } : { rate: 'req/s', per: 100_000, perLabel: '100k' };
}

const H1_UNITS = unitsOf('h1');

function columns(units: Units): string[] {
  const cpu = `CPU s/${units.perLabel.replace(/ .*/, '')}`;
  return [
    'target', 'tool', `${units.rate} median (min-max)`, 'p50 ms', 'p99 ms', 'p99.9 ms', 'errors', 'non-2xx',
    cpu, 'CPU ×nginx', `${units.rate} ×nginx`, `${units.rate} ×direct`, 'p99 +direct ms', 'CPU ×floor', 'p50 +floor ms', 'p99 +floor ms', 'peak RSS MB', `load gen ${cpu}`,
  ];
}

/** CPU seconds per 100k requests, shown per `units.per` of them. */
const scaled = (cpuPer100k: number, units: Units) => (cpuPer100k * units.per) / 100_000;

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

const thousands = (value: number) => Math.round(value).toLocaleString('en-US');

function row(summary: TargetSummary, units: Units): string[] {
  const { reqPerSec, latencyMs } = summary;
  return [
    summary.target,
    summary.tool,
    `${thousands(reqPerSec.median)} (${thousands(reqPerSec.min)}-${thousands(reqPerSec.max)})`,
    fixed(latencyMs.p50, 2),
    fixed(latencyMs.p99, 2),
    fixed(latencyMs.p999, 2),
    String(summary.errors),
    String(summary.non2xx),
    fixed(scaled(summary.cpuPer100k, units), 2),
    fixed(summary.vsNginx?.cpuPer100k, 2),
    fixed(summary.vsNginx?.reqPerSec, 2),
    fixed(summary.vsDirect?.reqPerSec, 2),
    fixed(summary.vsDirect?.p99AddedMs, 2),
    fixed(summary.vsFloor?.cpuPer100k, 2),
    fixed(summary.vsFloor?.p50AddedMs, 2),
    fixed(summary.vsFloor?.p99AddedMs, 2),
    fixed(summary.peakRssMb, 0),
    fixed(scaled(summary.clientCpuPer100k, units), 2),
  ];
}

/** A Markdown table, columns padded so it also reads well in a terminal. */
export function renderTable(summaries: readonly TargetSummary[], units = H1_UNITS): string {
  const header = columns(units);
  const rows = [header, ...summaries.map((summary) => row(summary, units))];
  const widths = header.map((_, column) => Math.max(...rows.map((cells) => cells[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column < 2 ? `${'-'.repeat(width + 1)}-` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.slice(1).map(line)].join('\n');
}

// Chart geometry (px): a label column, then three panels side by side sharing the rows.
const LABEL_WIDTH = 215;
const PANEL_WIDTH = 250;
const PANEL_GAP = 40;
const ROW_HEIGHT = 30;
const TOP = 85;
const PALETTE: Record<string, string> = { direct: '#8c8c8c', gateway: '#2f6fd6', 'gateway-routes': '#3aa3c4', 'gateway-reply-from': '#7aa6ee', 'gateway-tail': '#1b3f80', 'node-floor': '#b38df0', 'gateway-alt-node': '#5b8f2f', 'gateway-access-log': '#4f5fa0', 'node-floor-alt-node': '#8f5fc0', nginx: '#2e9e4f', haproxy: '#d9822b', 'gateway-workers2': '#0d4fb0', 'gateway-workers2-reuseport': '#5a7fc4', 'nginx-2workers': '#1f6e37', caddy: '#1f8a8a' };

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeXml(content)}</text>`;
}

interface Panel {
  title: string;
  /** Largest value on the axis. */
  max: number;
  draw(summary: TargetSummary, x: (value: number) => number, y: number): string;
}

function panels(summaries: readonly TargetSummary[], units: Units): Panel[] {
  const bar = (value: number, x: (value: number) => number, y: number, color: string, label: string) =>
    `<rect x="${x(0)}" y="${y + 6}" width="${(x(value) - x(0)).toFixed(1)}" height="${ROW_HEIGHT - 12}" fill="${color}"/>` +
    text(x(value) + 4, y + ROW_HEIGHT / 2 + 4, label, 'font-size="11"');
  return [
    {
      title: `${units.rate} (median, min-max whisker)`,
      max: Math.max(...summaries.map((s) => s.reqPerSec.max)),
      draw: (s, x, y) =>
        bar(s.reqPerSec.median, x, y, PALETTE[s.target]!, thousands(s.reqPerSec.median)) +
        `<line x1="${x(s.reqPerSec.min).toFixed(1)}" x2="${x(s.reqPerSec.max).toFixed(1)}" y1="${y + ROW_HEIGHT / 2}" y2="${y + ROW_HEIGHT / 2}" stroke="#222" stroke-width="1.5"/>`,
    },
    {
      title: `CPU seconds per ${units.perLabel === '100k' ? '100k requests' : units.perLabel}`,
      max: Math.max(...summaries.map((s) => scaled(s.cpuPer100k, units))),
      draw: (s, x, y) => bar(scaled(s.cpuPer100k, units), x, y, PALETTE[s.target]!, `${scaled(s.cpuPer100k, units).toFixed(2)} s`),
    },
    {
      title: 'latency ms: p50 to p99.9, p99 marked',
      max: Math.max(...summaries.map((s) => s.latencyMs.p999)),
      draw: (s, x, y) => {
        const middle = y + ROW_HEIGHT / 2;
        const p99 = x(s.latencyMs.p99);
        return (
          `<line x1="${x(s.latencyMs.p50).toFixed(1)}" x2="${x(s.latencyMs.p999).toFixed(1)}" y1="${middle}" y2="${middle}" stroke="${PALETTE[s.target]}" stroke-width="3"/>` +
          `<path d="M${p99.toFixed(1)} ${middle - 7} l6 7 l-6 7 l-6 -7 z" fill="#c0392b"/>` +
          text(p99 + 8, middle - 4, `p99 ${s.latencyMs.p99.toFixed(2)}`, 'font-size="11"')
        );
      },
    },
  ];
}

/** The SVG chart; `subtitle` lines say how the figures were made (command, backends, date). */
export function renderSvg(summaries: readonly TargetSummary[], subtitle: readonly string[], units = H1_UNITS): string {
  const charts = panels(summaries, units);
  const width = LABEL_WIDTH + charts.length * (PANEL_WIDTH + PANEL_GAP) + 40;
  const height = TOP + summaries.length * ROW_HEIGHT + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    text(12, 22, 'Gateway benchmark: direct vs gateway vs nginx vs HAProxy', 'font-size="16" font-weight="bold"'),
    ...subtitle.map((line, index) => text(12, 40 + index * 15, line, 'fill="#555"')),
  ];
  summaries.forEach((summary, index) => {
    parts.push(text(12, TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2 + 4, `${summary.target} (${summary.tool})`));
  });
  charts.forEach((chart, column) => {
    const left = LABEL_WIDTH + column * (PANEL_WIDTH + PANEL_GAP);
    // leave room right of the longest bar for its value label
    const x = (value: number) => left + (chart.max > 0 ? (value / chart.max) * (PANEL_WIDTH - 60) : 0);
    parts.push(text(left, TOP - 10, chart.title, 'font-weight="bold"'));
    parts.push(`<line x1="${left}" x2="${left}" y1="${TOP}" y2="${TOP + summaries.length * ROW_HEIGHT}" stroke="#999"/>`);
    summaries.forEach((summary, index) => parts.push(chart.draw(summary, x, TOP + index * ROW_HEIGHT)));
  });
  parts.push(text(12, height - 10, 'Figures from the load generator named in each row; CPU is the target\'s own processes (utime+stime from /proc).', 'fill="#555" font-size="11"'));
  parts.push('</svg>');
  return parts.join('\n');
}
