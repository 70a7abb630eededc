// Only WebSocket upgrades are tunnelled. Any other Upgrade offer (h2c from `curl --http2`, or a token the gateway
// does not know) is served as the plain HTTP/1.1 request it also is (RFC 9110 §7.8 lets a server ignore the
// offer): tunnelling h2c would let a client talk HTTP/2 straight to a backend, past every per-request rule
// of the proxy (h2c smuggling).
//
// Node 24.9+ (and late 22.x) has a server option for this, shouldUpgradeCallback: declined offers reach the
// 'request' event like any request, and the proxy drops Upgrade and the headers Connection names as hop-by-hop.
// Node 20 sends every offer to the 'upgrade' event with the parser already detached, so the request is replayed
// through Node's own parser instead: its head rebuilt from what Node parsed and validated, minus the offer,
// pushed back in front of the unread bytes, and the socket handed back as a connection (Node's documented way
// to inject one). The body, chunked or not, keep-alive and the next requests are then parsed as usual.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return req.headers.upgrade?.split(',').some((token) => token.trim().toLowerCase() === 'websocket') ?? false;
}

/** Where Node can decide before its parser lets go of the socket, only WebSocket offers reach 'upgrade'. */
export function declineOtherUpgrades(server: Server): void {
  // The option is stored on the server as this property, which Node reads for every upgrade offer.
  const settable = server as Server & { shouldUpgradeCallback?: (req: IncomingMessage) => boolean };
  if (typeof settable.shouldUpgradeCallback === 'function') settable.shouldUpgradeCallback = isWebSocketUpgrade;
}

/** Serves a declined upgrade offer (Node without shouldUpgradeCallback) as a plain request on the same connection. */
export function replayAsPlainRequest(server: Server, req: IncomingMessage, socket: Socket, head: Buffer): void {
  replayWhenAnswered(server, socket, Buffer.concat([plainRequestHead(req), head]));
}

// Node's in-order answer queue lives with the parser that just let go: an offer pipelined behind requests still
// being answered waits until their answers are out, or the replayed request's answer would never be sent.
// _httpMessage is the answer on the socket now, the internal field Node's own closeIdleConnections reads.
function replayWhenAnswered(server: Server, socket: Socket, replay: Buffer): void {
  const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (!pending) {
    socket.unshift(replay);
    server.emit('connection', socket);
    return;
  }
  const onError = () => socket.destroy();
  socket.once('error', onError);
  pending.once('finish', () => {
    socket.off('error', onError);
    // That answer closed the connection (Connection: close), or started its keep-alive timer, which stops
    // here as it does for any request that arrives.
    if (!socket.writable) return;
    socket.setTimeout(server.timeout);
    replayWhenAnswered(server, socket, replay);
  });
}

/**
 * The request line and headers as received (latin1, as Node decoded them), without the Upgrade header and the
 * `upgrade` token of Connection, so the second parse sees no offer. The other headers Connection names (such
 * as HTTP2-Settings) stay for the proxy to drop: removing them here could remove Content-Length or
 * Transfer-Encoding, and the body would then be parsed as a next request.
 */
function plainRequestHead(req: IncomingMessage): Buffer {
  const raw = req.rawHeaders;
  let head = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (lower === 'upgrade') continue;
    let value = raw[i + 1]!;
    if (lower === 'connection') {
      value = value.split(',').map((token) => token.trim()).filter((token) => token !== '' && token.toLowerCase() !== 'upgrade').join(', ');
      if (value === '') continue;
    }
    head += `${name}: ${value}\r\n`;
  }
  return Buffer.from(`${head}\r\n`, 'latin1');
}
