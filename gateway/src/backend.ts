// Backend identity: who a pool member is (id, origin, weight, backup, source), apart from its health.
import type { BackendSpec } from './config.js';

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
}

export function createBackend(spec: BackendSpec & { id: string }, source: BackendSource): Backend {
  return Object.freeze({
    id: spec.id,
    origin: new URL(spec.url).origin,
    weight: spec.weight,
    backup: spec.backup,
    source,
  });
}

/** Static backends from the config; unnamed ones are backend-1, backend-2… by position. */
export function staticBackends(specs: readonly BackendSpec[]): Backend[] {
  return specs.map((spec, index) => createBackend({ ...spec, id: spec.id ?? `backend-${index + 1}` }, 'static'));
}
