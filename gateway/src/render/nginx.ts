// Renders the gateway's config as a complete nginx 1.22 (open source) configuration: one upstream per pool, the
// route table as maps (nginx-routes.ts), every default pinned, and a header that lists what nginx OSS cannot
// express. Paths are relative to the -p prefix.
import type { GatewayConfig } from '../config.js';
import { dropIn as readDropIn, type DropIn } from './drop-in.js';
import { nginxHeader } from './nginx-header.js';
import { cookieMaps } from './nginx-keys.js';
import { listenAddress } from './nginx-listen.js';
import { limitRequests, limitZones } from './nginx-rate-limits.js';
import { NGINX_DEFAULT_TLS_PORT, tlsServers, tlsSettings } from './nginx-tls.js';
import { UNCAPPED_REQUESTS_PER_CONNECTION, upstreamBlock } from './nginx-pool.js';
import { h2cServer, locationDirectives, nginxH2cPort } from './nginx-grpc.js';
import { routedServer, routeMaps, upstreamName } from './nginx-routes.js';
import { nginxAuthMap, nginxAuthRefusal } from './auth-closed.js';
import { nginxConnectionLimit, nginxConnectionZone } from './concurrency-limits.js';
import { commentBlock, duration, RenderError } from './pool-settings.js';

export const NGINX_DEFAULT_PORT = 8090;

export interface NginxRenderOptions {
  /** Traffic port; the listen host comes from the config's listen.host. */
  port?: number;
  /** TLS port, when the config enables tls; its host is tls.host or listen.host. */
  tlsPort?: number;
  /** Cleartext HTTP/2 (h2c) port, when the config sets http2.h2cPort; default that port plus ten. */
  h2cPort?: number;
}

/** The gateway's X-Request-Id rule: a client's id is kept only when it is a plain token of up to 128 characters. */
const SANE_REQUEST_ID = '^[A-Za-z0-9._:@/+=-]{1,128}$';
/** The one upstream of a single-pool config, named as before routes existed. */
const SINGLE_UPSTREAM = 'gateway_backends';

export function renderNginx(config: GatewayConfig, options: NginxRenderOptions = {}): string {
  const dropIn = readDropIn(config);
  const port = options.port ?? NGINX_DEFAULT_PORT;
  const { single, limits } = dropIn;
  checkUpstreamNames(dropIn);
  const upstreams = single ? [upstreamBlock(single, SINGLE_UPSTREAM, dropIn.proxy)] : dropIn.pools.map((pool) => upstreamBlock(pool, upstreamName(pool.name), dropIn.proxy));
  const zones = limitZones(dropIn, single === undefined);
  const routing = single ? `        location / {\n${locationDirectives(single, dropIn.proxy, SINGLE_UPSTREAM)}\n        }` : routedServer(dropIn);
  const body = `${nginxConnectionLimit(dropIn)}${nginxAuthRefusal(dropIn)}${limitRequests(dropIn)}${routing}`;
  const tls = dropIn.tls;
  const tlsPort = options.tlsPort ?? NGINX_DEFAULT_TLS_PORT;
  const h2cPort = dropIn.h2cPort === undefined ? undefined : options.h2cPort ?? nginxH2cPort(dropIn);

  return `${commentBlock(nginxHeader(dropIn, port, tlsPort, h2cPort))}

worker_processes auto;
pid nginx.pid;
error_log stderr notice;

events {
    worker_connections 4096;
}

http {
    # Relative to the -p prefix, so an unprivileged user can run this file from any directory.
    access_log ${dropIn.accessLog ? 'access.log' : 'off'};
    client_body_temp_path client_body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;

    # Client side: limits.* of the gateway config.
    client_header_timeout ${duration(limits.clientHeadersTimeoutMs)};
    keepalive_timeout ${duration(limits.clientKeepAliveTimeoutMs)};
    # The gateway does not cap requests per connection; nginx's default of 1000 would close busy
    # keep-alive connections under load, which clients see as resets the gateway never causes.
    keepalive_requests ${UNCAPPED_REQUESTS_PER_CONNECTION};
    large_client_header_buffers 4 ${Math.ceil(limits.maxHeaderBytes / 1024)}k;
    client_max_body_size ${limits.maxBodyBytes};

    # X-Request-Id: the client's id when it is a plain token, else one nginx generates.
    map $http_x_request_id $gateway_request_id {
        "~${SANE_REQUEST_ID}" $http_x_request_id;
        default $request_id;
    }
${cookieMaps(dropIn).map((map) => `\n${map}\n`).join('')}
${upstreams.join('\n\n')}
${single ? '' : `\n${routeMaps(dropIn)}\n`}${nginxAuthMap(dropIn)}${nginxConnectionZone(dropIn)}${zones === '' ? '' : `\n${zones}\n`}${tls ? `\n${tlsSettings(tls)}\n` : ''}
    server {
        listen ${listenAddress(dropIn.listenHost, port)};

${body}
    }
${h2cServer(dropIn, h2cPort, body)}${tls ? `\n${tlsServers(tls, tlsPort, body).join('\n\n')}\n` : ''}}
`;
}

/** nginx compares upstream names ignoring case; pools the gateway tells apart by case would become one. */
function checkUpstreamNames(dropIn: DropIn): void {
  const seen = new Map<string, string>();
  for (const pool of dropIn.pools) {
    const other = seen.get(pool.name.toLowerCase());
    if (other !== undefined) throw new RenderError(`pools ${other} and ${pool.name} differ only in case, which nginx upstream names ignore; rename one`);
    seen.set(pool.name.toLowerCase(), pool.name);
  }
}
