// Configuration sections for overload protection: a cap on requests per backend with a bounded queue in front of
// each pool (`concurrency`, overridable per pool like `retry`), gateway-wide shedding (`overload`) and the cap on
// open client connections (`limits.maxClientConnections`, placed in `limits` by config-schema.ts).
import { z } from 'zod';

/** Requests waiting for a free backend slot in one pool; past it, 503 backend_busy at once (nginx's `queue`). */
export const DEFAULT_MAX_PENDING = 100;
/** How long a request may wait for a free backend slot before 503 backend_busy (HAProxy's `timeout queue`). */
export const DEFAULT_QUEUE_TIMEOUT_MS = 1_000;
/** Seconds a shed client is told to wait (Retry-After). */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number({ invalid_type_error: 'is not a number' }).int('is not an integer').min(min, `is not an integer >= ${min}`).max(max, `is not an integer <= ${max}`);

/** A cap that is off unless set: null (the default) or a whole number >= min. */
const cap = (min: number) => int(min).nullable().default(null);

/**
 * Per pool: at most maxPerBackend requests in flight to each backend (null: no cap). A request that finds every
 * available backend at its cap waits in the pool's FIFO queue, at most maxPending of them, each at most
 * queueTimeoutMs; beyond either it gets 503 backend_busy. maxPending and queueTimeoutMs mean nothing without the cap.
 */
export const concurrencySection = z
  .object({
    maxPerBackend: cap(1),
    maxPending: int(0, 1_000_000).default(DEFAULT_MAX_PENDING),
    queueTimeoutMs: int(1).default(DEFAULT_QUEUE_TIMEOUT_MS),
  })
  .strict();

export type ConcurrencyConfig = z.infer<typeof concurrencySection>;

/**
 * Gateway-wide shedding, checked before routing: while the event loop lags more than maxEventLoopDelayMs, or
 * maxConcurrentRequests are already being served, new requests get 503 overloaded with Retry-After. Off by default.
 */
export const overloadSections = {
  overload: z
    .object({
      maxEventLoopDelayMs: cap(1),
      maxConcurrentRequests: cap(1),
      retryAfterSeconds: int(1, 3_600).default(DEFAULT_RETRY_AFTER_SECONDS),
    })
    .strict()
    .default({}),
  concurrency: concurrencySection.default({}),
};

export type OverloadConfig = z.infer<typeof overloadSections.overload>;

/** limits.maxClientConnections: open client connections on the traffic and TLS listeners together (null: no cap). */
export const maxClientConnections = cap(1);

interface OverloadView {
  proxy: { engine: string };
  concurrency: { maxPerBackend: number | null };
  pools?: Record<string, { concurrency?: { maxPerBackend?: number | null } }>;
}

/** The queue for a backend slot lives in the undici engine's forwarding; reply-from makes one try and has none. */
export function checkOverload(config: OverloadView, ctx: z.RefinementCtx): void {
  if (config.proxy.engine !== 'reply-from') return;
  const message = 'is supported with proxy.engine "undici" only';
  if (config.concurrency.maxPerBackend !== null) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['concurrency', 'maxPerBackend'], message });
  for (const [name, pool] of Object.entries(config.pools ?? {})) {
    const capped = pool.concurrency?.maxPerBackend;
    if (capped !== undefined && capped !== null) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['pools', name, 'concurrency', 'maxPerBackend'], message });
  }
}
