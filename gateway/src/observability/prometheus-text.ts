// The Prometheus text exposition of a prom-client registry, as registry.metrics() writes it, but with each
// series' label text built once and reused (keyed by the labels object, which prom-client keeps per series):
// with 1,000 backends a scrape is some 30,000 lines, and re-escaping every label on every scrape was most of its cost.
import type { Registry } from 'prom-client';

interface ValueLine {
  value: number;
  labels?: Record<string, string | number>;
  /** A histogram series' own labels; `labels` then holds only `le`. */
  sharedLabels?: Record<string, string | number>;
  metricName?: string;
}

interface MetricData {
  name: string;
  help: string;
  type: string;
  values: ValueLine[];
}

type Collectable = { get(): Promise<MetricData> | MetricData; getForPromString?(): Promise<MetricData> };

/** Label text by labels object; objects prom-client drops (a removed backend's series) drop out with them. */
const labelText = new WeakMap<object, string>();

/** Same output as registry.metrics() for the Prometheus text format (no default labels, no exemplars). */
export async function prometheusText(registry: Registry): Promise<string> {
  const metrics = registry.getMetricsAsArray() as unknown as Collectable[];
  const data = await Promise.all(metrics.map((metric) => (metric.getForPromString ? metric.getForPromString() : metric.get())));
  const lines: string[] = [];
  for (const metric of data) {
    if (lines.length > 0) lines.push('');
    formatMetric(metric, lines);
  }
  lines.push('');
  return lines.join('\n');
}

function formatMetric(metric: MetricData, lines: string[]): void {
  const name = escapeString(metric.name);
  lines.push(`# HELP ${name} ${escapeString(metric.help)}`, `# TYPE ${name} ${metric.type}`);
  for (const line of metric.values) {
    const own = line.sharedLabels === undefined ? cachedLabels(line.labels) : bucketLabels(line.labels);
    const shared = line.sharedLabels === undefined ? '' : cachedLabels(line.sharedLabels);
    const labels = own === '' ? shared : shared === '' ? own : `${own},${shared}`;
    lines.push(`${line.metricName ?? name}${labels === '' ? '' : `{${labels}}`} ${valueText(line.value)}`);
  }
}

/** A histogram line's own labels are new objects each scrape, but nearly always just `le`: its text is kept by bound. */
const leText = new Map<string | number, string>();

function bucketLabels(labels: Record<string, string | number> | undefined): string {
  const le = labels?.le;
  if (le === undefined || Object.keys(labels!).length !== 1) return formatLabels(labels);
  let text = leText.get(le);
  if (text === undefined) leText.set(le, (text = formatLabels(labels)));
  return text;
}

function cachedLabels(labels: Record<string, string | number> | undefined): string {
  if (labels === undefined) return '';
  let text = labelText.get(labels);
  if (text === undefined) labelText.set(labels, (text = formatLabels(labels)));
  return text;
}

function formatLabels(labels: Record<string, string | number> | undefined): string {
  if (labels === undefined) return '';
  let text = '';
  for (const key in labels) {
    const value = labels[key];
    text += `${text === '' ? '' : ','}${key}="${typeof value === 'string' ? escapeString(value).replace(/"/g, '\\"') : value}"`;
  }
  return text;
}

function escapeString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function valueText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}
