// Active health checks: a jittered timer per backend sends GET <path> (grpc.health.v1.Health/Check in gRPC
// pools, grpc-health-check.ts) and reports ok or why not.
// Each backend has its own timer and its own in-flight probe, so a slow backend never delays the others.
import { Agent, request } from 'undici';
import type { Backend } from '../pool/backend.js';
import { HTTP1_TRANSPORT, transportClientOptions, type UpstreamTransport } from '../pool/upstream-transport.js';
import { classifyTransportFailure } from '../transport-failure.js';
import { GrpcHealthProbe } from './grpc-health-check.js';

export interface ActiveCheckOptions {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** Fraction of the interval by which each wait is randomly shortened or lengthened. */
  jitter: number;
  /** The service name gRPC pools ask grpc.health.v1.Health/Check about ("" when unset: the whole server). */
  grpcService?: string;
}

export interface ProbeResult {
  ok: boolean;
  /** "ok", "status 503", or the transport failure's reason ("refused", "timeout", "reset", …) as traffic names it. */
  reason: string;
}

export type ProbeListener = (backend: Backend, result: ProbeResult) => void;

export class ActiveHealthChecker {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** When each backend's next probe is due (epoch ms), for the admin /pool view. */
  private readonly due = new Map<string, number>();
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

  /** Starts probing a backend: the first probe goes out at once, so a new backend is admitted quickly. */
  watch(backend: Backend): void {
    if (this.closed || this.timers.has(backend.id)) return;
    this.schedule(backend, 0);
  }

  unwatch(backendId: string): void {
    clearTimeout(this.timers.get(backendId));
    this.timers.delete(backendId);
    this.due.delete(backendId);
    this.grpc?.forget(backendId);
  }

  nextProbeAt(backendId: string): number | undefined {
    return this.due.get(backendId);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.grpc?.close();
    await this.agent.close();
  }

  private schedule(backend: Backend, delayMs: number): void {
    const timer = setTimeout(() => void this.probeAndReschedule(backend), delayMs);
    timer.unref();
    this.timers.set(backend.id, timer);
    this.due.set(backend.id, Date.now() + delayMs);
  }

  private async probeAndReschedule(backend: Backend): Promise<void> {
    const result = await this.probe(backend);
    // The backend may have been unwatched (or the checker closed) while the probe was out.
    if (this.closed || !this.timers.has(backend.id)) return;
    this.onResult(backend, result);
    const { intervalMs, jitter } = this.options;
    this.schedule(backend, intervalMs * (1 + jitter * (2 * Math.random() - 1)));
  }

  private async probe(backend: Backend): Promise<ProbeResult> {
    if (this.grpc !== undefined) return this.grpc.probe(backend);
    try {
      const response = await request(backend.origin + this.options.path, {
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headers: { 'user-agent': 'gateway-health-check' },
      });
      await response.body.dump();
      const ok = response.statusCode >= 200 && response.statusCode < 400;
      return { ok, reason: ok ? 'ok' : `status ${response.statusCode}` };
    } catch (error) {
      const failure = classifyTransportFailure(error, false);
      // An unnamed failure keeps its own words, so /pool and the log still say what happened.
      return { ok: false, reason: failure.reason === 'unknown' ? failure.cause : failure.reason };
    }
  }
}
