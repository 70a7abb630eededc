// Backend identity: who a pool member is (id, origin, weight, backup, source), apart from its health.
import type { BackendSpec } from '../config.js';

/** Where a backend came from; health and operator state survive a re-discovery because they are keyed by id. */
export type BackendSource = 'static' | 'registry' | 'dns' | 'etcd';

export interface Backend {
  readonly id: string;
  /** Normalised origin, e.g. `http://127.0.0.1:3001`: requests go to origin + client path. */
  readonly origin: string;
  readonly weight: number;
  /** Used only when no primary backend is available. */
  readonly backup: boolean;
  readonly source: BackendSource;
  /** The upstream pool it belongs to (a name from config.pools; `default` for the single-pool config). */
  readonly pool: string;
}

export function createBackend(spec: BackendSpec & { id: string }, source: BackendSource, pool: string): Backend {
  return Object.freeze({
    id: spec.id,
    origin: new URL(spec.url).origin,
    weight: spec.weight,
    backup: spec.backup,
    source,
    pool,
  });
}

/** Static backends of a pool; unnamed ones are backend-1, backend-2… in `default`, POOL-1, POOL-2… elsewhere. */
export function staticBackends(specs: readonly BackendSpec[], pool: string): Backend[] {
  return specs.map((spec, index) => createBackend({ ...spec, id: spec.id ?? defaultBackendId(pool, index) }, 'static', pool));
}

/** Ids are unique across pools, so /pool/:id and the metrics name one backend. */
export function defaultBackendId(pool: string, index: number): string {
  return `${pool === 'default' ? 'backend' : pool}-${index + 1}`;
}
