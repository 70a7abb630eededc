// The dashboard's request totals in a multi-process gateway: the primary serves no traffic, so its own counters
// stay at zero; the totals are its workers' last reports (about once a second) added up, plus those of workers
// that are gone, so a rolling restart does not make the totals, and the dashboard's rates, drop.
import type { RequestTotals } from '../observability/request-metrics.js';

/** What a worker sends with its load report: RequestMetrics.totals() in a form the IPC channel carries. */
export interface ReportedTotals {
  backends: [id: string, totals: RequestTotals][];
  noBackend: number;
}

export interface Totals {
  backends: Map<string, RequestTotals>;
  noBackend: number;
}

function add(into: Totals, reported: ReportedTotals): void {
  into.noBackend += reported.noBackend;
  for (const [id, totals] of reported.backends) {
    const entry = into.backends.get(id);
    if (entry === undefined) {
      into.backends.set(id, { requests: totals.requests, errors: totals.errors, buckets: [...totals.buckets] });
      continue;
    }
    entry.requests += totals.requests;
    entry.errors += totals.errors;
    totals.buckets.forEach((count, index) => (entry.buckets[index] = (entry.buckets[index] ?? 0) + count));
  }
}

export class WorkerTotals {
  private readonly retired: Totals = { backends: new Map(), noBackend: 0 };

  /** A worker exited: its last report stays in the sums. */
  retire(last: ReportedTotals | undefined): void {
    if (last) add(this.retired, last);
  }

  sum(current: Iterable<ReportedTotals | undefined>): Totals {
    const result: Totals = { backends: new Map(), noBackend: 0 };
    add(result, { backends: [...this.retired.backends], noBackend: this.retired.noBackend });
    for (const reported of current) if (reported) add(result, reported);
    return result;
  }
}
