// The pool state a primary sends its workers: every pool's members with identity, health, ejection, drain and
// weight. Taken whole after a burst of changes (cheap next to a probe interval) and applied by membership diff
// plus LoadBalancer.mirror(), so a worker's picks follow the primary's verdicts and nothing else.
import type { Backend } from '../pool/backend.js';
import type { MirroredState } from '../pool/load-balancer-options.js';
import type { PoolSet } from '../pool/pool-set.js';

export interface MemberSnapshot extends MirroredState {
  backend: Backend;
}

export interface PoolSnapshot {
  name: string;
  members: MemberSnapshot[];
}

/** The primary's side: what every worker should hold now. */
export function takeSnapshot(pools: PoolSet): PoolSnapshot[] {
  return [...pools.all()].map((pool) => ({
    name: pool.name,
    members: pool.loadBalancer.list().map((member) => ({
      backend: member.backend,
      health: member.health.status,
      healthReason: member.health.reason,
      ejectedUntil: member.ejected ? member.passive!.ejectedUntil : 0,
      ejectReason: member.passive?.reason ?? '',
      draining: member.draining,
      weight: member.weight,
      why: member.why,
    })),
  }));
}

/** The worker's side: adds and removes members to match, then takes each one's state. */
export function applySnapshot(pools: PoolSet, snapshot: readonly PoolSnapshot[]): void {
  for (const { name, members } of snapshot) {
    const pool = pools.get(name);
    if (pool === undefined) continue; // a pool of a config this worker has not applied yet: the next state has it
    const wanted = new Set(members.map((member) => member.backend.id));
    for (const member of pool.loadBalancer.list()) {
      if (!wanted.has(member.id)) pool.remove(member.id, 'removed by the primary', 'primary');
    }
    for (const state of members) {
      const existing = pool.get(state.backend.id);
      // Compare identity with the backend as registered: the member's own weight may be an operator's change.
      const same = existing !== undefined && existing.backend.origin === state.backend.origin && existing.backend.weight === state.backend.weight && existing.backend.backup === state.backend.backup;
      if (!same) pool.add(state.backend, 'primary');
      pool.loadBalancer.mirror(state.backend.id, state);
    }
  }
}
