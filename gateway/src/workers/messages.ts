// The IPC messages between the primary and its traffic workers (node:cluster's channel, JSON): the config and
// pool state going out, listening addresses, passive failures, load and metrics coming back.
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { GatewayConfig } from '../config.js';
import type { TrafficAddresses } from './gateway-role.js';
import type { PoolSnapshot } from './pool-snapshot.js';
import type { ReportedTotals } from './request-totals-sum.js';

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** Primary → worker. */
export type ToWorker =
  /** Build and listen with this config and pool state; the answer to the worker's ready. */
  | { type: 'gateway:init'; config: GatewayConfig; pools: PoolSnapshot[] }
  /** The pool state after a change; config is set after a reload (routes and pools to apply first). */
  | { type: 'gateway:state'; config?: GatewayConfig; pools: PoolSnapshot[] }
  | { type: 'gateway:metrics-request'; id: number }
  /** Stop accepting, finish in-flight requests, exit 0 (shutdown or the old side of a rolling restart). */
  | { type: 'gateway:drain' };

/** Worker → primary. */
export type ToPrimary =
  /** Its message handler is in place (a message sent before would be lost): the primary sends init. */
  | { type: 'gateway:ready' }
  | { type: 'gateway:listening'; addresses: TrafficAddresses }
  /** Its listener could not bind: the primary fails the start with Node's code and address. */
  | { type: 'gateway:listen-failed'; code: string; address: string; port: number }
  /** A live-traffic failure the primary counts toward a passive ejection. */
  | { type: 'gateway:failure'; backend: string; reason: string }
  /** About once a second: requests in flight and served, per backend id; the dashboard's totals (metrics on). */
  | { type: 'gateway:load'; members: [id: string, inFlight: number, served: number][]; totals?: ReportedTotals }
  | { type: 'gateway:metrics'; id: number; metrics: MetricsJson }
  /** Once, from a draining worker after its last request and before it exits: its counts outlive it in /metrics. */
  | { type: 'gateway:final-metrics'; metrics: MetricsJson };

/** Messages on the channel that are not ours (prom-client's, Node's internal ones) are ignored. */
export function isGatewayMessage<T extends { type: string }>(message: unknown): message is T {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string' && (message as { type: string }).type.startsWith('gateway:');
}
