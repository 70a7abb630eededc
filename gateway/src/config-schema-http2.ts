// Configuration section for HTTP/2 from clients: ALPN h2 on the TLS listener, an optional h2c (prior knowledge)
// cleartext port, and the per-connection limits that bound what one client can make the gateway hold.
// Spread into the schema in config-schema.ts.
import { z } from 'zod';

/** As nginx (http2_max_concurrent_streams 128) and Node's own default: enough for a browser, small for a flood. */
export const DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS = 100;
/** Same as limits.maxHeaderBytes' default: an HTTP/2 client gets no more header room than an HTTP/1.1 one. */
export const DEFAULT_HTTP2_MAX_HEADER_LIST_BYTES = 16 * 1024;
/** Node's default: past this much buffered per connection (frames, headers, unsent data) new streams are refused. */
export const DEFAULT_HTTP2_MAX_SESSION_MEMORY_MB = 10;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number({ invalid_type_error: 'is not a number' }).int('is not an integer').min(min, `is not an integer >= ${min}`).max(max, `is not an integer <= ${max}`);

export const http2Sections = {
  http2: z
    .object({
      // On the TLS listener only; without it (or with proxy.engine reply-from) the listener speaks HTTP/1.1 alone.
      enabled: z.boolean({ invalid_type_error: 'is not true or false' }).default(true),
      // Unset: no h2c listener. On listen.host; speaks HTTP/2 only (prior knowledge, as curl --http2-prior-knowledge).
      h2cPort: int(0, 65535).optional(),
      maxConcurrentStreams: int(1, 2 ** 31 - 1).default(DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS),
      maxHeaderListBytes: int(1024, 1024 * 1024).default(DEFAULT_HTTP2_MAX_HEADER_LIST_BYTES),
      maxSessionMemoryMb: int(1, 1024).default(DEFAULT_HTTP2_MAX_SESSION_MEMORY_MB),
    })
    .strict()
    .default({}),
};

/** The h2c listener serves the raw request handler, which the reply-from engine (a Fastify route) does not use. */
export function checkHttp2(config: { http2: { h2cPort?: number | undefined }; proxy: { engine: string } }, ctx: z.RefinementCtx): void {
  if (config.http2.h2cPort !== undefined && config.proxy.engine === 'reply-from') {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['http2', 'h2cPort'], message: 'is supported with proxy.engine "undici" only' });
  }
}
