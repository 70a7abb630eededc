// Routes with authentication in the drop-ins. Neither nginx OSS nor HAProxy can check what the gateway checks
// (hashed API keys compared in constant time, JWTs verified against a JWKS), so their requests get the gateway's
// 401 and its challenge, and never reach a backend: a drop-in must not open what the gateway guards.
import { UNAUTHORIZED } from '../errors.js';
import type { RouteConfig } from '../config-schema-routing.js';
import type { DropIn } from './drop-in.js';
import { quoted } from './haproxy-routes.js';

function guarded(dropIn: DropIn): RouteConfig[] {
  return dropIn.routes.filter((route) => route.auth !== undefined);
}

/** The challenge the gateway sends with a 401 to a request without credentials. */
function challenge(route: RouteConfig): string {
  return route.auth!.apiKey ? `ApiKey realm="${route.name}"` : `Bearer realm="${route.name}"`;
}

function body(requestId: string): string {
  return JSON.stringify({ error: UNAUTHORIZED.code, message: UNAUTHORIZED.message, requestId });
}

const NGINX_COMMENT = '        # Routes with auth: nginx cannot verify their credentials, so they are refused as the gateway refuses a request without any.';

/** nginx, http level: the challenge of the request's route ("" for a route without auth). Routed configs only. */
export function nginxAuthMap(dropIn: DropIn): string {
  const routes = guarded(dropIn);
  if (routes.length === 0 || dropIn.single !== undefined) return '';
  const lines = routes.map((route) => `        ${dropIn.routes.indexOf(route) + 1} ${nginxQuoted(challenge(route))};`);
  return `\n    map $gateway_route $gateway_auth_challenge {\n${lines.join('\n')}\n        default "";\n    }\n`;
}

/** nginx, server level, before routing: the 401 for a guarded route (for a single guarded route, every request). */
export function nginxAuthRefusal(dropIn: DropIn): string {
  const routes = guarded(dropIn);
  if (routes.length === 0) return '';
  const answer = `return 401 '${body('$gateway_request_id')}';`;
  if (dropIn.single !== undefined) {
    return `${NGINX_COMMENT}\n        default_type application/json;\n        add_header WWW-Authenticate ${nginxQuoted(challenge(routes[0]!))} always;\n        ${answer}\n\n`;
  }
  // An empty value adds no header, so the other routes' responses are untouched.
  return `${NGINX_COMMENT}\n        add_header WWW-Authenticate $gateway_auth_challenge always;\n        if ($gateway_auth_challenge != "") {\n            ${answer}\n        }\n\n`;
}

/** HAProxy frontend rules, after the route is known (`routed`) or, for a single guarded route, for every request. */
export function haproxyAuthRefusals(dropIn: DropIn, routed: boolean): string[] {
  const routes = guarded(dropIn);
  if (routes.length === 0) return [];
  const answer = (route: RouteConfig) =>
    `    http-request return status 401 content-type "application/json; charset=utf-8" hdr www-authenticate '${challenge(route)}' lf-string ${quoted(body('%[req.hdr(x-request-id)]'))}`;
  return [
    '    # Routes with auth: HAProxy cannot verify their credentials, so they are refused as the gateway refuses a request without any.',
    ...routes.map((route) => `${answer(route)}${routed ? ` if { var(txn.route) -m str ${route.name} }` : ''}`),
  ];
}

function nginxQuoted(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
