// The open HTTP/2 connections of one listener: each is closed after an idle time with no stream open (HTTP/1.1's
// keep-alive timeout, for HTTP/2), and each is closed gracefully when the listener hands off (a draining worker)
// or closes, so clients finish the streams they have and open new ones elsewhere.
import type { Http2SecureServer, Http2Server, ServerHttp2Session } from 'node:http2';

/** How long a connection accepted after closeAll() has to send its requests. */
const LATE_SESSION_MS = 1_000;

/**
 * HTTP/2's "Connection: close": session.close() as the connection's next request arrives sends GOAWAY naming that
 * request's stream as the last one served, and closes the connection once it is answered. Not a GOAWAY at any
 * other moment: node:http2 has no shutdown notice (once nghttp2 has sent a GOAWAY, whatever last-stream-id it
 * named, it ignores every stream the client opens after it, and only the final GOAWAY refuses them), so a request
 * already on its way would be lost, and curl 7.88 fails a refused request ("Error in the HTTP2 framing layer")
 * instead of retrying it. A client that sends one request at a time has none on its way while it awaits this answer.
 */
function closeOnNextRequest(session: ServerHttp2Session): void {
  session.once('stream', () => session.close());
}

export class Http2Sessions {
  /** Each open connection and how many of its streams are open. */
  private readonly open = new Map<ServerHttp2Session, { streams: number }>();
  private closing = false;
  private handingOff = false;

  constructor(server: Http2Server | Http2SecureServer, private readonly idleTimeoutMs: number) {
    server.on('session', (session: ServerHttp2Session) => this.track(session));
  }

  /** GOAWAY to every connection: open streams finish, no new ones are accepted; the connection closes after. */
  closeAll(): void {
    this.closing = true;
    for (const session of this.open.keys()) session.close();
  }

  /**
   * A draining worker still accepts while the others take over: every connection, open or new, is closed in
   * answer to its next request (closeOnNextRequest), so a busy client moves on its own; closeAll() closes the
   * ones that sent nothing meanwhile.
   */
  handOff(): void {
    this.handingOff = true;
    for (const session of this.open.keys()) closeOnNextRequest(session);
  }

  private track(session: ServerHttp2Session): void {
    if (this.closing) {
      // Accepted as the listener closed (a worker's queue): serve the request the client sends at once, then close.
      closeOnNextRequest(session);
      setTimeout(() => session.close(), LATE_SESSION_MS).unref();
      return;
    }
    const state = { streams: 0 };
    this.open.set(session, state);
    session.on('stream', (stream) => {
      state.streams += 1;
      stream.once('close', () => {
        state.streams -= 1;
      });
    });
    // Socket inactivity; a connection waiting on a slow backend for one of its streams is not idle.
    session.setTimeout(this.idleTimeoutMs, () => {
      if (state.streams === 0) session.close();
    });
    session.once('close', () => this.open.delete(session));
    if (this.handingOff) closeOnNextRequest(session);
  }
}
