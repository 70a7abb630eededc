// Active health checks: every backend is probed with GET <path> (grpc.health.v1.Health/Check in gRPC pools,
// grpc-health-check.ts) at the interval (± jitter) and reported ok or why not.
// One schedule (one timer) times every backend's next probe and in-flight deadline; each backend has at most one
// probe out, so a slow backend never delays the others, and first probes are spaced so a big pool starts gently.
import { Agent, type Dispatcher } from 'undici';
import type { Backend } from '../pool/backend.js';
import { HTTP1_TRANSPORT, transportClientOptions, type UpstreamTransport } from '../pool/upstream-transport.js';
import { GrpcHealthProbe } from './grpc-health-check.js';
import { ProbeExchange, type ProbeResult } from './probe-exchange.js';
import { ProbeSchedule, type ScheduleEntry } from './probe-schedule.js';

export type { ProbeResult } from './probe-exchange.js';

export interface ActiveCheckOptions {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** Fraction of the interval by which each wait is randomly shortened or lengthened. */
  jitter: number;
  /** The service name gRPC pools ask grpc.health.v1.Health/Check about ("" when unset: the whole server). */
  grpcService?: string;
}

export type ProbeListener = (backend: Backend, result: ProbeResult) => void;

/**
 * Probes start at most one per this many ms, or faster when the pool needs it (twice the steady rate): one new
 * backend is probed at once, but 1,000 listed at start (or bunched by a busy moment) are spread out instead of
 * opening 1,000 connections in the same instant, whose timeouts would mark healthy backends down. Later probes
 * keep the spread, since each is due an interval after the previous one.
 */
const MAX_PROBE_SPACING_MS = 1;

/** One watched backend: its place in the schedule, and the probe out now (if any). */
interface Watch extends ScheduleEntry {
  readonly backend: Backend;
  /** Built once per backend: every probe of it sends the same request. */
  readonly request: Dispatcher.DispatchOptions;
  /** The probe out now; its schedule entry is then the probe's deadline. */
  inFlight: ProbeExchange | undefined;
  /** When the next probe is due (epoch ms), for the admin /pool view. */
  nextProbeAt: number;
  /** Set by unwatch: a probe still out reports nothing. */
  gone: boolean;
  /** Times the probe out now had its deadline moved because the gateway was stalled. */
  extensions: number;
  /** Its next probe was pushed back to keep the spacing: when due, it starts without asking again. */
  reserved: boolean;
}

/** A deadline that fires this late (ms) found the gateway stalled rather than the backend slow. */
const STALL_MS = 50;
/** How often one probe's deadline may be moved for stalls, so a gateway that is always late still times out. */
const MAX_EXTENSIONS = 3;

const PROBE_HEADERS = { 'user-agent': 'gateway-health-check' };

export class ActiveHealthChecker {
  private readonly watches = new Map<string, Watch>();
  private readonly schedule = new ProbeSchedule<Watch>((watch, lateMs) => this.due(watch, lateMs));
  /** The earliest time the next probe may start (the spacing above). */
  private nextStartAt = 0;
  /** Probes keep their own small keep-alive pool, apart from traffic, so a busy pool never queues a probe. */
  private readonly agent: Agent;
  /** Set in `protocol: grpc` pools, whose probes are gRPC health checks instead of GET <path>. */
  private readonly grpc: GrpcHealthProbe | undefined;
  private closed = false;

  constructor(
    private readonly options: ActiveCheckOptions,
    private readonly onResult: ProbeListener,
    /** The pool's protocol and TLS settings: a probe reaches the backend the way its traffic does. */
    transport: UpstreamTransport = HTTP1_TRANSPORT,
  ) {
    this.agent = new Agent({ ...transportClientOptions(transport), connections: 1, connectTimeout: options.timeoutMs, keepAliveTimeout: options.intervalMs * 4 });
    this.grpc = transport.protocol === 'grpc'
      ? new GrpcHealthProbe({ service: options.grpcService ?? '', timeoutMs: options.timeoutMs, intervalMs: options.intervalMs, tls: transport.tls })
      : undefined;
  }

  /** Starts probing a backend: the first probe goes out at once, or just after those of backends added before it. */
  watch(backend: Backend): void {
    if (this.closed || this.watches.has(backend.id)) return;
    const request: Dispatcher.DispatchOptions = { origin: backend.origin, path: this.options.path, method: 'GET', headers: PROBE_HEADERS };
    const watch: Watch = { backend, request, inFlight: undefined, nextProbeAt: 0, gone: false, reserved: false, extensions: 0, due: 0, slot: -1 };
    this.watches.set(backend.id, watch);
    this.probeAt(watch, Date.now());
  }

  unwatch(backendId: string): void {
    const watch = this.watches.get(backendId);
    if (!watch) return;
    watch.gone = true;
    this.schedule.cancel(watch);
    this.watches.delete(backendId);
    this.grpc?.forget(backendId);
  }

  nextProbeAt(backendId: string): number | undefined {
    return this.watches.get(backendId)?.nextProbeAt;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.schedule.close();
    for (const watch of this.watches.values()) watch.gone = true;
    this.watches.clear();
    this.grpc?.close();
    await this.agent.close();
  }

  private probeAt(watch: Watch, at: number): void {
    watch.nextProbeAt = at;
    this.schedule.at(watch, at);
  }

  /** The schedule's call: either the next probe is due, or the probe out now ran past its deadline. */
  private due(watch: Watch, lateMs: number): void {
    if (watch.inFlight !== undefined) {
      // The gateway itself was stalled (start-up, a long GC, no CPU): the backend gets its time again, not the blame.
      if (lateMs > STALL_MS && watch.extensions < MAX_EXTENSIONS) {
        watch.extensions += 1;
        this.schedule.at(watch, Date.now() + this.options.timeoutMs);
        return;
      }
      // After the poll phase: an answer that arrived while the gateway was busy is read first, not called a timeout.
      setImmediate(timeOut, watch.inFlight, this.options.timeoutMs);
      return;
    }
    const now = Date.now();
    if (watch.reserved) {
      watch.reserved = false;
      this.start(watch, now);
      return;
    }
    const startAt = Math.max(now, this.nextStartAt);
    this.nextStartAt = startAt + Math.min(MAX_PROBE_SPACING_MS, this.options.intervalMs / (2 * this.watches.size));
    if (startAt === now) {
      this.start(watch, now);
    } else {
      watch.reserved = true;
      this.probeAt(watch, startAt);
    }
  }

  private start(watch: Watch, now: number): void {
    const exchange = new ProbeExchange((result) => this.reported(watch, exchange, result));
    watch.inFlight = exchange;
    watch.extensions = 0;
    this.schedule.at(watch, now + this.options.timeoutMs);
    if (this.grpc !== undefined) void this.grpc.probe(watch.backend).then((result) => exchange.settle(result));
    else this.agent.dispatch(watch.request, exchange);
  }

  private reported(watch: Watch, exchange: ProbeExchange, result: ProbeResult): void {
    // The backend may have been unwatched (or the checker closed) while the probe was out.
    if (watch.gone || watch.inFlight !== exchange) return;
    watch.inFlight = undefined;
    this.onResult(watch.backend, result);
    const { intervalMs, jitter } = this.options;
    this.probeAt(watch, Date.now() + intervalMs * (1 + jitter * (2 * Math.random() - 1)));
  }
}

/** A module function, not a closure per probe: most probes never time out. */
function timeOut(exchange: ProbeExchange, timeoutMs: number): void {
  exchange.timeOut(timeoutMs);
}
