// What a gRPC call adds to forwarding one request: its deadline (grpc-timeout), the status it ends with (from
// the backend's headers of a trailers-only answer, its trailers, or the gateway's own error) and how the
// response ends: the backend's trailers handed on, or the gateway's status. Made per call, only for grpc pools.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { GatewayError } from '../errors.js';
import { GRPC_CANCELLED, GRPC_UNAVAILABLE, grpcMessage, grpcStatusOf, parseGrpcStatus, parseGrpcTimeout, sendGrpcError } from './grpc-errors.js';

/** What a grpc pool's forwarding shares; built once per pool. */
export interface GrpcSettings {
  /** Called once per call with its final status code (metrics). */
  onStatus?: ((code: number) => void) | undefined;
}

/** Trailers as undici gives them: a raw [name, value…] list over HTTP/1.1, an object over HTTP/2. */
export type RawTrailers = readonly (string | Buffer)[] | Record<string, string | string[]> | null | undefined;

/** Never passed on as trailers: connection-specific fields, and pseudo-headers an HTTP/2 peer may list. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

export class GrpcCall {
  /** The status the call ended with; undefined while unknown. */
  status: number | undefined;
  /** From grpc-timeout: every try must have its response headers within what is left of it. */
  readonly deadlineMs: number | undefined;
  private readonly startedAt = Date.now();

  constructor(req: IncomingMessage) {
    const timeout = req.headers['grpc-timeout'];
    this.deadlineMs = parseGrpcTimeout(typeof timeout === 'string' ? timeout : undefined);
  }

  /** Milliseconds left of the deadline (at least 1), or undefined without one. */
  remainingMs(): number | undefined {
    return this.deadlineMs === undefined ? undefined : Math.max(1, this.deadlineMs - (Date.now() - this.startedAt));
  }

  expired(): boolean {
    return this.deadlineMs !== undefined && Date.now() - this.startedAt >= this.deadlineMs;
  }

  /** Notes the status of a trailers-only answer (grpc-status among the headers); true when it is UNAVAILABLE. */
  readHeaders(raw: Buffer[]): boolean {
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i]!.length === 11 && raw[i]!.toString('latin1').toLowerCase() === 'grpc-status') this.status = parseGrpcStatus(raw[i + 1]!.toString('latin1'));
    }
    return this.status === GRPC_UNAVAILABLE;
  }

  /** The backend's trailers as res.addTrailers takes them; notes grpc-status. */
  trailers(trailers: RawTrailers): OutgoingHttpHeaders | undefined {
    if (trailers == null) return undefined;
    const out: OutgoingHttpHeaders = {};
    const add = (name: string, value: string | string[]) => {
      const lower = name.toLowerCase();
      if (lower.startsWith(':') || NOT_FORWARDED.has(lower)) return;
      if (lower === 'grpc-status') this.status = parseGrpcStatus(Array.isArray(value) ? value[0] : value);
      out[lower] = value;
    };
    if (isList(trailers)) {
      for (let i = 0; i < trailers.length; i += 2) add(trailers[i]!.toString('latin1'), trailers[i + 1]!.toString('latin1'));
    } else {
      for (const [name, value] of Object.entries(trailers)) add(name, value);
    }
    return out;
  }

  /**
   * Adds the backend's trailers to the response. A 200 answer that ended without a gRPC status gets UNAVAILABLE
   * (undici reports a stream reset after the data as a plain end). True when these trailers made the call
   * UNAVAILABLE: the caller counts that against the backend.
   */
  passTrailers(res: ServerResponse, httpStatus: number, raw: RawTrailers): boolean {
    const before = this.status;
    let trailers = this.trailers(raw);
    if (this.status === undefined && httpStatus === 200) {
      this.status = GRPC_UNAVAILABLE;
      trailers = { ...trailers, 'grpc-status': String(GRPC_UNAVAILABLE), 'grpc-message': grpcMessage('the backend failed mid-call: its stream ended without a gRPC status') };
    }
    if (trailers !== undefined) res.addTrailers(trailers);
    return this.status === GRPC_UNAVAILABLE && before !== GRPC_UNAVAILABLE;
  }

  /** Ends a response already under way with the gateway's status in its trailers. */
  endWithStatus(res: ServerResponse, code: number, message: string): void {
    this.status = code;
    res.addTrailers({ 'grpc-status': String(code), 'grpc-message': grpcMessage(message) });
    res.end();
  }

  /** Answers with the gateway's error as a trailers-only gRPC status, before any response went out. */
  refuse(res: ServerResponse, error: GatewayError, requestId: string): void {
    this.status = grpcStatusOf(error);
    sendGrpcError(res, error, requestId);
  }

  /** The client left before the call ended. */
  cancelled(): void {
    this.status ??= GRPC_CANCELLED;
  }
}

function isList(trailers: NonNullable<RawTrailers>): trailers is readonly (string | Buffer)[] {
  return Array.isArray(trailers);
}
