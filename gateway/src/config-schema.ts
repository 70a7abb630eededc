// The gateway's configuration schema: every key, its default and what is allowed, in one place.
// Messages are phrased to follow the offending value: `healthCheck.fall: 0 is not an integer >= 1`.
import { z } from 'zod';

export const DEFAULT_LISTEN_HOST = '0.0.0.0';
export const DEFAULT_LISTEN_PORT = 8080;
export const DEFAULT_HEALTH_PATH = '/health';
export const DEFAULT_HEALTH_INTERVAL_MS = 1_000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 500;
export const DEFAULT_HEALTH_FALL = 2;
export const DEFAULT_HEALTH_RISE = 2;
/** Each probe fires at interval ± this fraction, so probes of many gateways do not line up. */
export const DEFAULT_HEALTH_JITTER = 0.1;
export const DEFAULT_CONNECT_TIMEOUT_MS = 1_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;
/** Keep-alive sockets per backend; beyond it requests queue in the pool instead of opening more. */
export const DEFAULT_CONNECTIONS_PER_BACKEND = 128;
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number({ invalid_type_error: 'is not a number' }).int(`is not an integer`).min(min, `is not an integer >= ${min}`).max(max, `is not an integer <= ${max}`);

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

export const configSchema = z
  .object({
    listen: z
      .object({
        host: z.string().min(1, 'is empty').default(DEFAULT_LISTEN_HOST),
        port: port.default(DEFAULT_LISTEN_PORT),
      })
      .strict()
      .default({}),
    backends: z.array(backendEntry, { invalid_type_error: 'is not a list of backends' }).default([]),
    healthCheck: z
      .object({
        enabled: z.boolean({ invalid_type_error: 'is not true or false' }).default(true),
        path: z.string().startsWith('/', 'is not a path starting with "/"').default(DEFAULT_HEALTH_PATH),
        intervalMs: int(10).default(DEFAULT_HEALTH_INTERVAL_MS),
        timeoutMs: int(1).default(DEFAULT_HEALTH_TIMEOUT_MS),
        fall: int(1, 100).default(DEFAULT_HEALTH_FALL),
        rise: int(1, 100).default(DEFAULT_HEALTH_RISE),
        jitter: z.number({ invalid_type_error: 'is not a number' }).min(0, 'is not between 0 and 0.5').max(0.5, 'is not between 0 and 0.5').default(DEFAULT_HEALTH_JITTER),
        initialState: z.enum(['unknown', 'up'], { errorMap: () => ({ message: 'is not "unknown" or "up"' }) }).default('unknown'),
      })
      .strict()
      .default({}),
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
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { errorMap: () => ({ message: 'is not one of fatal, error, warn, info, debug, trace, silent' }) }).default('info'),
        access: z.boolean({ invalid_type_error: 'is not true or false' }).default(true),
      })
      .strict()
      .default({}),
    shutdown: z
      .object({
        graceMs: int(0).default(DEFAULT_SHUTDOWN_GRACE_MS),
      })
      .strict()
      .default({}),
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
    if (config.healthCheck.timeoutMs >= config.healthCheck.intervalMs) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['healthCheck', 'timeoutMs'], message: `is not below healthCheck.intervalMs (${config.healthCheck.intervalMs})` });
    }
  });

export type GatewayConfig = z.infer<typeof configSchema>;
export type BackendSpec = GatewayConfig['backends'][number];
