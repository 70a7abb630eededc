// The target-neutral view of one pool that the nginx and HAProxy renderers share: its backends as host:port with
// weight and backup, its balancing policy, and its timeout, retry and health settings in milliseconds.
import type { PoolConfig } from '../config-pools.js';
import { staticBackends } from '../pool/backend.js';

export interface RenderedServer {
  readonly id: string;
  /** Host name or IP address, without the brackets URLs put around IPv6. */
  readonly host: string;
  /** host:port as both targets write it; the scheme's default port is filled in. */
  readonly address: string;
  readonly https: boolean;
  readonly weight: number;
  readonly backup: boolean;
}

export interface RenderedPool {
  readonly name: string;
  readonly servers: readonly RenderedServer[];
  readonly policy: PoolConfig['policy'];
  /** What consistent-hash keys on (path, client-ip, header:NAME, cookie:NAME); undefined for other policies. */
  readonly hashOn: string | undefined;
  readonly health: PoolConfig['healthCheck'];
  readonly retry: PoolConfig['retry'];
  readonly passive: PoolConfig['passiveHealth'];
  /** How the gateway talks to the backends: HTTP/1.1, HTTP/2 over TLS (h2), cleartext HTTP/2 (h2c) or gRPC. */
  readonly protocol: PoolConfig['protocol'];
  /** gRPC method paths the gateway may resend after the request went out (grpc.idempotentMethods). */
  readonly grpcIdempotent: readonly string[];
  readonly concurrency: PoolConfig['concurrency'];
}

/** Thrown when the config cannot be written for a target at all (not merely approximated). */
export class RenderError extends Error {
  override name = 'RenderError';
}

export function renderedPool(pool: PoolConfig): RenderedPool {
  const servers = staticBackends(pool.backends, pool.name).map((backend): RenderedServer => {
    const url = new URL(backend.origin);
    const https = url.protocol === 'https:';
    return { id: backend.id, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), address: `${url.hostname}:${url.port || (https ? 443 : 80)}`, https, weight: backend.weight, backup: backend.backup };
  });
  if (servers.length === 0) throw new RenderError(`pool ${pool.name} has no backends; a drop-in config needs static backends in every pool a route sends to`);
  return {
    name: pool.name,
    servers,
    policy: pool.policy,
    hashOn: pool.policy === 'consistent-hash' ? pool.hashOn : undefined,
    health: pool.healthCheck,
    retry: pool.retry,
    passive: pool.passiveHealth,
    protocol: pool.protocol,
    grpcIdempotent: pool.grpc.idempotentMethods,
    concurrency: pool.concurrency,
  };
}

/** How the pool balances, in words for a header: "round-robin", "least-outstanding", "consistent hash on cookie:user". */
export function policyWords(pool: RenderedPool): string {
  return pool.hashOn === undefined ? pool.policy : `consistent hash on ${pool.hashOn}`;
}

/** A duration both nginx and HAProxy read: whole seconds as "5s", anything else as "500ms". */
export function duration(ms: number): string {
  return ms % 1000 === 0 && ms > 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Milliseconds as a person reads them in a comment: 1 s, 500 ms. */
export function spoken(ms: number): string {
  return ms % 1000 === 0 && ms > 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Prefixes every line with "# " so a paragraph becomes a config comment for either target. */
export function commentBlock(lines: readonly string[]): string {
  return lines.map((line) => (line === '' ? '#' : `# ${line}`)).join('\n');
}
