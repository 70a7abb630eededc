// An address for nginx's listen directive: a port alone for every interface, IPv6 hosts in brackets.
export function listenAddress(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::') return String(port);
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
