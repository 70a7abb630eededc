// The one Redis connection of a gateway's rate limits, and the outage it can be in. Commands are never queued
// while disconnected and time out after redis.timeoutMs, so a request learns within that time that Redis cannot
// count it. The outage is logged when the first request meets it and when Redis is back, not per request.
// ioredis reconnects by itself; a PING every second during an outage notices the end of one that closed the
// connection and of one that only stopped answering (a frozen server) alike.
import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

export interface RedisSettings {
  url: string;
  timeoutMs: number;
  keyPrefix: string;
}

/** Reconnect quickly at first, then at most once a second. */
const RECONNECT_MAX_MS = 1_000;
const RECOVERY_PING_MS = 1_000;

export class RedisStore {
  readonly client: Redis;
  /** Set during an outage: the PING that ends it. */
  private recovery: NodeJS.Timeout | undefined;

  constructor(
    readonly settings: RedisSettings,
    private readonly log: Logger,
  ) {
    this.client = new Redis(settings.url, {
      enableOfflineQueue: false,
      commandTimeout: settings.timeoutMs,
      connectTimeout: Math.max(settings.timeoutMs, 1_000),
      maxRetriesPerRequest: 0,
      retryStrategy: (times) => Math.min(times * 100, RECONNECT_MAX_MS),
    });
    // Without a listener ioredis prints every failed reconnect; the outage is logged once by outage().
    this.client.on('error', () => {});
  }

  /** Called by each request Redis could not count; logs the first of an outage. */
  outage(route: string, behaviour: 'failOpen' | 'failClosed', error: unknown): void {
    if (this.recovery !== undefined) return;
    this.recovery = setInterval(() => this.ping(), RECOVERY_PING_MS).unref();
    const reason = error instanceof Error ? error.message : String(error);
    const then = behaviour === 'failOpen' ? 'counting in each gateway alone (failOpen)' : 'answering 503 (failClosed)';
    this.log.warn({ redis: this.settings.url, route, reason }, `redis unreachable: rate-limited routes are ${then} until it is back`);
  }

  /** Same server and settings: the connection can stay across a reload. */
  sameAs(settings: RedisSettings): boolean {
    return this.settings.url === settings.url && this.settings.timeoutMs === settings.timeoutMs && this.settings.keyPrefix === settings.keyPrefix;
  }

  close(): void {
    clearInterval(this.recovery);
    this.client.disconnect();
  }

  private ping(): void {
    this.client.ping().then(() => {
      if (this.recovery === undefined) return;
      clearInterval(this.recovery);
      this.recovery = undefined;
      this.log.info({ redis: this.settings.url }, 'redis reachable again: rate limits are shared again');
    }, () => {});
  }
}
