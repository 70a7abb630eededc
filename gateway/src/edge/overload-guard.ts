// Gateway-wide admission, before routing: a request on a connection past limits.maxClientConnections, or while
// the event loop lags past overload.maxEventLoopDelayMs, or with overload.maxConcurrentRequests already in
// progress, gets a fast 503 (too_many_connections or overloaded) with Retry-After, so the requests let in keep
// their normal latency instead of everyone timing out. The admin listener is a separate server and keeps answering.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import type { OverloadConfig } from '../config-schema-overload.js';
import { OVERLOADED, TOO_MANY_CONNECTIONS, sendError, type GatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics, ShedReason } from '../observability/metrics.js';
import { OverloadConnections } from './overload-connections.js';
import { OverloadEventLoop } from './overload-event-loop.js';

/** Shedding is logged as one summary line per this period at most, never per request. */
const SUMMARY_MS = 10_000;

export interface OverloadGuardOptions {
  overload: OverloadConfig;
  maxClientConnections: number | null;
  metrics: GatewayMetrics | undefined;
  log: Logger;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export class OverloadGuard {
  /** Undefined when limits.maxClientConnections is null. */
  private readonly connections: OverloadConnections | undefined;
  private readonly eventLoop: OverloadEventLoop | undefined;
  /** Infinity when overload.maxConcurrentRequests is null. */
  private readonly maxConcurrent: number;
  /** Requests let in whose response has not closed yet (counted only when maxConcurrentRequests is set). */
  private concurrent = 0;
  private readonly retryAfter: Record<string, number>;
  /** Shed since the last summary line, by reason. */
  private readonly shedCounts = new Map<ShedReason, number>();
  private readonly summary: NodeJS.Timeout;

  /** undefined when every threshold is off: then nothing runs per request. */
  static create(options: OverloadGuardOptions): OverloadGuard | undefined {
    const { overload, maxClientConnections } = options;
    if (overload.maxEventLoopDelayMs === null && overload.maxConcurrentRequests === null && maxClientConnections === null) return undefined;
    return new OverloadGuard(options);
  }

  private constructor(private readonly options: OverloadGuardOptions) {
    const { overload, maxClientConnections, log } = options;
    this.connections = maxClientConnections === null ? undefined : new OverloadConnections(maxClientConnections);
    this.maxConcurrent = overload.maxConcurrentRequests ?? Infinity;
    this.retryAfter = { 'retry-after': overload.retryAfterSeconds };
    this.eventLoop = overload.maxEventLoopDelayMs === null ? undefined : new OverloadEventLoop(overload.maxEventLoopDelayMs, (over, delayMs) => {
      const fields = { eventLoopDelayMs: Math.round(delayMs), maxEventLoopDelayMs: overload.maxEventLoopDelayMs };
      if (over) log.warn(fields, `event loop delay ${fields.eventLoopDelayMs} ms is over overload.maxEventLoopDelayMs: shedding new requests`);
      else log.info(fields, `event loop delay ${fields.eventLoopDelayMs} ms is back under overload.maxEventLoopDelayMs: admitting requests`);
    });
    this.summary = setInterval(() => this.logSummary(), SUMMARY_MS);
    this.summary.unref();
  }

  /** The handler, behind admission. */
  wrap(handle: Handler): Handler {
    return (req, res) => {
      if (this.admit(req, res)) handle(req, res);
    };
  }

  /** Counts client connections against limits.maxClientConnections: the cleartext and h2c listeners', and the TLS one's (after the handshake). */
  watchConnections(cleartext: Server, tls: Server | undefined, h2c: Server | undefined): void {
    this.connections?.watch(cleartext, 'connection');
    if (tls !== undefined) this.connections?.watch(tls, 'secureConnection');
    if (h2c !== undefined) this.connections?.watch(h2c, 'connection');
  }

  /** true: the request goes on; false: it was answered 503 here. */
  admit(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.connections !== undefined && OverloadConnections.overCap(req.socket)) {
      res.shouldKeepAlive = false;
      return this.refuse(res, TOO_MANY_CONNECTIONS, 'client_connections');
    }
    if (this.eventLoop?.over === true) return this.refuse(res, OVERLOADED, 'event_loop_delay');
    if (this.concurrent >= this.maxConcurrent) return this.refuse(res, OVERLOADED, 'concurrent_requests');
    if (this.maxConcurrent !== Infinity) {
      this.concurrent += 1;
      res.once('close', this.release);
    }
    return true;
  }

  close(): void {
    clearInterval(this.summary);
    this.eventLoop?.close();
    this.logSummary();
  }

  private readonly release = (): void => {
    this.concurrent -= 1;
  };

  private refuse(res: ServerResponse, error: GatewayError, reason: ShedReason): false {
    sendError(res, error, randomUUID(), this.retryAfter);
    this.options.metrics?.observeShed(reason);
    this.shedCounts.set(reason, (this.shedCounts.get(reason) ?? 0) + 1);
    return false;
  }

  private logSummary(): void {
    if (this.shedCounts.size === 0) return;
    const shed = Object.fromEntries(this.shedCounts);
    this.shedCounts.clear();
    this.options.log.warn(
      { shed, concurrentRequests: this.concurrent, eventLoopDelayMs: this.eventLoop && Math.round(this.eventLoop.delayMs), clientConnections: this.connections?.open },
      `overload: shed ${Object.entries(shed).map(([reason, count]) => `${count} (${reason})`).join(', ')} in the last ${SUMMARY_MS / 1000} s`,
    );
  }
}
