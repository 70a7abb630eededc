// Configuration sections for discovery and operations: the admin listener, the self-registration registry
// (TTL heartbeats, optional etcd), DNS discovery and the audit log. Spread into the schema in config-schema.ts.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const DEFAULT_ADMIN_HOST = '127.0.0.1';
export const DEFAULT_ADMIN_PORT = 8081;
/** Registrations and heartbeats are tiny; anything larger is a mistake or an attack. */
export const DEFAULT_ADMIN_BODY_LIMIT_BYTES = 16 * 1024;
/** Wrong or missing tokens one address may send per minute before it gets 429s. */
export const DEFAULT_AUTH_FAILURES_PER_MINUTE = 10;
/** A backend that has not renewed within this time leaves the pool; demo backends renew every ttl/3. */
export const DEFAULT_REGISTRY_TTL_MS = 3_000;
export const DEFAULT_REGISTRY_MAX_BACKENDS = 100;
/** DELETE /registry/:id waits at most this long for in-flight requests before removing the backend. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
export const DEFAULT_ETCD_PREFIX = '/gateway/backends/';
export const DEFAULT_AUDIT_FILE = './gateway-audit.jsonl';
export const DEFAULT_DNS_INTERVAL_MS = 5_000;
/** Shortest admin token accepted: a guessable token would make the constant-time compare pointless. */
export const MIN_TOKEN_LENGTH = 16;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number({ invalid_type_error: 'is not a number' }).int('is not an integer').min(min, `is not an integer >= ${min}`).max(max, `is not an integer <= ${max}`);

const isHttpUrl = (value: string): boolean => {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
};

/** A DNS entry: `http://name:port` (A/AAAA re-resolved) or an SRV name such as `_http._tcp.name`. */
const dnsName = z.string({ invalid_type_error: 'is not a string' }).refine(
  (value) => /^_[A-Za-z0-9-]+\._tcp\.[A-Za-z0-9.-]+$/.test(value) || (isHttpUrl(value) && new URL(value).pathname === '/'),
  'is neither an http(s)://host:port origin nor an SRV name like _http._tcp.example',
);

/** A DNS server for the resolver: an IP address, optionally with :port. */
const dnsServer = z.string().regex(/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])(:\d{1,5})?$/, 'is not an IP address with an optional :port');

const tokenFileReadable = (file: string | undefined) => {
  if (file === undefined) return true;
  try {
    return readFileSync(file, 'utf8').trim().length >= MIN_TOKEN_LENGTH;
  } catch {
    return false;
  }
};

export const adminSections = {
  admin: z
    .object({
      host: z.string().min(1, 'is empty').default(DEFAULT_ADMIN_HOST),
      port: int(0, 65535).default(DEFAULT_ADMIN_PORT),
      token: z.string().min(MIN_TOKEN_LENGTH, `is shorter than ${MIN_TOKEN_LENGTH} characters`).optional(),
      tokenFile: z.string().min(1, 'is empty').optional().refine(tokenFileReadable, `cannot be read or holds fewer than ${MIN_TOKEN_LENGTH} characters`),
      bodyLimitBytes: int(256, 1024 * 1024).default(DEFAULT_ADMIN_BODY_LIMIT_BYTES),
      authFailuresPerMinute: int(1, 100_000).default(DEFAULT_AUTH_FAILURES_PER_MINUTE),
    })
    .strict()
    .refine((admin) => admin.token === undefined || admin.tokenFile === undefined, { message: 'sets both token and tokenFile; keep one', path: ['tokenFile'] })
    .default({}),
  registry: z
    .object({
      ttlMs: int(1_000, 3_600_000).default(DEFAULT_REGISTRY_TTL_MS),
      maxBackends: int(1, 10_000).default(DEFAULT_REGISTRY_MAX_BACKENDS),
      drainTimeoutMs: int(0, 600_000).default(DEFAULT_DRAIN_TIMEOUT_MS),
      etcd: z
        .object({
          endpoints: z.array(z.string().refine(isHttpUrl, 'is not an http(s) URL'), { invalid_type_error: 'is not a list of URLs' }).default([]),
          prefix: z.string().regex(/^\/[\w./-]*\/$/, 'is not a key prefix starting and ending with "/"').default(DEFAULT_ETCD_PREFIX),
        })
        .strict()
        .default({}),
    })
    .strict()
    .default({}),
  dns: z
    .object({
      names: z.array(dnsName, { invalid_type_error: 'is not a list of names' }).default([]),
      intervalMs: int(100, 3_600_000).default(DEFAULT_DNS_INTERVAL_MS),
      servers: z.array(dnsServer, { invalid_type_error: 'is not a list of DNS servers' }).default([]),
    })
    .strict()
    .default({}),
  audit: z
    .object({
      file: z.string({ invalid_type_error: 'is not a string' }).default(DEFAULT_AUDIT_FILE),
    })
    .strict()
    .default({}),
};
