// The target-neutral view of a gateway config that the nginx and HAProxy renderers share: the backends as
// host:port with weight and backup, and every timeout, retry and health setting in milliseconds.
import { staticBackends } from '../pool/backend.js';
import type { GatewayConfig } from '../config.js';

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

export interface PoolSettings {
  readonly servers: readonly RenderedServer[];
  readonly listenHost: string;
  /** log.access: one line per request. */
  readonly accessLog: boolean;
  readonly health: GatewayConfig['healthCheck'];
  readonly proxy: GatewayConfig['proxy'];
  readonly retry: GatewayConfig['retry'];
  readonly passive: GatewayConfig['passiveHealth'];
  readonly limits: GatewayConfig['limits'];
}

/** Thrown when the pool cannot be written for a target at all (not merely approximated). */
export class RenderError extends Error {
  override name = 'RenderError';
}

export function poolSettings(config: GatewayConfig): PoolSettings {
  const servers = staticBackends(config.backends, 'default').map((backend): RenderedServer => {
    const url = new URL(backend.origin);
    const https = url.protocol === 'https:';
    return { id: backend.id, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), address: `${url.hostname}:${url.port || (https ? 443 : 80)}`, https, weight: backend.weight, backup: backend.backup };
  });
  if (servers.length === 0) throw new RenderError('the config has no backends; a static pool is needed to render a drop-in config');
  return {
    servers,
    listenHost: config.listen.host,
    accessLog: config.log.access,
    health: config.healthCheck,
    proxy: config.proxy,
    retry: config.retry,
    passive: config.passiveHealth,
    limits: config.limits,
  };
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
