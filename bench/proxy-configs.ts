// Minimal nginx and HAProxy configs (`--proxy-configs minimal`): round-robin over the same backends as the
// gateway with upstream keep-alive, no access logs and one worker/thread, and nothing else: the floor of what a
// proxy costs. Also the fixed-cost nginx backends. The default configs come from the renderer (rendered-configs.ts).

export interface ProxyConfigInput {
  /** Directory for pid, logs and temp files (nginx runs with -p DIR, unprivileged paths only). */
  dir: string;
  /** 127.0.0.1 port the proxy listens on. */
  port: number;
  /** A free port for HAProxy's stats listener (rendered configs have one). */
  statsPort: number;
  /** Backend origins, e.g. http://127.0.0.1:3001. */
  backends: readonly string[];
  /** Rendered configs only: GATEWAY_* variables beside the pool's (TLS certificates, gRPC pools and routes). */
  env?: Record<string, string>;
  /** Rendered configs only: ports for the TLS listener and the h2c port, when the gateway config has them. */
  tlsPort?: number;
  h2cPort?: number;
}

export type ProxyKind = 'nginx' | 'haproxy';
/** Produces the config file text for one proxy: minimal or rendered. */
export type ProxyConfigSource = (kind: ProxyKind, input: ProxyConfigInput) => Promise<string>;

/** Keep-alive sockets nginx may park per worker towards the backends (like the gateway's pool). */
const NGINX_UPSTREAM_KEEPALIVE = 128;

function hostPort(origin: string): string {
  return new URL(origin).host;
}

/** nginx main-context lines every bench nginx shares: one worker, everything under the temp dir. */
function nginxMain(dir: string): string {
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }`;
}

function nginxHttpCommon(dir: string): string {
  return `  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;`;
}

export function nginxProxyConfig({ dir, port, backends }: ProxyConfigInput): string {
  const servers = backends.map((origin) => `    server ${hostPort(origin)};`).join('\n');
  return `${nginxMain(dir)}
http {
${nginxHttpCommon(dir)}
  upstream pool {
${servers}
    keepalive ${NGINX_UPSTREAM_KEEPALIVE};
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://pool;
      # HTTP/1.1 with an empty Connection header is what lets nginx reuse upstream sockets.
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

export function haproxyConfig({ port, backends }: ProxyConfigInput): string {
  const servers = backends.map((origin, index) => `  server b${index + 1} ${hostPort(origin)}`).join('\n');
  return `global
  nbthread 1
  maxconn 4096

defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s

frontend bench
  bind 127.0.0.1:${port}
  default_backend pool

backend pool
  balance roundrobin
  # keep idle backend connections and hand them to any client (nginx's upstream keepalive does the same)
  http-reuse always
${servers}
`;
}

/** Fixed-cost backends: one nginx worker answering "World" on every port, so the proxy is the bottleneck. */
export function nginxBackendsConfig(dir: string, ports: readonly number[]): string {
  const servers = ports
    .map((port) => `  server {\n    listen 127.0.0.1:${port};\n    default_type text/plain;\n    location / { return 200 "World"; }\n  }`)
    .join('\n');
  return `${nginxMain(dir)}
http {
${nginxHttpCommon(dir)}
${servers}
}
`;
}

export const minimalProxyConfig: ProxyConfigSource = async (kind, input) =>
  kind === 'nginx' ? nginxProxyConfig(input) : haproxyConfig(input);
