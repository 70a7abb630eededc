// What a backend sends to register itself, checked before anything changes: an http(s) origin that is not
// the gateway itself, a weight and a backup flag; plus the stable id the gateway gives that origin.
import { networkInterfaces } from 'node:os';
import { z } from 'zod';

export interface Registration {
  /** Normalised origin, e.g. http://127.0.0.1:3001. */
  url: string;
  weight: number;
  backup: boolean;
  /** Free-form labels the backend wants shown in /pool; kept small by the admin body limit. */
  meta: Record<string, string>;
  /** The upstream pool it joins (config.pools); `default` when not given. */
  pool: string;
}

/** A registry call the gateway refuses, with the HTTP status and stable code the admin API answers with. */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The body field at fault, for 400s. */
    readonly field?: string,
  ) {
    super(message);
  }
}

const invalid = (field: string, message: string) => new RegistryError(400, 'invalid_registration', `${field}: ${message}`, field);

const registrationSchema = z
  .object({
    url: z.string({ required_error: 'is required', invalid_type_error: 'is not a string' }),
    weight: z.number({ invalid_type_error: 'is not a number' }).int('is not an integer').min(1, 'is not between 1 and 1000').max(1000, 'is not between 1 and 1000').default(1),
    backup: z.boolean({ invalid_type_error: 'is not true or false' }).default(false),
    meta: z.record(z.string().max(256, 'has a value longer than 256 characters'), { invalid_type_error: 'is not an object of strings' }).default({}),
    pool: z.string({ invalid_type_error: 'is not a string' }).min(1, 'is empty').max(64, 'is longer than 64 characters').default('default'),
  }, { invalid_type_error: 'is not a JSON object' })
  .strict();

/** Validates a POST /registry body; throws RegistryError naming the field. */
export function parseRegistration(body: unknown): Registration {
  const parsed = registrationSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === z.ZodIssueCode.unrecognized_keys) throw invalid(issue.keys[0]!, 'is not a known field (url, weight, backup, meta, pool)');
    throw invalid(issue.path.length > 0 ? issue.path.join('.') : 'body', issue.message);
  }
  return { ...parsed.data, url: parseOrigin(parsed.data.url) };
}

function parseOrigin(text: string): string {
  if (!URL.canParse(text)) throw invalid('url', `${JSON.stringify(text)} is not a URL`);
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('url', `${JSON.stringify(text)} is not http or https`);
  if (url.hostname === '') throw invalid('url', `${JSON.stringify(text)} has no host`);
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw invalid('url', `${JSON.stringify(text)} is not an origin (scheme://host:port, without path, query or credentials)`);
  }
  return url.origin;
}

/** The same origin always gets the same id, on every gateway and after restarts: `127.0.0.1-3001`. */
export function registrationId(origin: string): string {
  const url = new URL(origin);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/[^A-Za-z0-9.-]/g, '-');
  return `${host}-${port}`.slice(0, 64);
}

export interface Listener {
  host: string;
  port: number;
}

/** True when the origin is one of the gateway's own listeners: forwarding there would loop forever. */
export function pointsAt(origin: string, listeners: readonly Listener[]): boolean {
  const url = new URL(origin);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return listeners.some((listener) => listener.port === port
    && (host === listener.host || (isLocal(host) && isLocal(listener.host)) || (isWildcard(listener.host) && machineAddresses().has(host))));
}

/** A wildcard listener also answers on every address of this machine. */
function machineAddresses(): Set<string> {
  return new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address)));
}

function isLocal(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.') || isWildcard(host);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}
