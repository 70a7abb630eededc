// The gateway's configuration schema: every key, its default and what is allowed, in one place.
// Messages are phrased to follow the offending value: `healthCheck.fall: 0 is not an integer >= 1`.
import { z } from 'zod';
import { adminSections } from './config-schema-admin.js';
import { edgeSections } from './config-schema-edge.js';
import { checkOverload, maxClientConnections, overloadSections } from './config-schema-overload.js';
import { checkRouting, routingSections } from './config-schema-routing.js';
import { checkHttp2, http2Sections } from './config-schema-http2.js';
import { tlsSections } from './config-schema-tls.js';
import { checkWorkers, workersSections } from './config-schema-workers.js';
import { checkUpstream } from './config-schema-upstream.js';

export const DEFAULT_LISTEN_HOST = '0.0.0.0';
export const DEFAULT_LISTEN_PORT = 8080;
export const DEFAULT_HEALTH_PATH = '/health';
export const DEFAULT_HEALTH_INTERVAL_MS = 1_000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 500;
export const DEFAULT_HEALTH_FALL = 2;
export const DEFAULT_HEALTH_RISE = 2;
/** Each probe fires at interval ± this fraction, so probes of many gateways do not line up. */
export const DEFAULT_HEALTH_JITTER = 0.1;
/** What grpc.health.v1.Health/Check asks about in `protocol: grpc` pools: "" is the server as a whole. */
export const DEFAULT_GRPC_HEALTH_SERVICE = '';
/** Slow start is off unless configured: a backend back from down takes its full share at once, as in nginx OSS. */
export const DEFAULT_SLOW_START_MS = 0;
export const DEFAULT_CONNECT_TIMEOUT_MS = 1_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;
/** Keep-alive sockets per backend; beyond it requests queue in the pool instead of opening more. */
export const DEFAULT_CONNECTIONS_PER_BACKEND = 128;
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** Tries after the first, each on another backend. */
export const DEFAULT_RETRIES = 2;
/** No new try starts this long after the first one did. */
export const DEFAULT_TRY_DURATION_MS = 5_000;
/** RFC 9110 §9.2.2 idempotent methods: safe to send twice. POST and PATCH are not. */
export const DEFAULT_IDEMPOTENT_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'];
export const DEFAULT_RETRY_STATUSES = [502, 503, 504];
/** Bodies up to this size are buffered so a retry can send them again; larger ones stream and are not retried. */
export const DEFAULT_REPLAYABLE_BODY_BYTES = 64 * 1024;
/** Retries may be at most this share of requests over the budget window (Envoy's default is 20 %). */
export const DEFAULT_RETRY_BUDGET_RATIO = 0.2;
export const DEFAULT_RETRY_BUDGET_MIN_PER_SECOND = 3;
/** Per-try timeout off by default: only proxy.headersTimeoutMs bounds a try, as in nginx's proxy_read_timeout. */
export const DEFAULT_PER_TRY_TIMEOUT_MS = 0;
/** Hedging off by default: it sends some GETs twice, which a user must choose. */
export const DEFAULT_HEDGE_AFTER_MS = 0;
export const DEFAULT_PASSIVE_MAX_FAILS = 3;
export const DEFAULT_PASSIVE_FAIL_WINDOW_MS = 10_000;
export const DEFAULT_PASSIVE_EJECT_MS = 5_000;
export const DEFAULT_PASSIVE_MAX_EJECT_MS = 60_000;
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024 * 1024;
/** Slowloris guard: a client must finish sending its headers within this time. */
export const DEFAULT_CLIENT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_CLIENT_KEEP_ALIVE_TIMEOUT_MS = 5_000;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number({ invalid_type_error: 'is not a number' }).int(`is not an integer`).min(min, `is not an integer >= ${min}`).max(max, `is not an integer <= ${max}`);

const statusList = z.array(int(100, 599), { invalid_type_error: 'is not a list of HTTP status codes' });

const port = int(0, 65535).describe('TCP port, 0 picks a free one');

const httpUrl = z.string({ invalid_type_error: 'is not a string' }).refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'is not an http(s) URL');

/** Backends are origins: the gateway forwards the client's path as it is, so a path here would be ignored. */
const originUrl = httpUrl.refine((value) => {
  if (!URL.canParse(value)) return true; // already reported as not a URL
  const url = new URL(value);
  return url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '';
}, 'is not an origin (scheme://host:port, without path, query or credentials)');

