// gRPC and HTTP/2 pools for HAProxy 2.6: servers of a gRPC or h2c pool speak HTTP/2 with prior knowledge
// (`proto h2`), TLS ones offer ALPN h2; the gateway's h2c port becomes a `bind … proto h2` on the traffic frontend.
// httpchk cannot speak grpc.health.v1, so a gRPC pool's check is a TCP connect (TLS handshake for ssl servers).
import type { DropIn } from './drop-in.js';
import { grpcListeners } from './header-lines.js';
import type { RenderedPool, RenderedServer } from './pool-settings.js';

/** The h2c port of the HAProxy drop-in: the gateway's h2cPort plus eleven, as its cleartext and TLS ports are. */
export const HAPROXY_H2C_OFFSET = 11;

/** Server options that choose HTTP/2 to the backend: prior knowledge in cleartext, ALPN over TLS. */
export function serverProtocol(pool: RenderedPool, server: RenderedServer): string {
  if (pool.protocol === 'http1') return '';
  if (server.https) return pool.protocol === 'h2c' ? '' : ' alpn h2';
  return pool.protocol === 'h2' ? '' : ' proto h2';
}

/** Health-check options of an HTTP/2 pool's servers: its httpchk goes over HTTP/2 too (a gRPC pool has no httpchk). */
export function checkProtocol(pool: RenderedPool): string {
  if (pool.protocol !== 'h2' && pool.protocol !== 'h2c') return '';
  return pool.protocol === 'h2c' ? ' check-proto h2' : ' check-alpn h2';
}

/** The frontend's bind for the gateway's h2c port, indented as its other lines; nothing when there is none. */
export function h2cBind(dropIn: DropIn, port: number | undefined): string {
  return port === undefined ? '' : `    # The gateway's h2c port (http2.h2cPort): HTTP/2 with prior knowledge, where gRPC clients without TLS connect.\n    bind ${dropIn.listenHost}:${port} proto h2\n`;
}

/** The default h2c port for the rendered file, from the gateway's. */
export function haproxyH2cPort(dropIn: DropIn): number | undefined {
  return dropIn.h2cPort === undefined || dropIn.h2cPort === 0 ? undefined : dropIn.h2cPort + HAPROXY_H2C_OFFSET;
}

/** The retry-on conditions and the idempotent ACL of a gRPC pool: every call is a POST, so the method says nothing. */
export function grpcRetryLines(pool: RenderedPool): string[] {
  const idempotent = pool.grpcIdempotent;
  return [
    '    # gRPC: a call is resent on another server when the connection failed; after it went out only for grpc.idempotentMethods.',
    '    retry-on conn-failure empty-response response-timeout',
    ...(idempotent.length > 0 ? [`    acl idempotent path -m str ${idempotent.join(' ')}`, '    http-request disable-l7-retry unless idempotent'] : ['    http-request disable-l7-retry']),
  ];
}

/** What HAProxy does differently for gRPC pools, for the file header. */
export function haproxyGrpcLines(dropIn: DropIn, h2cPort: number | undefined): string[] {
  const grpc = dropIn.pools.filter((pool) => pool.protocol === 'grpc');
  if (grpc.length === 0) return [];
  return [
    `- gRPC pool ${grpc.map((pool) => pool.name).join(', ')}: servers speak HTTP/2 (proto h2, or ALPN h2 over TLS); clients reach it over HTTP/2 only,`,
    `  here ${grpcListeners(dropIn, h2cPort)}.`,
    '  Health: option httpchk cannot speak grpc.health.v1.Health/Check, so the check is a TCP connect: a Greeter that is up',
    '  but NOT_SERVING stays in rotation. Passive ejection counts HTTP errors, not grpc-status UNAVAILABLE.',
    '  A call with no server up answers HTTP 503 (502/504 on a failure/timeout), which gRPC clients read as UNAVAILABLE;',
    '  grpc-timeout is not read ("timeout server" bounds each silence), and gateway_grpc_requests_total has no equivalent.',
    '  A call resent for grpc.idempotentMethods must fit one buffer (16 kB), as for any HAProxy layer-7 retry.',
  ];
}
