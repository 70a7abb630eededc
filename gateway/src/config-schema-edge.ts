// Configuration sections for the edge, shared by every route: the proxies whose X-Forwarded-For is believed
// (rate limits keyed by client-ip read the client's address through them), and the Redis that routes with
// rateLimit.store "redis" share their counts in.
import { isIP } from 'node:net';
import { z } from 'zod';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** A Redis command slower than this counts as Redis being down: the route's redisDown behaviour answers instead. */
export const DEFAULT_REDIS_TIMEOUT_MS = 200;
export const DEFAULT_REDIS_KEY_PREFIX = 'gateway:rl';

/** `10.0.0.7`, `::1`, `10.0.0.0/8` or `fd00::/8`. */
const ipOrCidr = z.string({ invalid_type_error: 'is not a string' }).refine((value) => {
  const [address, bits, extra] = value.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d+$/.test(bits) && prefix <= (family === 4 ? 32 : 128);
}, 'is not an IP address or CIDR block');

const redisUrl = z.string({ invalid_type_error: 'is not a string' }).refine((value) => URL.canParse(value) && ['redis:', 'rediss:'].includes(new URL(value).protocol), 'is not a redis:// or rediss:// URL');

export const edgeSections = {
  /** Peers whose X-Forwarded-For is read for the client's address; empty: the socket's address, always. */
  trustedProxies: z.array(ipOrCidr, { invalid_type_error: 'is not a list of IP addresses or CIDR blocks' }).default([]),
  redis: z
    .object({
      url: redisUrl.default(DEFAULT_REDIS_URL),
      timeoutMs: z.number({ invalid_type_error: 'is not a number' }).int('is not an integer').min(1, 'is not an integer >= 1').default(DEFAULT_REDIS_TIMEOUT_MS),
      keyPrefix: z.string({ invalid_type_error: 'is not a string' }).min(1, 'is empty').default(DEFAULT_REDIS_KEY_PREFIX),
    })
    .strict()
    .default({}),
};
