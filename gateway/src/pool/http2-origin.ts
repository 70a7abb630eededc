// HTTP/2 connections to one backend origin, made with node:http2: h2 chosen by ALPN for https:// backends, h2c
// with prior knowledge for http:// ones. Each request is a stream on a session with room left; a new session
// opens when every one carries streamsPerConnection streams (or fewer, when the backend's SETTINGS say so).
// Not undici's HTTP/2 client: it ends a response on its trailers and drops DATA still buffered behind a paused
// stream, which lost the last replies of server-streaming gRPC calls to slow clients.
import { connect, type ClientHttp2Session } from 'node:http2';
import type { Dispatcher } from 'undici';
import { Http2Exchange, Http2UpstreamError, type ExchangeTimeouts } from './http2-exchange.js';
import type { UpstreamTlsOptions } from './upstream-tls.js';

export interface Http2OriginOptions extends ExchangeTimeouts {
  connectTimeoutMs: number;
  streamsPerConnection: number;
  /** Sessions to the origin at most; past it, streams share the least busy one and nghttp2 queues the excess. */
  connectionsPerBackend: number;
  tls: UpstreamTlsOptions | undefined;
  /** A connection failed with no request to report it (it was idle): told so the failure is not silent. */
  onIdleFailure?: ((origin: string, error: Error) => void) | undefined;
}

/** A session is closed after this long without a stream; the first one stays for the next request. */
const IDLE_SESSION_MS = 60_000;
/** Lets many streams of one session move at once: Node's default connection window is a single 64 KiB. */
const SESSION_WINDOW_BYTES = 4 << 20;

interface Waiting {
  options: Dispatcher.DispatchOptions;
  handler: Dispatcher.DispatchHandler;
}

/** One session and the streams on it, counted by us: Node counts only streams that already have an id. */
class SessionSlot {
  active = 0;
  connected = false;
  /** GOAWAY received, closing or failed: takes no new stream. */
  retired = false;
  /** A stream ended as the session was being destroyed: that stream's request has reported the failure. */
  failureReported = false;
  /** Dispatched while the session connects; they start on 'connect' or fail with its error. */
  waiting: Waiting[] = [];

  constructor(readonly session: ClientHttp2Session) {}

  roomFor(streamsPerConnection: number): boolean {
    // closed/destroyed: closing before its 'close' event (Node throws on a request then).
    if (this.retired || this.session.closed || this.session.destroyed) return false;
    const remoteMax = this.connected ? this.session.remoteSettings.maxConcurrentStreams ?? streamsPerConnection : streamsPerConnection;
    return this.active < Math.min(streamsPerConnection, remoteMax);
  }
}

export class Http2Origin {
  private readonly slots: SessionSlot[] = [];
  private closed = false;
  /** Parsed here once, not per request. */
  private readonly target: { scheme: string; authority: string };

  constructor(
    private readonly origin: string,
    private readonly options: Http2OriginOptions,
  ) {
    const url = new URL(origin);
    this.target = { scheme: url.protocol.slice(0, -1), authority: url.host };
  }

  /** undici's dispatch contract, as far as Attempt uses it: onConnect once the stream exists, then headers, data, complete or error. */
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.closed) {
      handler.onError!(new Http2UpstreamError('GATEWAY_ORIGIN_CLOSED', `the connections to ${this.origin} are closed`));
      return false;
    }
    const slot = this.slots.find((candidate) => candidate.roomFor(this.options.streamsPerConnection)) ?? this.openOrShare();
    slot.active += 1;
    if (slot.connected) this.start(slot, options, handler);
    else slot.waiting.push({ options, handler });
    return true;
  }

  /** Ends every session once its streams finish; requests dispatched afterwards fail as 'closed'. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => new Promise<void>((resolve) => (slot.session.closed ? resolve() : slot.session.close(resolve)))));
  }

  private start(slot: SessionSlot, options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): void {
    slot.session.ref();
    new Http2Exchange(slot.session, this.target, options, handler, this.options, () => this.release(slot)).send();
  }

  private release(slot: SessionSlot): void {
    slot.active -= 1;
    // Node destroys a failing session's streams before it emits the session's 'error'.
    if (slot.session.destroyed) slot.failureReported = true;
    // Idle sessions must not keep the process alive; the idle timeout below closes surplus ones.
    if (slot.active === 0 && !slot.session.destroyed) slot.session.unref();
  }

  private openOrShare(): SessionSlot {
    if (this.slots.length < this.options.connectionsPerBackend) return this.open();
    let least = this.slots[0]!;
    for (const slot of this.slots) if (!slot.retired && (least.retired || slot.active < least.active)) least = slot;
    return least.retired ? this.open() : least;
  }

  private open(): SessionSlot {
    const tls = this.options.tls;
    const session = connect(this.origin, {
      ...(tls ?? {}),
      // Cleartext origins get h2c with prior knowledge; TLS ones must agree on h2 by ALPN.
      ALPNProtocols: ['h2'],
      settings: { enablePush: false },
    });
    const slot = new SessionSlot(session);
    this.slots.push(slot);
    const connectTimer = setTimeout(() => {
      session.destroy(new Http2UpstreamError('GATEWAY_CONNECT_TIMEOUT', `no HTTP/2 connection to ${this.origin} within ${this.options.connectTimeoutMs} ms`));
    }, this.options.connectTimeoutMs);
    session.once('connect', () => {
      clearTimeout(connectTimer);
      slot.connected = true;
      session.setLocalWindowSize(SESSION_WINDOW_BYTES);
      const waiting = slot.waiting;
      slot.waiting = [];
      for (const { options, handler } of waiting) this.start(slot, options, handler);
    });
    // Streams report their own failures; an error with no stream or waiting request (the backend sent an error
    // GOAWAY, or the connection broke, while idle) would otherwise vanish, so it is told.
    session.on('error', (error) => {
      if (slot.active === 0 && !slot.failureReported) this.options.onIdleFailure?.(this.origin, error);
      this.retire(slot, error);
    });
    session.on('goaway', () => (slot.retired = true));
    session.once('close', () => {
      clearTimeout(connectTimer);
      // Closed by us (the backend left the pool): not the backend's failure.
      const error = this.closed
        ? new Http2UpstreamError('GATEWAY_ORIGIN_CLOSED', `the connections to ${this.origin} are closed`)
        : new Http2UpstreamError('GATEWAY_SESSION_CLOSED', `the HTTP/2 connection to ${this.origin} closed before the request went out`);
      this.retire(slot, error);
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
    });
    session.setTimeout(IDLE_SESSION_MS, () => {
      if (slot.active > 0 || this.slots[0] === slot) return;
      slot.retired = true;
      session.close();
    });
    return slot;
  }

  /** Takes no new stream; requests still waiting for the connection fail with its error, as nothing was sent. */
  private retire(slot: SessionSlot, error: Error): void {
    slot.retired = true;
    const waiting = slot.waiting;
    slot.waiting = [];
    for (const { handler } of waiting) {
      slot.active -= 1;
      handler.onError!(error);
    }
  }
}
