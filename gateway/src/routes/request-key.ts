// What identifies "the same client" for consistent hashing and sticky splits: the path, the client's address,
// a request header or a cookie, read from the raw request. Written as in config: path, client-ip,
// header:NAME, cookie:NAME. Undefined when the request does not carry it.
import type { IncomingMessage } from 'node:http';
import { headerValue } from './route-match.js';

export type RequestKey = (req: IncomingMessage) => string | undefined;

export function requestKey(spec: string): RequestKey {
  if (spec === 'path') return (req) => req.url;
  if (spec === 'client-ip') return (req) => req.socket.remoteAddress;
  const colon = spec.indexOf(':');
  const kind = spec.slice(0, colon);
  const name = spec.slice(colon + 1);
  if (kind === 'header') {
    const lower = name.toLowerCase();
    return (req) => headerValue(req, lower);
  }
  if (kind === 'cookie') return (req) => cookieValue(req, name);
  throw new Error(`unknown request key ${JSON.stringify(spec)} (path, client-ip, header:NAME, cookie:NAME)`);
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const cookies = headerValue(req, 'cookie');
  if (cookies === undefined) return undefined;
  for (const pair of cookies.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