const backendId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'is not an id of 1-64 letters, digits, ".", "_" or "-"');

export const backendSpecSchema = z
  .object({
    url: originUrl,
    id: backendId.optional(),
    weight: int(1, 1000).default(1),
    backup: z.boolean({ invalid_type_error: 'is not true or false' }).default(false),
  })
  .strict();

/** A backend is written either as its URL or as an object; the short form means all defaults. */
const backendEntry = z.preprocess(
  (entry) => (typeof entry === 'string' ? { url: entry } : entry),
  backendSpecSchema,
  { invalid_type_error: 'is neither a URL string nor {url, id?, weight?, backup?}' },
);

const healthCheckSection = z
  .object({
    enabled: z.boolean({ invalid_type_error: 'is not true or false' }).default(true),
    path: z.string().startsWith('/', 'is not a path starting with "/"').default(DEFAULT_HEALTH_PATH),
    intervalMs: int(10).default(DEFAULT_HEALTH_INTERVAL_MS),
    timeoutMs: int(1).default(DEFAULT_HEALTH_TIMEOUT_MS),
    fall: int(1, 100).default(DEFAULT_HEALTH_FALL),
    rise: int(1, 100).default(DEFAULT_HEALTH_RISE),
    jitter: z.number({ invalid_type_error: 'is not a number' }).min(0, 'is not between 0 and 0.5').max(0.5, 'is not between 0 and 0.5').default(DEFAULT_HEALTH_JITTER),
    slowStartMs: int(0).default(DEFAULT_SLOW_START_MS),
    initialState: z.enum(['unknown', 'up'], { errorMap: () => ({ message: 'is not "unknown" or "up"' }) }).default('unknown'),
    grpcService: z.string({ invalid_type_error: 'is not a string' }).default(DEFAULT_GRPC_HEALTH_SERVICE),
  })
  .strict();

