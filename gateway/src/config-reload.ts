// Reloading the config (SIGHUP, POST /config/reload): read it again, validate, apply its pools and routes, follow
// its DNS names. A config that does not load or validate changes nothing: the old one keeps serving, and the
// failure is answered (400 naming the key), logged in one line and audited as reload-failed. Keys that only a
// restart applies (listeners, admin, registry, engine, limits, logging) are named in the answer, not applied.
import { ConfigError, type GatewayConfig } from './config.js';
import type { ControlPlane } from './control-plane.js';
import type { Logger } from './observability/logger.js';
import type { GatewayMetrics } from './observability/metrics.js';
import type { PlanDiff, TrafficPlan } from './traffic-plan.js';

/** Sections a running gateway cannot take over: they shape listeners, processes and stores built at start. */
const RESTART_ONLY = ['listen', 'admin', 'registry', 'proxy', 'limits', 'log', 'metrics', 'shutdown', 'audit', 'tls'] as const;

export type ReloadResult =
  | { ok: true; summary: string; diff: PlanDiff; needsRestart: string[] }
  | { ok: false; error: string };

export class ConfigReloader {
  constructor(
    private current: GatewayConfig,
    private readonly load: (() => GatewayConfig) | undefined,
    private readonly plan: TrafficPlan,
    private readonly control: ControlPlane,
    private readonly log: Logger,
    private readonly metrics: GatewayMetrics | undefined,
  ) {}

  reload(actor: string): ReloadResult {
    if (this.load === undefined) return this.fail(actor, 'this gateway was built without a config source to reload from');
    let next: GatewayConfig;
    try {
      next = this.load();
    } catch (error) {
      if (!(error instanceof ConfigError)) this.log.error({ err: error }, 'reading the config for a reload failed');
      return this.fail(actor, error instanceof ConfigError ? error.message : `the config cannot be read: ${(error as Error).message}`);
    }
    const diff = this.plan.apply(next);
    this.control.followDiscovery(this.plan.poolConfigs);
    const needsRestart = RESTART_ONLY.filter((key) => JSON.stringify(this.current[key]) !== JSON.stringify(next[key]));
    this.current = next;
    const summary = describeDiff(diff, needsRestart);
    this.control.audit.write({ event: 'reloaded', actor, reason: summary });
    this.log.info({ actor, ...diff, needsRestart }, `config reloaded: ${summary}`);
    this.metrics?.observeReload(true);
    return { ok: true, summary, diff, needsRestart };
  }

  private fail(actor: string, error: string): ReloadResult {
    this.control.audit.write({ event: 'reload-failed', actor, reason: error });
    this.log.warn({ actor, error }, `config reload refused, the running config stays: ${error}`);
    this.metrics?.observeReload(false);
    return { ok: false, error };
  }
}

/** One line: `pools +api -web ~default =static; routes 2 → 3; restart needed for listen`. */
function describeDiff(diff: PlanDiff, needsRestart: readonly string[]): string {
  const pools = [...diff.added.map((name) => `+${name}`), ...diff.removed.map((name) => `-${name}`), ...diff.replaced.map((name) => `~${name}`), ...diff.kept.map((name) => `=${name}`)];
  const restart = needsRestart.length > 0 ? `; needs a restart to apply: ${needsRestart.join(', ')}` : '';
  return `pools ${pools.join(' ')}; routes ${diff.routes.before} → ${diff.routes.after}${restart}`;
}
