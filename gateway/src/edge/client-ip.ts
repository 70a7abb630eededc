// The client's address as a rate limit sees it: the socket's peer, unless that peer is a trusted proxy; then
// X-Forwarded-For is read from the right, skipping trusted proxies, and the first address that is not one is
// the client. A header from anyone else is ignored, so a client cannot choose its own key by sending one.
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export type ClientIp = (req: IncomingMessage) => string;

/** entries: IPs or CIDR blocks (validated by the config schema). */
export function clientIpReader(entries: readonly string[]): ClientIp {
  const socketAddress = (req: IncomingMessage) => plain(req.socket.remoteAddress ?? '');
  if (entries.length === 0) return socketAddress;
  const trusted = trustedList(entries);
  return (req) => {
    const peer = socketAddress(req);
    if (!trusted(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    if (header === undefined) return peer;
    // Several X-Forwarded-For lines are one list, in order (RFC 9110 §5.3).
    const hops = (Array.isArray(header) ? header.join(',') : header).split(',');
    let client = peer;
    for (let index = hops.length - 1; index >= 0; index--) {
      const hop = plain(hops[index]!.trim());
      if (isIP(hop) === 0) return client; // garbage left of here was written by the client; stop at the last good hop
      client = hop;
      if (!trusted(hop)) return hop;
    }
    return client;
  };
}

function trustedList(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`, so IPv4 entries match it. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
