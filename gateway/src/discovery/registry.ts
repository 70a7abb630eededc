// The self-registration registry: backends announce themselves (POST), keep announcing (heartbeats) and leave
// (DELETE, drained first) or vanish when their TTL runs out. Where registrations live is a RegistryStore:
// this process (ttl-store.ts) or etcd shared by many gateways (etcd.ts); both report back through StoreEvents.
import { createBackend, type BackendSource } from '../pool/backend.js';
import type { PoolSet } from '../pool/pool-set.js';
import { parseRegistration, pointsAt, registrationId, RegistryError, type Listener, type Registration } from './registration.js';

/** How long an expired backend stays visible in /pool as `expired`. */
const EXPIRED_VISIBLE_MS = 60_000;
const DRAIN_POLL_MS = 50;

/** What a store tells the registry; every gateway applies the same events, so their pools agree. */
export interface StoreEvents {
  upsert(id: string, registration: Registration): void;
  /** The registration's TTL (or etcd lease) ran out. */
  expired(id: string): void;
  /** The registration was deleted on purpose (possibly through another gateway). */
  deleted(id: string): void;
}

export interface RegistryStore {
  readonly source: BackendSource;
  /** Stores a registration and starts its TTL; resolves true when it was not there before. */
  put(id: string, registration: Registration): Promise<boolean>;
  /** Renews the TTL; false when the registration is unknown or already expired. */
  renew(id: string): Promise<boolean>;
  /** Forgets the registration; false when it was not there. */
  delete(id: string): Promise<boolean>;
  /** When this gateway last heard a heartbeat for it (epoch ms). */
  lastHeartbeat(id: string): number | undefined;
  close(): Promise<void>;
}

export interface RegistryOptions {
  ttlMs: number;
  maxBackends: number;
  drainTimeoutMs: number;
  /** The gateway's own listeners, read at call time (ports may be chosen at listen). */
  listeners: () => Listener[];
}

export interface ExpiredEntry {
  id: string;
  url: string;
  pool: string;
  at: number;
}

export class Registry implements StoreEvents {
  private store: RegistryStore | undefined;
  private readonly expiredEntries = new Map<string, ExpiredEntry>();
  /** Deregistered backends finishing their in-flight requests, with the timer that ends the wait. */
  private readonly draining = new Map<string, NodeJS.Timeout | undefined>();

  constructor(
    readonly options: RegistryOptions,
    private readonly pools: PoolSet,
  ) {}

