// Registrations shared by many gateways through etcd: each is a key under the prefix bound to its own lease
// (TTL = registry.ttlMs), heartbeats through any gateway renew the lease, and every gateway watches the prefix.
// Losing etcd keeps the last known pool (the watch reconnects by itself); a restarted gateway rebuilds from etcd.
import { ExponentialBackoff } from 'cockatiel';
import { Etcd3, type IKeyValue, type Watcher } from 'etcd3';
import type { Logger } from '../observability/logger.js';
import { RegistryError, type Registration } from './registration.js';
import type { RegistryStore, StoreEvents } from './registry.js';

export interface EtcdStoreOptions {
  endpoints: string[];
  prefix: string;
  ttlMs: number;
}

/** Every etcd call gives up after this long, so a dead etcd answers 503 quickly instead of hanging an admin call. */
const CALL_TIMEOUT_MS = 2_000;
const RESYNC_BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000];
/** etcd3's default watch backoff grows to 30 s, so after an outage the pool could miss changes for that long. */
const WATCH_RECONNECT_MAX_MS = 1_000;

interface StoredRegistration extends Registration {
  /** Written just before a deliberate delete, so watchers tell a deregistration from an expiry. */
  leaving?: boolean;
}

export class EtcdStore implements RegistryStore {
  readonly source = 'etcd' as const;
  private readonly client: Etcd3;
  private watcher: Watcher | undefined;
  private readonly heartbeats = new Map<string, number>();
  private readonly leaving = new Set<string>();
  private syncTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private connected = false;

  constructor(
    private readonly options: EtcdStoreOptions,
    private readonly events: StoreEvents,
    private readonly log: Logger,
  ) {
    this.client = new Etcd3({
      hosts: options.endpoints,
      dialTimeout: CALL_TIMEOUT_MS,
      faultHandling: { watchBackoff: new ExponentialBackoff({ maxDelay: WATCH_RECONNECT_MAX_MS }).next() },
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + CALL_TIMEOUT_MS }),
    });
  }

  /** Loads what etcd holds, then watches for changes; retries with backoff while etcd is unreachable. */
  start(attempt = 0): void {
    if (this.closed) return;
    void this.sync().then(
      () => undefined,
      (error: unknown) => {
        if (this.closed) return;
        const delay = RESYNC_BACKOFF_MS[Math.min(attempt, RESYNC_BACKOFF_MS.length - 1)]!;
        this.log.error({ err: errorText(error), endpoints: this.options.endpoints, retryInMs: delay }, 'etcd unreachable: registry not loaded, keeping the current pool');
        this.syncTimer = setTimeout(() => this.start(attempt + 1), delay);
        this.syncTimer.unref();
      },
    );
  }

  private async sync(): Promise<void> {
    const response = await this.client.getAll().prefix(this.options.prefix).exec();
    for (const kv of response.kvs) this.applyPut(kv);
    const watcher = await this.client.watch().prefix(this.options.prefix).startRevision(String(BigInt(response.header.revision) + 1n)).create();
    if (this.closed) return void (await watcher.cancel());
    this.watcher = watcher;
    this.connected = true;
    this.log.info({ endpoints: this.options.endpoints, backends: response.kvs.length }, 'etcd registry loaded and watched');
    watcher.on('put', (kv) => this.applyPut(kv));
    watcher.on('delete', (kv) => this.applyDelete(kv));
    watcher.on('disconnected', (error) => {
      if (!this.connected) return;
      this.connected = false;
      this.log.error({ err: errorText(error) }, 'etcd connection lost: keeping the last known pool, reconnecting');
    });
    watcher.on('connected', () => {
      if (this.connected) return;
      this.connected = true;
      this.log.warn('etcd connection restored: watching registrations again');
    });
  }

  async put(id: string, registration: Registration): Promise<boolean> {
    const key = this.key(id);
    return this.call(async () => {
      const existing = (await this.client.get(key).exec()).kvs[0];
      const value = JSON.stringify(registration);
      if (existing && existing.lease !== '0' && (await this.keepAlive(existing.lease))) {
        await this.client.put(key).value(value).lease(existing.lease).exec();
        this.heartbeats.set(id, Date.now());
        return false;
      }
      await this.client.lease(Math.max(2, Math.ceil(this.options.ttlMs / 1000)), { autoKeepAlive: false }).put(key).value(value).exec();
      this.heartbeats.set(id, Date.now());
      return true;
    });
  }

  async renew(id: string): Promise<boolean> {
    return this.call(async () => {
      const existing = (await this.client.get(this.key(id)).exec()).kvs[0];
      if (!existing || existing.lease === '0' || !(await this.keepAlive(existing.lease))) return false;
      this.heartbeats.set(id, Date.now());
      return true;
    });
  }

  async delete(id: string): Promise<boolean> {
    const key = this.key(id);
    return this.call(async () => {
      const existing = (await this.client.get(key).exec()).kvs[0];
      if (!existing) return false;
      const marked: StoredRegistration = { ...(JSON.parse(existing.value.toString()) as Registration), leaving: true };
      await this.client.put(key).value(JSON.stringify(marked)).lease(existing.lease).exec();
      await this.client.delete().key(key).exec();
      this.heartbeats.delete(id);
      return true;
    });
  }

  lastHeartbeat(id: string): number | undefined {
    return this.heartbeats.get(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.syncTimer);
    await this.watcher?.cancel().catch(() => undefined);
    this.client.close();
  }

  /** One keep-alive round trip; false when etcd says the lease is gone (TTL 0). */
  private async keepAlive(leaseId: string): Promise<boolean> {
    const stream = await this.client.leaseClient.leaseKeepAlive();
    try {
      const response = await new Promise<{ TTL: string }>((resolve, reject) => {
        stream.on('data', resolve);
        stream.on('error', reject);
        stream.write({ ID: leaseId });
      });
      return Number(response.TTL) > 0;
    } finally {
      stream.end();
    }
  }

  private applyPut(kv: IKeyValue): void {
    const id = kv.key.toString().slice(this.options.prefix.length);
    let stored: StoredRegistration;
    try {
      stored = JSON.parse(kv.value.toString()) as StoredRegistration;
    } catch {
      this.log.warn({ key: kv.key.toString() }, 'etcd registry key holds no JSON registration; ignored');
      return;
    }
    if (stored.leaving) {
      this.leaving.add(id);
      return;
    }
    this.leaving.delete(id);
    // Written before pools existed, a registration has no pool: it is the default one.
    this.events.upsert(id, { url: stored.url, weight: stored.weight, backup: stored.backup, meta: stored.meta ?? {}, pool: (stored as Partial<Registration>).pool ?? 'default' });
  }

  private applyDelete(kv: IKeyValue): void {
    const id = kv.key.toString().slice(this.options.prefix.length);
    this.heartbeats.delete(id);
    if (this.leaving.delete(id)) this.events.deleted(id);
    else this.events.expired(id);
  }

  private key(id: string): string {
    return this.options.prefix + id;
  }

  /** Runs an etcd call with a deadline; any failure is a 503 for the admin client, and nothing changed. */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
    });
    try {
      return await Promise.race([work(), timeout]);
    } catch (error) {
      throw new RegistryError(503, 'registry_unavailable', `etcd is unreachable (${errorText(error)}); the pool is unchanged, retry shortly`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
