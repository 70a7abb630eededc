// The GATEWAY_* environment of the bench's gateway: the pool config the gateway runs with, and that the
// rendered nginx and HAProxy configs are made from, so all three serve the same pool the same way.

/** Variables from the bench's own environment (e.g. pool sizes under study), passed on unless the bench sets them. */
export function passedGatewayEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('GATEWAY_') && entry[1] !== undefined));
}

export function gatewayEnv(backendOrigins: readonly string[]): Record<string, string> {
  return {
    ...passedGatewayEnv(),
    GATEWAY_BACKENDS: backendOrigins.join(','),
    GATEWAY_LISTEN_HOST: '127.0.0.1',
    GATEWAY_LOG_ACCESS: 'false',
  };
}

/**
 * The base of a gateway started alone on loopback by a bench script (chaos, scale): kernel-chosen traffic and
 * admin ports, no access log; the script adds its own settings over it.
 */
export function loopbackGatewayEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    GATEWAY_LISTEN_HOST: '127.0.0.1',
    GATEWAY_LISTEN_PORT: '0',
    GATEWAY_ADMIN_PORT: '0',
    GATEWAY_LOG_ACCESS: 'false',
  };
}

/** The catch-all route of a route table made by routeTableEnv: the one the bench's GET /hello takes. */
export const CATCH_ALL_ROUTE = 'catch-all';

/**
 * GATEWAY_ROUTES for a table of `count` routes to the same pool (default): count - 1 that the bench's
 * GET /hello on 127.0.0.1 does not match, a third each by path prefix (/svc-N), by host (svc-N.example.com)
 * and by wildcard host and path prefix (*.svc-N.example.com + /svc-N), then the catch-all. First match wins,
 * so every request of the bench is tested against all of them: the cost of a long table per request.
 */
export function routeTableEnv(count: number): Record<string, string> {
  const routes: object[] = [];
  for (let i = 1; i < count; i++) {
    const name = `svc-${i}`;
    const match = [{ pathPrefix: `/${name}` }, { hosts: [`${name}.example.com`] }, { hosts: [`*.${name}.example.com`], pathPrefix: `/${name}` }][i % 3];
    routes.push({ name, match, pool: 'default' });
  }
  routes.push({ name: CATCH_ALL_ROUTE, match: {}, pool: 'default' });
  return { GATEWAY_ROUTES: JSON.stringify(routes) };
}
