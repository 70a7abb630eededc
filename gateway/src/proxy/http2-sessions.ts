// The open HTTP/2 connections of one listener: each is closed after an idle time with no stream open (HTTP/1.1's
// keep-alive timeout, for HTTP/2), and all get a GOAWAY when the listener closes, so clients finish the
// streams they have and open new ones elsewhere.
import type { Http2SecureServer, Http2Server, ServerHttp2Session } from 'node:http2';

export class Http2Sessions {
  /** Each open connection and how many of its streams are open. */
  private readonly open = new Map<ServerHttp2Session, { streams: number }>();
  private closing = false;

  constructor(server: Http2Server | Http2SecureServer, private readonly idleTimeoutMs: number) {
    server.on('session', (session: ServerHttp2Session) => this.track(session));
  }

  /** GOAWAY to every connection: open streams finish, no new ones are accepted; the connection closes after. */
  closeAll(): void {
    this.closing = true;
    for (const session of this.open.keys()) session.close();
  }

  private track(session: ServerHttp2Session): void {
    if (this.closing) {
      session.close();
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
  }
}
