// gRPC and HTTP/2 pools for nginx 1.22: a gRPC pool's location uses grpc_pass (grpcs:// to TLS backends) with
// the pool's timeouts and connect-failure retries; the gateway's h2c port becomes a cleartext `listen … http2`
// server (prior knowledge), since nginx serves gRPC only over HTTP/2. Other pools keep proxy_pass (nginx-pool.ts).
import type { DropIn } from './drop-in.js';
import { listenAddress } from './nginx-listen.js';
import { proxyDirectives, upstreamScheme } from './nginx-pool.js';
import { grpcListeners } from './header-lines.js';
import { duration, type RenderedPool } from './pool-settings.js';

/** The h2c port of the nginx drop-in: the gateway's h2cPort plus ten, as its cleartext and TLS ports are. */
export const NGINX_H2C_OFFSET = 10;

/** The directives of a location that sends to `upstream`; `uri` is the path variable a routed location sends. */
export function locationDirectives(pool: RenderedPool, proxy: DropIn['proxy'], upstream: string, uri = ''): string {
  if (pool.protocol !== 'grpc') return proxyDirectives(pool, proxy, `${upstream}${uri}`);
  // grpc_pass takes no URI: the path the backend sees is the location's, so a routed location rewrites it back.
  const rewrite = uri === '' ? '' : `            rewrite ^ ${uri} break;\n`;
  return `${rewrite}            grpc_pass ${upstreamScheme(pool) === 'https' ? 'grpcs' : 'grpc'}://${upstream};
            grpc_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            grpc_set_header X-Forwarded-Proto $scheme;
            grpc_set_header X-Forwarded-Host $http_host;
            grpc_set_header X-Request-Id $gateway_request_id;

            grpc_connect_timeout ${duration(proxy.connectTimeoutMs)};
            grpc_send_timeout ${duration(proxy.headersTimeoutMs)};
            grpc_read_timeout ${duration(proxy.headersTimeoutMs)};

            # Every gRPC call is a POST, which nginx resends only when nothing reached the backend (a connect failure).
            grpc_next_upstream error timeout;
            grpc_next_upstream_tries ${pool.retry.retries + 1};
            grpc_next_upstream_timeout ${duration(pool.retry.tryDurationMs)};`;
}

/** The cleartext HTTP/2 server for the gateway's h2c port, holding `body`; nothing when the gateway has none. */
export function h2cServer(dropIn: DropIn, port: number | undefined, body: string): string {
  if (port === undefined) return '';
  return `
    # The gateway's h2c port (http2.h2cPort): HTTP/2 with prior knowledge, where gRPC clients without TLS connect.
    server {
        listen ${listenAddress(dropIn.listenHost, port)} http2;

${body}
    }
`;
}

/** The default h2c port for the rendered file, from the gateway's. */
export function nginxH2cPort(dropIn: DropIn): number | undefined {
  return dropIn.h2cPort === undefined || dropIn.h2cPort === 0 ? undefined : dropIn.h2cPort + NGINX_H2C_OFFSET;
}

/** What nginx does differently for gRPC and HTTP/2 pools, for the file header. */
export function nginxGrpcLines(dropIn: DropIn, h2cPort: number | undefined): string[] {
  const lines: string[] = [];
  const grpc = dropIn.pools.filter((pool) => pool.protocol === 'grpc');
  if (grpc.length > 0) {
    const names = grpc.map((pool) => pool.name).join(', ');
    lines.push(
      `- gRPC pool ${names}: grpc_pass, served over HTTP/2 only (${grpcListeners(dropIn, h2cPort)}).`,
      '  Health: nginx OSS cannot speak grpc.health.v1.Health/Check (nor any active check); a backend is found dead by live calls only.',
      '  A failed call answers HTTP 502 (504 on a timeout), which gRPC clients read as UNAVAILABLE, not a gRPC status of its own;',
      '  grpc-timeout is not read (grpc_read_timeout bounds each silence instead), and gateway_grpc_requests_total has no equivalent.',
    );
    const idempotent = grpc.filter((pool) => pool.grpcIdempotent.length > 0);
    lines.push(
      '  Retries: grpc_next_upstream error timeout resends a call only when nothing was sent (connect failure or timeout), as the',
      '  gateway does for non-idempotent methods; a reset or timeout after the call went out ends it, where the gateway',
      idempotent.length > 0
        ? `  would retry the idempotent methods of pool ${idempotent.map((pool) => `${pool.name} (${pool.grpcIdempotent.join(', ')})`).join(', ')} on another backend.`
        : '  would retry methods listed in grpc.idempotentMethods (none are listed here).',
    );
  }
  const h2 = dropIn.pools.filter((pool) => pool.protocol === 'h2' || pool.protocol === 'h2c');
  if (h2.length > 0) lines.push(`- protocol h2/h2c (pool ${h2.map((pool) => pool.name).join(', ')}): nginx OSS proxies HTTP/1.1 to backends, never HTTP/2; a backend that speaks only HTTP/2 fails.`);
  return lines;
}
