// DNS discovery: each configured name is re-resolved every dns.intervalMs and its records become pool members.
// `http://name:port` is resolved as A and AAAA (each address one backend on that port); `_http._tcp.name` as SRV
// (target:port, targets resolved to addresses). Members that stay keep their health; a failed lookup keeps them.
import { Resolver } from 'node:dns/promises';
import { createBackend } from '../pool/backend.js';
import type { Logger } from '../observability/logger.js';
import type { UpstreamPool } from '../pool/upstream-pool.js';

export interface DnsOptions {
  names: string[];
  intervalMs: number;
  /** DNS servers as `ip` or `ip:port`; empty means the system's resolvers. */
  servers: string[];
}

/** Per-query timeout: a lookup must end well within the interval. */
const LOOKUP_TIMEOUT_MS = 1_000;
/** These mean "no such records": the members really went away. Anything else keeps the last answer. */
const EMPTY_ANSWER_CODES = new Set(['ENOTFOUND', 'ENODATA']);

interface Target {
  scheme: 'http' | 'https';
  host: string;
  port: number;
}

export class DnsDiscovery {
  private readonly resolver = new Resolver({ timeout: LOOKUP_TIMEOUT_MS, tries: 2 });
  /** The backend ids each name produced last time. */
  private readonly current = new Map<string, Set<string>>();
  /** Names whose last lookup failed, with the error code: a failing server is logged once, not every round. */
  private readonly failing = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly options: DnsOptions,
    private readonly pool: UpstreamPool,
    private readonly log: Logger,
  ) {
    if (options.servers.length > 0) this.resolver.setServers(options.servers);
  }

  /** Resolves every name now, then again every interval (the next round starts after this one ends). */
  start(): void {
    const round = async () => {
      await Promise.all(this.options.names.map((name) => this.refresh(name)));
      if (!this.closed) this.timer = setTimeout(() => void round(), this.options.intervalMs).unref();
    };
    void round();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.resolver.cancel();
  }

  /** One lookup of one name, applied to the pool as additions and removals. */
  async refresh(name: string): Promise<void> {
    let targets: Target[];
    try {
      targets = await this.resolve(name);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      if (!EMPTY_ANSWER_CODES.has(code)) {
        if (!this.closed && this.failing.get(name) !== code) this.log.warn({ name, code }, `DNS lookup of ${name} failed (${code}): keeping its ${this.current.get(name)?.size ?? 0} backend(s)`);
        this.failing.set(name, code);
        return;
      }
      targets = [];
    }
    if (this.closed) return;
    if (this.failing.delete(name)) this.log.info({ name }, `DNS lookup of ${name} works again`);
    const seen = new Set<string>();
    for (const target of targets) {
      const origin = new URL(`${target.scheme}://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`).origin;
      const id = backendId(name, target);
      seen.add(id);
      this.pool.add(createBackend({ id, url: origin, weight: 1, backup: false }, 'dns', this.pool.name), 'dns');
    }
    for (const id of this.current.get(name) ?? []) {
      if (!seen.has(id)) this.pool.remove(id, `no longer in DNS for ${name}`, 'dns');
    }
    this.current.set(name, seen);
  }

  private async resolve(name: string): Promise<Target[]> {
    const srv = /^_(https?)\._tcp\./.exec(name);
    if (name.startsWith('_')) {
      const scheme = srv?.[1] === 'https' ? 'https' : 'http';
      const records = await this.resolver.resolveSrv(name);
      const hosts = await Promise.all(records.map(async (record) => (await this.addresses(record.name)).map((host) => ({ scheme, host, port: record.port }) as Target)));
      return hosts.flat();
    }
    const url = new URL(name);
    const scheme = url.protocol === 'https:' ? 'https' : 'http';
    const port = Number(url.port || (scheme === 'https' ? 443 : 80));
    return (await this.addresses(url.hostname)).map((host) => ({ scheme, host, port }));
  }

  /** A and AAAA together; a name with only one of them is fine, with neither it is "no records". */
  private async addresses(host: string): Promise<string[]> {
    const [v4, v6] = await Promise.allSettled([this.resolver.resolve4(host), this.resolver.resolve6(host)]);
    const found = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    if (found.length > 0) return found;
    const failure = [v4, v6].find((result): result is PromiseRejectedResult => result.status === 'rejected' && !EMPTY_ANSWER_CODES.has((result.reason as NodeJS.ErrnoException).code ?? ''));
    throw failure?.reason ?? Object.assign(new Error(`${host} has no A or AAAA records`), { code: 'ENODATA' });
  }
}

/** Stable per record, so a record that stays keeps its member: `api.internal-10.0.0.5-8080`. */
function backendId(name: string, target: Target): string {
  const base = name.replace(/^https?:\/\//, '').replace(/:\d+$/, '').replace(/^_https?\._tcp\./, '');
  return `${base}-${target.host}-${target.port}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
}
