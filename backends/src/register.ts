// Self-registration of a demo backend with the gateway's registry: register at start, heartbeat every ttl/3,
// register again when a heartbeat answers 404 (the gateway restarted, or the TTL ran out), deregister on stop.
// Failures never stop the backend: it keeps retrying, logging only when things change.

export interface RegistrationOptions {
  /** The gateway's admin listener, e.g. http://127.0.0.1:8081. */
  adminUrl: string;
  token: string;
  /** This backend's origin as the gateway should reach it. */
  url: string;
  /** The gateway pool to join; the gateway's `default` when unset. */
  pool?: string;
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

/** Wait before trying again after a failed registration (gateway not up yet, or refused). */
const RETRY_MS = 1_000;
/** Every call to the gateway gives up after this long. */
const CALL_TIMEOUT_MS = 2_000;

export class GatewayRegistration {
  private id: string | undefined;
  private ttlMs = 3_000;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The last failure logged, so a gateway that stays down is reported once, not every second. */
  private lastProblem: string | undefined;

  constructor(private readonly options: RegistrationOptions) {}

  start(): void {
    void this.register();
  }

  /** Stops heartbeats and deregisters, so the gateway drains this backend instead of waiting for the TTL. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.id === undefined) return;
    const response = await this.call('DELETE', `/registry/${this.id}`).catch(() => undefined);
    this.options.log.info({ id: this.id, status: response?.status }, 'deregistered from the gateway');
  }

  private async register(): Promise<void> {
    if (this.stopped) return;
    try {
      const response = await this.call('POST', '/registry', { url: this.options.url, ...(this.options.pool === undefined ? {} : { pool: this.options.pool }) });
      const body = (await response.json()) as { id?: string; ttlMs?: number; message?: string };
      if (!response.ok || body.id === undefined) throw new Error(`${response.status} ${body.message ?? ''}`.trim());
      this.id = body.id;
      this.ttlMs = body.ttlMs ?? this.ttlMs;
      this.lastProblem = undefined;
      this.options.log.info({ id: this.id, gateway: this.options.adminUrl, ttlMs: this.ttlMs }, `registered with the gateway as ${this.id}`);
      this.schedule(() => this.heartbeat(), this.ttlMs / 3);
    } catch (error) {
      this.problem(`registration failed: ${describe(error)}`);
      this.schedule(() => this.register(), RETRY_MS);
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.stopped || this.id === undefined) return;
    try {
      const response = await this.call('PUT', `/registry/${this.id}`);
      await response.body?.cancel();
      if (response.status === 404) {
        this.options.log.warn({ id: this.id }, 'the gateway no longer knows this backend (restarted or TTL missed): registering again');
        return this.register();
      }
      if (!response.ok) throw new Error(String(response.status));
      if (this.lastProblem !== undefined) this.options.log.info({ id: this.id }, 'heartbeats accepted again');
      this.lastProblem = undefined;
    } catch (error) {
      this.problem(`heartbeat failed: ${describe(error)}`);
    }
    this.schedule(() => this.heartbeat(), this.ttlMs / 3);
  }

  private problem(text: string): void {
    if (text !== this.lastProblem) this.options.log.warn({ gateway: this.options.adminUrl }, text);
    this.lastProblem = text;
  }

  private schedule(next: () => Promise<void>, delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void next(), delayMs);
  }

  private call(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(new URL(path, this.options.adminUrl), {
      method,
      headers: { authorization: `Bearer ${this.options.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
  }
}

/** fetch hides the socket error under `cause`: "ECONNREFUSED" says more than "fetch failed". */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as Error).message;
}
