// The route table as a table: request (host, method, path, headers) × routes → the route that takes it and the
// path the backend sees. First match wins; no match is undefined (the proxy answers 404 no_route).
import type { IncomingMessage } from 'node:http';
import t from 'tap';
import type { RouteConfig } from '../src/config-schema-routing.js';
import { RouteTable } from '../src/routes/route-table.js';

const route = (name: string, match: RouteConfig['match'], extra: Partial<RouteConfig> = {}): RouteConfig => ({ name, match, pool: name, stripPrefix: false, ...extra });

const table = new RouteTable<string>([
  route('admin-api', { hosts: ['api.example.com'], pathPrefix: '/admin', headers: { 'x-role': 'admin' } }),
  route('api', { hosts: ['api.example.com', '*.api.example.com'] }),
  route('v2', { pathPrefix: '/v2', headers: { 'x-client': { regex: '^beta-[0-9]+$' } } }),
  route('web', { pathPrefix: '/web/' }, { stripPrefix: true }),
  route('health', { path: '/status', methods: ['GET', 'HEAD'] }),
], (pool) => `pool:${pool}`);

function request(url: string, headers: Record<string, string> = {}, method = 'GET'): IncomingMessage {
  return { url, method, rawHeaders: Object.entries(headers).flat() } as unknown as IncomingMessage;
}

const rows: [string, string, Record<string, string>, string, string | undefined, string?][] = [
  // label, url, headers, method, route, path seen by the backend
  ['exact host', '/users', { Host: 'api.example.com' }, 'GET', 'api', '/users'],
  ['host is case-insensitive and ignores the port', '/users', { host: 'API.Example.COM:8080' }, 'GET', 'api'],
  ['wildcard host matches a subdomain', '/', { Host: 'eu.api.example.com' }, 'GET', 'api'],
  ['wildcard does not match the bare domain itself', '/', { Host: 'api.example.com.evil.net' }, 'GET', undefined],
  ['first match wins: the narrower route is listed first', '/admin/users', { Host: 'api.example.com', 'X-Role': 'admin' }, 'GET', 'admin-api'],
  ['a header mismatch falls through to the next route', '/admin/users', { Host: 'api.example.com', 'X-Role': 'user' }, 'GET', 'api'],
  ['header regex', '/v2/items', { 'x-client': 'beta-42' }, 'GET', 'v2'],
  ['header regex mismatch', '/v2/items', { 'x-client': 'beta-x' }, 'GET', undefined],
  ['path prefix is a whole segment', '/v2x/items', { 'x-client': 'beta-1' }, 'GET', undefined],
  ['strip the prefix', '/web/app.js?v=3', {}, 'GET', 'web', '/app.js?v=3'],
  ['strip the prefix of the bare prefix', '/web', {}, 'GET', 'web', '/'],
  ['strip the prefix before a query', '/web?x=1', {}, 'GET', 'web', '/?x=1'],
  ['exact path and method', '/status', {}, 'HEAD', 'health', '/status'],
  ['exact path with another method', '/status', {}, 'POST', undefined],
  ['exact path ignores the query string', '/status?verbose=1', {}, 'GET', 'health', '/status?verbose=1'],
  ['no route', '/elsewhere', { Host: 'www.example.com' }, 'GET', undefined],
];

for (const [label, url, headers, method, expected, path] of rows) {
  t.test(`${label}: ${method} ${url} → ${expected ?? 'no route'}`, async (t) => {
    const resolution = table.resolve(request(url, headers, method));
    t.equal(resolution?.route.name, expected);
    if (expected !== undefined) t.equal(resolution!.target, `pool:${expected}`, 'the route’s pool');
    if (path !== undefined) t.equal(resolution!.path ?? url, path, 'the path the backend sees');
  });
}

t.test('an empty match is the catch-all', async (t) => {
  const catchAll = new RouteTable<string>([route('default', {})], (pool) => pool);
  t.equal(catchAll.resolve(request('/anything', {}, 'PATCH'))?.route.name, 'default');
});