  /** The store is attached after construction because it reports back into this registry. */
  attach(store: RegistryStore): void {
    this.store = store;
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  async register(body: unknown, actor: string): Promise<{ id: string; ttlMs: number; created: boolean }> {
    const store = this.requireStore();
    const registration = parseRegistration(body);
    if (pointsAt(registration.url, this.options.listeners())) {
      throw new RegistryError(400, 'invalid_registration', `url: ${registration.url} is this gateway's own listener (requests would loop)`, 'url');
    }
    const pool = this.pools.get(registration.pool);
    if (!pool) throw new RegistryError(400, 'invalid_registration', `pool: "${registration.pool}" is not a pool of this gateway (${this.pools.names.join(', ')})`, 'pool');
    const id = registrationId(registration.url);
    const existing = this.pools.find(id);
    if (existing && existing.member.backend.source !== store.source) {
      throw new RegistryError(409, 'id_taken', `${id} is already in pool ${existing.pool.name} as a ${existing.member.backend.source} backend`);
    }
    if (existing && existing.pool !== pool) {
      throw new RegistryError(409, 'id_taken', `${id} is registered in pool ${existing.pool.name}; deregister it there first`);
    }
    const sameOrigin = [...this.pools.members()].find((member) => member.backend.origin === registration.url && member.id !== id);
    if (sameOrigin) throw new RegistryError(409, 'already_in_pool', `${registration.url} is already in pool ${sameOrigin.backend.pool} as ${sameOrigin.id} (${sameOrigin.backend.source})`);
    if (!existing && pool.size >= this.options.maxBackends) {
      throw new RegistryError(409, 'pool_full', `pool ${pool.name} already holds ${pool.size} backends (registry.maxBackends is ${this.options.maxBackends})`);
    }
    this.stopDraining(id, `registered again by ${actor}`, actor);
    const created = await store.put(id, registration);
    this.upsert(id, registration, actor);
    return { id, ttlMs: this.options.ttlMs, created };
  }

  heartbeat(id: string): Promise<boolean> {
    return this.requireStore().renew(id);
  }

  /** Takes the backend out of rotation at once and removes it when its in-flight requests are done. */
  async deregister(id: string, actor: string): Promise<{ id: string; inFlight: number } | undefined> {
    const store = this.requireStore();
    const found = this.pools.find(id);
    if (!found || found.member.backend.source !== store.source || this.draining.has(id)) return undefined;
    const { pool, member } = found;
    // Marked before the store deletes, so the store's own delete event does not remove it undrained.
    this.draining.set(id, undefined);
    pool.loadBalancer.setDraining(id, true, `deregistered by ${actor}`, actor);
    await store.delete(id).catch((error: unknown) => {
      this.stopDraining(id, 'deregistration failed: the registry store is unreachable', actor);
      throw error;
    });
    const deadline = Date.now() + this.options.drainTimeoutMs;
    const poll = () => {
      const current = pool.get(id);
      if (current !== member || !this.draining.has(id)) return;
      if (member.inFlight > 0 && Date.now() < deadline) {
        this.draining.set(id, setTimeout(poll, DRAIN_POLL_MS).unref());
        return;
      }
      this.draining.delete(id);
      const reason = member.inFlight > 0 ? `deregistered; drain timed out with ${member.inFlight} in flight` : 'deregistered; drained';
      pool.remove(id, reason, actor);
    };
    poll();
    return { id, inFlight: member.inFlight };
  }

  isDeregistering(id: string): boolean {
    return this.draining.has(id);
  }

  lastHeartbeat(id: string): number | undefined {
    return this.store?.lastHeartbeat(id);
  }

  /** Backends whose TTL ran out recently, for /pool. */
  recentlyExpired(): ExpiredEntry[] {
    const cutoff = Date.now() - EXPIRED_VISIBLE_MS;
    for (const [id, entry] of this.expiredEntries) if (entry.at < cutoff) this.expiredEntries.delete(id);
    return [...this.expiredEntries.values()];
  }

  upsert(id: string, registration: Registration, actor: string = this.store?.source ?? 'registry'): void {
    this.expiredEntries.delete(id);
    // A registration (from etcd: maybe by another gateway) for a pool this gateway does not have is not its to serve.
    const pool = this.pools.get(registration.pool);
    if (!pool) return;
    const backend = createBackend({ id, url: registration.url, weight: registration.weight, backup: registration.backup }, this.store?.source ?? 'registry', pool.name);
    pool.add(backend, actor);
  }

  deleted(id: string): void {
    if (this.draining.has(id)) return;
    this.pools.find(id)?.pool.remove(id, 'deregistered through another gateway', 'etcd');
  }

  async close(): Promise<void> {
    for (const timer of this.draining.values()) clearTimeout(timer);
    this.draining.clear();
    await this.store?.close();
  }

  expired(id: string): void {
    const found = this.pools.find(id);
    if (!found || this.draining.has(id)) return;
    this.expiredEntries.set(id, { id, url: found.member.backend.origin, pool: found.pool.name, at: Date.now() });
    found.pool.remove(id, `ttl expired: no heartbeat for ${this.options.ttlMs / 1000} s`, 'ttl');
  }

  private stopDraining(id: string, reason: string, actor: string): void {
    if (!this.draining.has(id)) return;
    clearTimeout(this.draining.get(id));
    this.draining.delete(id);
    this.pools.find(id)?.pool.loadBalancer.setDraining(id, false, reason, actor);
  }

  private requireStore(): RegistryStore {
    if (!this.store) throw new Error('registry has no store attached');
    return this.store;
  }
}
