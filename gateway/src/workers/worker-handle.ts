// One traffic worker as the primary tracks it: its cluster Worker, where it is in its life (starting, listening,
// draining), when it started listening, and its last load report.
import type { Worker } from 'node:cluster';
import type { WorkerView } from '../admin/workers-routes.js';
import type { TrafficAddresses } from './gateway-role.js';
import type { ToWorker } from './messages.js';
import type { ReportedTotals } from './request-totals-sum.js';

export type WorkerState = 'starting' | 'listening' | 'draining';

/** A worker's listener could not bind: Node's code and the address, as server.ts reports a single process's. */
export class WorkerListenError extends Error {
  constructor(readonly code: string, readonly address: string, readonly port: number) {
    super(`worker cannot listen on ${address}:${port}: ${code}`);
  }
}

export class WorkerHandle {
  state: WorkerState = 'starting';
  /** Set once the init message (config and pool state) went out: state updates follow it, never precede it. */
  initialised = false;
  readonly startedAt = Date.now();
  /** Backend id → [in flight, served] from the last load report. */
  load = new Map<string, [number, number]>();
  /** It drained and sent its last metrics (cluster-metrics.ts keeps them): /metrics asks it no more. */
  finalMetricsSent = false;
  /** Its request totals from the last load report (undefined with metrics off). */
  totals: ReportedTotals | undefined;
  /** Resolves when the worker listens; rejects when it cannot, or exits first. */
  readonly listening: Promise<TrafficAddresses>;
  readonly exited: Promise<void>;
  private settle!: { resolve: (addresses: TrafficAddresses) => void; reject: (error: Error) => void };

  constructor(readonly worker: Worker) {
    this.listening = new Promise<TrafficAddresses>((resolve, reject) => (this.settle = { resolve, reject }));
    // Nobody may wait (a replacement nobody awaits): the exit handler logs what matters.
    this.listening.catch(() => undefined);
    this.exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    void this.exited.then(() => this.settle.reject(new Error(`worker ${this.pid} exited before listening`)));
  }

  get pid(): number {
    return this.worker.process.pid ?? 0;
  }

  send(message: ToWorker): void {
    if (this.worker.isConnected()) this.worker.send(message);
  }

  listened(addresses: TrafficAddresses): void {
    this.state = 'listening';
    this.settle.resolve(addresses);
  }

  failedToListen(error: WorkerListenError): void {
    this.settle.reject(error);
  }

  /** Asks the worker to finish its in-flight requests and exit; kills it if it has not within timeoutMs. */
  async drain(timeoutMs: number): Promise<void> {
    this.state = 'draining';
    this.send({ type: 'gateway:drain' });
    const timer = setTimeout(() => this.worker.process.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  view(): WorkerView {
    let inFlight = 0;
    let served = 0;
    for (const [flying, done] of this.load.values()) {
      inFlight += flying;
      served += done;
    }
    return { id: this.worker.id, pid: this.pid, state: this.state, startedAt: new Date(this.startedAt).toISOString(), inFlight, served };
  }
}
