// Configuration keys of a pool that say how the gateway talks to its backends: the protocol (HTTP/1.1, HTTP/2
// over TLS or cleartext, gRPC), TLS towards https:// backends (CA, client certificate for mTLS, SNI), and the
// gRPC methods safe to call twice. Spread into the pool schema (config-schema-routing.ts); files checked by checkUpstream.
import { z } from 'zod';
import { loadUpstreamTls, UpstreamTlsError } from './pool/upstream-tls.js';

export const UPSTREAM_PROTOCOLS = ['http1', 'h2', 'h2c', 'grpc'] as const;
export type UpstreamProtocol = (typeof UPSTREAM_PROTOCOLS)[number];
export const DEFAULT_UPSTREAM_PROTOCOL: UpstreamProtocol = 'http1';
/** Streams one HTTP/2 connection carries at once (undici's pipelining); Node's h2 servers allow 100 by default. */
export const DEFAULT_STREAMS_PER_CONNECTION = 100;

const file = z.string({ invalid_type_error: 'is not a file path' }).min(1, 'is empty');

const upstreamTls = z
  .object({
    // Unset: the system's CAs (Node's bundled list) verify the backend.
    ca: file.optional(),
    // A client certificate and its key, sent to backends that ask for one (mTLS).
    cert: file.optional(),
    key: file.optional(),
    // Unset: the backend URL's host name (no SNI for an IP address, as TLS forbids).
    servername: z.string().regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/, 'is not a host name').optional(),
    rejectUnauthorized: z.boolean({ invalid_type_error: 'is not true or false' }).default(true),
  })
  .strict()
  .refine((tls) => (tls.cert === undefined) === (tls.key === undefined), { message: 'needs cert and key together (a client certificate and its key)', path: ['cert'] });

const grpcMethod = z.string().regex(/^\/[^/\s]+\/[^/\s]+$/, 'is not a gRPC method path like "/package.Service/Method"');

export const upstreamPoolKeys = {
  protocol: z.enum(UPSTREAM_PROTOCOLS, { errorMap: () => ({ message: `is not one of ${UPSTREAM_PROTOCOLS.join(', ')}` }) }).default(DEFAULT_UPSTREAM_PROTOCOL),
  streamsPerConnection: z.number({ invalid_type_error: 'is not a number' }).int('is not an integer').min(1, 'is not an integer >= 1').max(1000, 'is not an integer <= 1000').default(DEFAULT_STREAMS_PER_CONNECTION),
  tls: upstreamTls.optional(),
  grpc: z
    .object({
      // Calls of these methods may be sent again on another backend after they went out (never once response bytes did).
      idempotentMethods: z.array(grpcMethod, { invalid_type_error: 'is not a list of gRPC method paths' }).default([]),
    })
    .strict()
    .default({}),
};

interface UpstreamView {
  pools?: Record<string, { backends: { url: string }[]; protocol: UpstreamProtocol; tls?: z.infer<typeof upstreamTls> | undefined }>;
}

/** The checks a pool's keys need beyond their shapes: TLS files that load, backends whose scheme fits the protocol. */
export function checkUpstream(config: UpstreamView, ctx: z.RefinementCtx): void {
  for (const [name, pool] of Object.entries(config.pools ?? {})) {
    if (pool.tls !== undefined) {
      try {
        loadUpstreamTls(pool.tls);
      } catch (error) {
        if (!(error instanceof UpstreamTlsError)) throw error;
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['pools', name, 'tls', error.key], message: error.message });
      }
    }
    // h2 is negotiated by ALPN inside TLS; h2c is HTTP/2 in the clear with prior knowledge.
    const scheme = pool.protocol === 'h2' ? 'https:' : pool.protocol === 'h2c' ? 'http:' : undefined;
    pool.backends.forEach((backend, index) => {
      if (scheme !== undefined && new URL(backend.url).protocol !== scheme) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['pools', name, 'backends', index], message: `is not an ${scheme.slice(0, -1)}:// URL, which protocol ${pool.protocol} needs` });
      }
    });
  }
}
