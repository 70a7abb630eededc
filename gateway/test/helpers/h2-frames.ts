// Raw HTTP/2 frames for attack tests: what a hostile client writes on a socket, byte for byte, where node:http2
// would refuse or pace it (floods, an HPACK bomb, streams past the announced limit). Cleartext (h2c) only.
import { connect, type Socket } from 'node:net';

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
export const FRAME = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, CONTINUATION: 9 } as const;
export const FLAG = { END_STREAM: 0x1, END_HEADERS: 0x4 } as const;

export function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** RFC 7541 §5.1 integer with an N-bit prefix. */
function hpackInteger(value: number, prefixBits: number, firstByte = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([firstByte | value]);
  const bytes = [firstByte | max];
  let rest = value - max;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A literal field added to the dynamic table (RFC 7541 §6.2.1), name and value not Huffman-coded. */
export function literalIndexed(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0x40]), hpackInteger(name.length, 7), Buffer.from(name), hpackInteger(value.length, 7), Buffer.from(value)]);
}

/** GET / over http (static table entries 2, 6, 4) with this :authority. */
export function getRequestBlock(authority: string): Buffer {
  return Buffer.concat([Buffer.from([0x82, 0x86, 0x84]), literalIndexed(':authority', authority)]);
}

/** A header block as HEADERS plus CONTINUATION frames of at most 16 KiB (the default max frame size). */
export function headerFrames(stream: number, block: Buffer, endStream = true): Buffer {
  const frames: Buffer[] = [];
  for (let offset = 0; offset < block.length || offset === 0; offset += 16_384) {
    const last = offset + 16_384 >= block.length;
    const first = offset === 0;
    frames.push(frame(first ? FRAME.HEADERS : FRAME.CONTINUATION, (first && endStream ? FLAG.END_STREAM : 0) | (last ? FLAG.END_HEADERS : 0), stream, block.subarray(offset, offset + 16_384)));
  }
  return Buffer.concat(frames);
}

export interface RawH2Connection {
  socket: Socket;
  /** Resolves when the server closed the connection, with the GOAWAY error code if one came (undefined if none was read). */
  closed: Promise<{ goaway: number | undefined }>;
}

/** Connects, sends the preface and an empty SETTINGS; with read false the client never reads (acks pile up on the server). */
export function rawH2(port: number, { read = true } = {}): RawH2Connection {
  const socket = connect(port, '127.0.0.1');
  let goaway: number | undefined;
  let pending = Buffer.alloc(0);
  socket.on('data', (data: Buffer) => {
    pending = Buffer.concat([pending, data]);
    while (pending.length >= 9 && pending.length >= 9 + pending.readUIntBE(0, 3)) {
      const length = pending.readUIntBE(0, 3);
      if (pending[3] === FRAME.GOAWAY) goaway = pending.readUInt32BE(13);
      pending = pending.subarray(9 + length);
    }
  });
  if (!read) socket.pause();
  socket.on('error', () => {}); // EPIPE/ECONNRESET when the server cuts a flood: what the tests expect
  socket.write(Buffer.concat([PREFACE, frame(FRAME.SETTINGS, 0, 0)]));
  const closed = new Promise<{ goaway: number | undefined }>((resolve) => socket.once('close', () => resolve({ goaway })));
  return { socket, closed };
}
