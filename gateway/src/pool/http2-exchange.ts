// One request as one HTTP/2 stream to a backend, reported to an undici-style dispatch handler (Attempt):
// onConnect once the stream exists, onHeaders, onData with back-pressure (false pauses the stream, whose
// flow-control window then stops the backend), onComplete on the stream's end, after every DATA frame was read,
// with the trailers that arrived before it, or onError once. Exactly one of onComplete and onError is called.
import { constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

export interface ExchangeTimeouts {
  /** Response headers must arrive within this long of the request going out. */
  headersTimeoutMs: number;
  /** The response body may stall this long between two DATA frames; 0 for no limit. */
  bodyTimeoutMs: number;
}

/** A failure this client names itself; transport-failure.ts classifies it by code. */
export class Http2UpstreamError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2); Node refuses a request that carries one. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings', 'host']);

export class Http2Exchange {
  private stream: ClientHttp2Stream | undefined;
  private body: Readable | undefined;
  private trailers: IncomingHttpHeaders | undefined;
  private responded = false;
  private settled = false;
  private headersTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: ClientHttp2Session,
    /** The origin's scheme and host, parsed once per origin: the default :scheme and :authority. */
    private readonly target: { scheme: string; authority: string },
    private readonly options: Dispatcher.DispatchOptions,
    private readonly handler: Dispatcher.DispatchHandler,
    private readonly timeouts: ExchangeTimeouts,
    /** Called once when the stream is gone (or never opened): frees its place on the session. */
    private readonly released: () => void,
  ) {}

  send(): void {
    const { body } = this.options;
    let stream: ClientHttp2Stream;
    try {
      stream = this.session.request(this.requestHeaders(), { endStream: body == null });
    } catch (error) {
      // A header Node will not send (an invalid value…): nothing went out.
      this.released();
      this.settled = true;
      this.handler.onError!(error as Error);
      return;
    }
    this.stream = stream;
    stream.once('close', this.onClose);
    stream.on('error', this.onStreamError);
    stream.once('response', this.onResponse);
    stream.on('data', this.onData);
    stream.once('trailers', (trailers: IncomingHttpHeaders) => (this.trailers = trailers));
    stream.once('end', this.onEnd);
    this.handler.onConnect!(this.fail);
    if (this.settled) return; // aborted from onConnect
    if (Buffer.isBuffer(body) || typeof body === 'string') stream.end(body);
    else if (body != null) this.pipeBody(body as Readable);
    if (body == null || typeof body === 'string' || Buffer.isBuffer(body)) this.awaitHeaders();
  }

  /**
   * The headers timeout runs once the whole request went out, as for HTTP/1.1: a client stream (gRPC) may
   * last longer than proxy.headersTimeoutMs before the backend answers.
   */
  private awaitHeaders(): void {
    if (!this.settled && !this.responded) this.headersTimer = setTimeout(this.onHeadersTimeout, this.timeouts.headersTimeoutMs);
  }

  private requestHeaders(): OutgoingHttpHeaders {
    const { method, path } = this.options;
    const headers: OutgoingHttpHeaders = { ':method': method, ':path': path, ':scheme': this.target.scheme, ':authority': this.target.authority };
    const list = this.options.headers as string[] | null | undefined;
    if (list) {
      for (let i = 0; i < list.length; i += 2) {
        const name = list[i]!.toLowerCase();
        const value = list[i + 1]!;
        if (name === 'host') headers[':authority'] = value; // the client's name for the site, as HTTP/1.1 backends see it
        if (CONNECTION_SPECIFIC.has(name) || (name === 'te' && value !== 'trailers')) continue;
        const before = headers[name];
        headers[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [String(before), value];
      }
    }
    return headers;
  }

  private pipeBody(body: Readable): void {
    this.body = body;
    // A body over the size limit errors here; the try fails with that error (413 for the client).
    body.once('error', this.fail);
    body.once('end', () => this.awaitHeaders());
    body.pipe(this.stream!);
  }

  private readonly onResponse = (headers: IncomingHttpHeaders): void => {
    clearTimeout(this.headersTimer);
    if (this.settled) return;
    this.responded = true;
    const raw: Buffer[] = [];
    for (const name in headers) {
      if (name.charCodeAt(0) === 58 /* ':' */) continue;
      const value = headers[name]!;
      if (Array.isArray(value)) for (const item of value) raw.push(Buffer.from(name), Buffer.from(item, 'latin1'));
      else raw.push(Buffer.from(name), Buffer.from(String(value), 'latin1'));
    }
    // One listener; pausing and resuming only re-arms the timer (setTimeout with a callback would add one each time).
    if (this.timeouts.bodyTimeoutMs > 0) this.stream!.on('timeout', this.onBodyTimeout);
    if (this.handler.onHeaders!(Number(headers[':status']), raw, this.resume, '') === false) this.pause();
    else this.watchBody();
  };

  /** The body timeout counts the backend's silence, never the time a slow client keeps the stream paused. */
  private pause(): void {
    this.stream!.pause();
    this.stream!.setTimeout(0);
  }

  private readonly resume = (): void => {
    if (this.settled) return;
    this.stream!.resume();
    this.watchBody();
  };

  private watchBody(): void {
    if (this.timeouts.bodyTimeoutMs > 0 && !this.settled) this.stream!.setTimeout(this.timeouts.bodyTimeoutMs);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.settled || !this.responded) return;
    if (this.handler.onData!(chunk) === false) this.pause();
  };

  /** Every DATA frame was read: the response is whole, and its trailers (if any) came before this. */
  private readonly onEnd = (): void => {
    if (!this.responded) {
      this.fail(new Http2UpstreamError('GATEWAY_STREAM_RESET', 'the backend ended the stream without a response'));
      return;
    }
    if (this.settled) return;
    this.settle(true);
    this.handler.onComplete!((this.trailers ?? {}) as unknown as string[]);
  };

  private readonly onHeadersTimeout = (): void => {
    this.fail(new Http2UpstreamError('GATEWAY_HEADERS_TIMEOUT', `no response headers within ${this.timeouts.headersTimeoutMs} ms`));
  };

  private readonly onBodyTimeout = (): void => {
    this.fail(new Http2UpstreamError('GATEWAY_BODY_TIMEOUT', `the response body stalled for ${this.timeouts.bodyTimeoutMs} ms`));
  };

  /** Node reports a reset as an error before 'close'; a refused stream keeps its own name (retried as never sent). */
  private readonly onStreamError = (error: Error): void => {
    this.fail(this.stream!.rstCode === constants.NGHTTP2_REFUSED_STREAM ? refused() : error);
  };

  private readonly onClose = (): void => {
    clearTimeout(this.headersTimer);
    this.released();
    if (this.settled) return;
    const code = this.stream!.rstCode;
    this.fail(code === constants.NGHTTP2_REFUSED_STREAM ? refused() : new Http2UpstreamError('GATEWAY_STREAM_RESET', `the stream closed (code ${code}) before the response was complete`));
  };

  /** The abort handed to onConnect, and every failure: settles once, cancels the stream, spends the body. */
  private readonly fail = (error: Error = new Http2UpstreamError('GATEWAY_ABORTED', 'the try was aborted')): void => {
    if (this.settled) return;
    this.settle();
    this.handler.onError!(error);
  };

  /** complete: the whole response was read; the stream is cancelled only if the request is still going out. */
  private settle(complete = false): void {
    this.settled = true;
    clearTimeout(this.headersTimer);
    const stream = this.stream;
    if (this.body && (!complete || !this.body.readableEnded)) {
      // The rest of the request is of no use now. After a failure the body is spent even if it was read to its
      // end (a refused stream took it all): destroyed, the retry policy will not send it again empty.
      this.body.unpipe(stream);
      this.body.off('error', this.fail);
      this.body.destroy();
    }
    if (stream && !stream.closed) {
      stream.setTimeout(0);
      // A failure, or a whole response with the request still going out (a gRPC error ending a client stream
      // early): either way the backend may stop reading.
      if (!complete || !stream.writableFinished) stream.close(constants.NGHTTP2_CANCEL);
    }
  }
}

function refused(): Http2UpstreamError {
  return new Http2UpstreamError('GATEWAY_STREAM_REFUSED', 'the backend refused the stream (REFUSED_STREAM): it was not processed');
}