const retrySection = z
  .object({
    retries: int(0, 10).default(DEFAULT_RETRIES),
    tryDurationMs: int(0).default(DEFAULT_TRY_DURATION_MS),
    idempotentMethods: z
      .array(z.string().regex(/^[A-Z]+$/, 'is not an upper-case HTTP method'), { invalid_type_error: 'is not a list of methods' })
      .default(DEFAULT_IDEMPOTENT_METHODS),
    statuses: statusList.default(DEFAULT_RETRY_STATUSES),
    replayableBodyBytes: int(0, 16 * 1024 * 1024).default(DEFAULT_REPLAYABLE_BODY_BYTES),
    budgetRatio: z.number({ invalid_type_error: 'is not a number' }).min(0, 'is not between 0 and 1').max(1, 'is not between 0 and 1').default(DEFAULT_RETRY_BUDGET_RATIO),
    budgetMinPerSecond: int(0).default(DEFAULT_RETRY_BUDGET_MIN_PER_SECOND),
    perTryTimeoutMs: int(0).default(DEFAULT_PER_TRY_TIMEOUT_MS),
    // A number of ms, or "p95"; from the environment a number arrives as text.
    hedgeAfterMs: z
      .preprocess(
        (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
        z.union([z.number().int().min(0), z.literal('p95')], { errorMap: () => ({ message: 'is not a whole number of ms >= 0 or "p95"' }) }),
      )
      .default(DEFAULT_HEDGE_AFTER_MS),
  })
  .strict();

const passiveHealthSection = z
  .object({
    enabled: z.boolean({ invalid_type_error: 'is not true or false' }).default(true),
    maxFails: int(1, 1000).default(DEFAULT_PASSIVE_MAX_FAILS),
    failWindowMs: int(1).default(DEFAULT_PASSIVE_FAIL_WINDOW_MS),
    ejectTimeMs: int(1).default(DEFAULT_PASSIVE_EJECT_MS),
    maxEjectTimeMs: int(1).default(DEFAULT_PASSIVE_MAX_EJECT_MS),
    statuses: statusList.default(DEFAULT_RETRY_STATUSES),
  })
  .strict();

const backendList = z.array(backendEntry, { invalid_type_error: 'is not a list of backends' }).default([]);

export const configSchema = z
  .object({
    listen: z
      .object({
        host: z.string().min(1, 'is empty').default(DEFAULT_LISTEN_HOST),
        port: port.default(DEFAULT_LISTEN_PORT),
      })
      .strict()
      .default({}),
    backends: backendList,
    healthCheck: healthCheckSection.default({}),
    proxy: z
      .object({
        engine: z.enum(['undici', 'reply-from'], { errorMap: () => ({ message: 'is not "undici" or "reply-from"' }) }).default('undici'),
        connectTimeoutMs: int(1).default(DEFAULT_CONNECT_TIMEOUT_MS),
        headersTimeoutMs: int(1).default(DEFAULT_HEADERS_TIMEOUT_MS),
        bodyTimeoutMs: int(0).default(DEFAULT_BODY_TIMEOUT_MS),
        connectionsPerBackend: int(1, 10_000).default(DEFAULT_CONNECTIONS_PER_BACKEND),
      })
      .strict()
      .default({}),
    retry: retrySection.default({}),
    passiveHealth: passiveHealthSection.default({}),
    limits: z
      .object({
        maxHeaderBytes: int(1024, 1024 * 1024).default(DEFAULT_MAX_HEADER_BYTES),
        maxBodyBytes: int(0).default(DEFAULT_MAX_BODY_BYTES),
        clientHeadersTimeoutMs: int(1).default(DEFAULT_CLIENT_HEADERS_TIMEOUT_MS),
        clientKeepAliveTimeoutMs: int(1).default(DEFAULT_CLIENT_KEEP_ALIVE_TIMEOUT_MS),
        maxClientConnections,
      })
      .strict()
      .default({}),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { errorMap: () => ({ message: 'is not one of fatal, error, warn, info, debug, trace, silent' }) }).default('info'),
        access: z.boolean({ invalid_type_error: 'is not true or false' }).default(true),
        accessSampleRate: z.number({ invalid_type_error: 'is not a number' }).min(0, 'is not between 0 and 1').max(1, 'is not between 0 and 1').default(1),
        // Access lines to this file (appended, reopened on SIGHUP / POST /config/reload for logrotate) instead of stdout.
        accessFile: z.string({ invalid_type_error: 'is not a file path' }).min(1, 'is empty').optional(),
      })
      .strict()
      .default({}),
    metrics: z
      .object({
        // Off only to measure what metrics cost: no /metrics, no request counting, the dashboard shows states only.
        enabled: z.boolean({ invalid_type_error: 'is not true or false' }).default(true),
      })
      .strict()
      .default({}),
    shutdown: z
      .object({
        graceMs: int(0).default(DEFAULT_SHUTDOWN_GRACE_MS),
      })
      .strict()
      .default({}),
    // admin, registry, dns, audit
    ...adminSections,
    // tls
    ...tlsSections,
    // http2
    ...http2Sections,
    // trustedProxies, redis
    ...edgeSections,
    // workers
    ...workersSections,
    // overload, concurrency
    ...overloadSections,
    // pools, routes
    ...routingSections({ backends: backendList, healthCheck: healthCheckSection, passiveHealth: passiveHealthSection, retry: retrySection }),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.backends.forEach((backend, index) => {
      const key = backend.id ?? backend.url;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['backends', index], message: `repeats backends[${first}] (${key}); ids and URLs must be unique` });
      }
      seen.set(key, index);
    });
    if (config.passiveHealth.maxEjectTimeMs < config.passiveHealth.ejectTimeMs) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['passiveHealth', 'maxEjectTimeMs'], message: `is below passiveHealth.ejectTimeMs (${config.passiveHealth.ejectTimeMs})` });
    }
    checkRouting(config, ctx);
    checkUpstream(config, ctx);
    checkOverload(config, ctx);
    checkHttp2(config, ctx);
    checkWorkers(config, ctx);
    // The redirect replaces the raw request handler, which the reply-from engine (a Fastify route) does not use.
    if (config.tls.redirectHttp && config.proxy.engine === 'reply-from') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tls', 'redirectHttp'], message: 'is supported with proxy.engine "undici" only' });
    }
    if (config.healthCheck.timeoutMs >= config.healthCheck.intervalMs) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['healthCheck', 'timeoutMs'], message: `is not below healthCheck.intervalMs (${config.healthCheck.intervalMs})` });
    }
  });

export type GatewayConfig = z.infer<typeof configSchema>;
export type BackendSpec = GatewayConfig['backends'][number];
