// The one Redis connection of a gateway's rate limits, and the outage it can be in. Commands are never queued
// while disconnected and time out after redis.timeoutMs, so a request learns within that time that Redis cannot
// count it. The outage is logged when the first request meets it and when Redis is back, not per request;
// ioredis reconnects by itself, and shared counting resumes with the first command after it has.
import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

export interface RedisSettings {
  url: string;
  timeoutMs: number;
  keyPrefix: string;
}

/** Reconnect quickly at first, then at most once a second. */
const RECONNECT_MAX_MS = 1_000;

export class RedisStore {
  readonly client: Redis;
  private down = false;

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
    this.client.on('ready', () => {
      if (!this.down) return;
      this.down = false;
      this.log.info({ redis: settings.url }, 'redis reachable again: rate limits are shared again');
    });
  }

  /** Called by each request Redis could not count; logs the first of an outage. */
  outage(route: string, behaviour: 'failOpen' | 'failClosed', error: unknown): void {
    if (this.down) return;
    this.down = true;
    const reason = error instanceof Error ? error.message : String(error);
    const then = behaviour === 'failOpen' ? 'counting in each gateway alone (failOpen)' : 'answering 503 (failClosed)';
    this.log.warn({ redis: this.settings.url, route, reason }, `redis unreachable: rate-limited routes are ${then} until it is back`);
  }

  /** Same server and settings: the connection can stay across a reload. */
  sameAs(settings: RedisSettings): boolean {
    return this.settings.url === settings.url && this.settings.timeoutMs === settings.timeoutMs && this.settings.keyPrefix === settings.keyPrefix;
  }

  close(): void {
    this.client.disconnect();
  }
}
