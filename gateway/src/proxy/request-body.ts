// Prepares the client's request body for forwarding: none, buffered (small: can be sent again on a retry)
// or streamed through a byte counter that enforces the size limit. The client request stream itself is
// never handed to undici, which destroys the body it was given when a try fails.
import type { IncomingMessage } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';

/** Thrown into the upstream request when a streamed body passes the limit; becomes 413 for the client. */
export class BodyTooLargeError extends Error {
  readonly code = 'GATEWAY_BODY_TOO_LARGE';
}

export interface PreparedBody {
  body: Buffer | Transform | null;
  /** Sending it again on another backend sends the same bytes. */
  replayable: boolean;
  /** A body recorded as it streams (replay-body.ts): each try reads its own copy; `body` is then null. */
  forTry?(): Readable;
}

export const NO_BODY: PreparedBody = Object.freeze({ body: null, replayable: true });

/**
 * Small bodies (Content-Length within replayableBytes) are read whole first; anything else streams.
 * Rejects with BodyTooLargeError when the declared or counted size passes maxBytes.
 */
export async function prepareBody(req: IncomingMessage, contentLength: number | undefined, replayableBytes: number, maxBytes: number): Promise<PreparedBody> {
  if (contentLength !== undefined && contentLength > maxBytes) throw new BodyTooLargeError(`declared body of ${contentLength} bytes is over the ${maxBytes} byte limit`);
  if (contentLength !== undefined && contentLength <= replayableBytes) return { body: await readWhole(req), replayable: true };
  const counter = new ByteLimit(maxBytes);
  // pipe(), not pipeline(): when undici destroys the counter after a failed try, the client's request must survive.
  req.pipe(counter);
  req.once('error', (error) => counter.destroy(error));
  // undici listens for body errors only while a try is running; between tries an error must not crash the process.
  counter.on('error', ignoreBetweenTries);
  return { body: counter, replayable: false };
}

function ignoreBetweenTries(): void {}

function readWhole(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('client closed the connection while sending the body'));
    });
  });
}

class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) callback(new BodyTooLargeError(`body passed the ${this.maxBytes} byte limit`));
    else callback(null, chunk);
  }
}
