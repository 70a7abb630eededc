// The open HTTP/2 connections of one listener: each is closed after an idle time with no stream open (HTTP/1.1's
// keep-alive timeout, for HTTP/2), and all get a GOAWAY when the listener closes or hands off (a draining
// worker), so clients finish the streams they have and open new ones elsewhere.
import { constants, type Http2SecureServer, type Http2Server, type ServerHttp2Session } from 'node:http2';

/** The largest stream id: a GOAWAY naming it refuses nothing, it only tells the client to open no more streams. */
const MAX_STREAM_ID = 2 ** 31 - 1;

/** How long a connection accepted after closeAll() has to send its requests. */
const LATE_SESSION_MS = 1_000;

function notifyShutdown(session: ServerHttp2Session): void {
  if (!session.closed && !session.destroyed) session.goaway(constants.NGHTTP2_NO_ERROR, MAX_STREAM_ID);
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
   * A draining worker still accepts while the others take over: every connection, open or new, gets a shutdown
   * notice (GOAWAY with the highest stream id, RFC 9113 6.8): the client opens no new stream on it, and a request
   * it already sent is still served. The final GOAWAY comes with closeAll().
   */
  handOff(): void {
    this.handingOff = true;
    for (const session of this.open.keys()) notifyShutdown(session);
  }

  private track(session: ServerHttp2Session): void {
    if (this.closing) {
      // Accepted as the listener closed (a worker's queue): a GOAWAY now would refuse the request the client
      // has already sent, so serve what it sends at once and close after.
      notifyShutdown(session);
      session.on('stream', (stream) => stream.once('close', () => session.close()));
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
    // Not at once: a GOAWAY before the client's first request made curl fail that request (a framing error)
    // instead of sending it; after it, the request is served and the client opens its next stream elsewhere.
    if (this.handingOff) session.once('stream', () => notifyShutdown(session));
  }
}
