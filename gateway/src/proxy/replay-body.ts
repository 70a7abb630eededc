// A streamed request body recorded as it goes out, so another try can send it again from its first byte. gRPC
// calls stream their messages without Content-Length and often end their side only after the answer came
// (bidi), so reading the body whole before the first try would wait forever, and a one-shot stream could not
// be sent again even after a refused connect. Past maxReplayBytes recording stops: sent chunks are dropped
// and the body is no longer replayable. The client is paused while the try in flight lags 64 KiB behind.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { PreparedBody } from './request-body.js';
import { BodyTooLargeError } from './request-body.js';

const HIGH_WATER_BYTES = 64 * 1024;

export class ReplayBody implements PreparedBody {
  readonly body = null;
  private readonly chunks: Buffer[] = [];
  /** Chunks dropped from the front once sent, after recording stopped. */
  private dropped = 0;
  private received = 0;
  /** Bytes the current try has taken. */
  private taken = 0;
  private ended = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;
  private reader = 0;

  constructor(
    private readonly req: IncomingMessage,
    private readonly maxReplayBytes: number,
    private readonly maxBytes: number,
  ) {
    req.on('data', this.onData);
    req.once('end', () => this.settle());
    req.once('error', (error) => this.settle(error));
    req.once('close', () => {
      if (!req.complete && !this.ended) this.settle(new Error('client closed the connection while sending the body'));
    });
  }

  get replayable(): boolean {
    return this.received <= this.maxReplayBytes && this.dropped === 0;
  }

  /** The body for one try: every chunk so far, then the rest as it arrives. A new try ends the previous one's reading. */
  forTry(): Readable {
    this.reader += 1;
    this.taken = 0;
    const body = Readable.from(this.read(this.reader), { objectMode: false });
    body.on('error', bodyEndedWithTry);
    return body;
  }

  private async *read(reader: number): AsyncGenerator<Buffer> {
    if (this.dropped > 0) throw new Error('the body is over the replay limit and was already sent in part');
    let index = 0;
    while (reader === this.reader) {
      if (index - this.dropped < this.chunks.length) {
        const chunk = this.chunks[index - this.dropped]!;
        index += 1;
        this.taken += chunk.length;
        if (this.received > this.maxReplayBytes) {
          this.chunks.shift();
          this.dropped += 1;
        }
        if (this.req.isPaused() && this.received - this.taken < HIGH_WATER_BYTES) this.req.resume();
        yield chunk;
        continue;
      }
      if (this.error) {
        // One turn of the event loop first: an error in the tick the try was submitted (a body over the limit that
        // came in the same read as the headers) would destroy undici's HTTP/2 stream before its session sent the
        // HEADERS, and Node's session then sends empty DATA frames for the vanished stream forever (100 % CPU,
        // growing memory; Node 20 and 24). After this turn the stream is reset the ordinary way.
        await new Promise((resolve) => setImmediate(resolve));
        throw this.error;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private readonly onData = (chunk: Buffer): void => {
    this.received += chunk.length;
    if (this.received > this.maxBytes) {
      this.settle(new BodyTooLargeError(`body passed the ${this.maxBytes} byte limit`));
      this.req.off('data', this.onData);
      return;
    }
    this.chunks.push(chunk);
    if (this.received - this.taken >= HIGH_WATER_BYTES) this.req.pause();
    this.notify();
  };

  private settle(error?: Error): void {
    if (this.ended || this.error) return;
    if (error) this.error = error;
    else this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * undici destroys a try's body with the try's abort reason, also when it had not piped it anywhere yet or had
 * already unpiped it (a call cancelled because its client left): with no listener that 'error' would be an
 * uncaught exception and stop the gateway. The reason is already known to the Forwarding, which ended the try;
 * an error from the client's own body reaches it through undici's onError.
 */
function bodyEndedWithTry(): void {}
