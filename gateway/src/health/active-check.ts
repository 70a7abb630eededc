// Active health checks: a jittered timer per backend sends GET <path> and reports ok or why not.
// Each backend has its own timer and its own in-flight probe, so a slow backend never delays the others.
import { Agent, request } from 'undici';
import type { Backend } from '../backend.js';

export interface ActiveCheckOptions {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** Fraction of the interval by which each wait is randomly shortened or lengthened. */
  jitter: number;
}

export interface ProbeResult {
  ok: boolean;
  /** "ok", "status 503", "refused", "timeout", "reset", … */
  reason: string;
}

export type ProbeListener = (backend: Backend, result: ProbeResult) => void;

export class ActiveHealthChecker {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** When each backend's next probe is due (epoch ms), for the admin /pool view. */
  private readonly due = new Map<string, number>();
  /** Probes keep their own small keep-alive pool, apart from traffic, so a busy pool never queues a probe. */
  private readonly agent: Agent;
  private closed = false;

  constructor(
    private readonly options: ActiveCheckOptions,
    private readonly onResult: ProbeListener,
  ) {
    this.agent = new Agent({ connections: 1, connectTimeout: options.timeoutMs, keepAliveTimeout: options.intervalMs * 4 });
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
  }

  nextProbeAt(backendId: string): number | undefined {
    return this.due.get(backendId);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
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
      return { ok: false, reason: probeFailureReason(error) };
    }
  }
}

/** Names a failed probe the way an operator reads it in a log line. */
export function probeFailureReason(error: unknown): string {
  const { name, code } = error as { name?: string; code?: string };
  if (name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') return 'timeout';
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return 'reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    default:
      return code ?? name ?? 'error';
  }
}
