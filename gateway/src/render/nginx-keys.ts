// Request keys (as hashOn and sticky write them: path, client-ip, header:NAME, cookie:NAME) as nginx variables.
// nginx names a variable with letters, digits and "_" only, so a cookie like session-id has no $cookie_ variable:
// such cookies get a map that reads them out of the Cookie header.
import type { DropIn } from './drop-in.js';
import { RenderError } from './pool-settings.js';
import { regexEscape, stickyKey } from './route-patterns.js';

export function keyVariable(key: string): string {
  if (key === 'path') return '$request_uri';
  if (key === 'client-ip') return '$remote_addr';
  const name = key.slice(key.indexOf(':') + 1);
  if (key.startsWith('header:')) return headerVariable(name);
  return /^\w+$/.test(name) ? `$cookie_${name}` : `$gateway_cookie_${encoded(name)}`;
}

/** $http_x_user for X-User: nginx lower-cases header names and turns "-" into "_". */
export function headerVariable(name: string): string {
  // nginx drops headers with other characters (ignore_invalid_headers; "_" too, underscores_in_headers).
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw new RenderError(`nginx ignores the header ${name}: its names are letters, digits and "-"`);
  return `$http_${name.toLowerCase().replace(/-/g, '_')}`;
}

/** The maps that read cookies without a $cookie_ variable: the first pair of that name, its value trimmed as the gateway does. */
export function cookieMaps(dropIn: DropIn): string[] {
  const keys = [...dropIn.pools.map((pool) => pool.hashOn), ...dropIn.routes.map(stickyKey)];
  const names = new Set(keys.filter((key) => key?.startsWith('cookie:')).map((key) => key!.slice('cookie:'.length)).filter((name) => !/^\w+$/.test(name)));
  return [...names].map((name) => {
    const regex = `~(?:^|;)\\s*${regexEscape(name)}=\\s*([^;]*?)\\s*(?:;|$)`;
    return `    # The cookie ${name}.
    map $http_cookie $gateway_cookie_${encoded(name)} {
        ${nginxString(regex)} $1;
        default "";
    }`;
  });
}

/** A cookie name as a variable name: each character other than a letter or digit as _XX (its hex code), so names stay distinct. */
function encoded(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, (char) => `_${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A double-quoted nginx string: backslashes and quotes escaped, so a regex reaches PCRE as written. */
export function nginxString(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}
