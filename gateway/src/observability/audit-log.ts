// The audit log: one JSON line per membership or state change, and per refused admin call, appended to a file.
// Written through an fs WriteStream so a record never blocks the event loop; the file survives restarts (append).
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { PoolChange } from '../pool/load-balancer-options.js';

export type AuditEvent =
  | 'registered' | 'added' | 'expired' | 'deregistered' | 'removed'
  | 'up' | 'down' | 'unknown' | 'ejected' | 'drained' | 'enabled' | 'weight' | 'auth-failure' | 'route-split' | 'reloaded' | 'reload-failed'
  | 'tls-reloaded' | 'tls-reload-failed' | 'workers-restart';

export interface AuditRecord {
  time: string;
  event: AuditEvent;
  backend?: string;
  url?: string;
  /** Who caused it: the admin client's address, or health / passive / ttl / dns / etcd / config. */
  actor: string;
  reason: string;
  from?: string;
  to?: string;
  [extra: string]: unknown;
}

export class AuditLog {
  private readonly stream: WriteStream | undefined;

  /** An empty path switches the audit log off (records are dropped). */
  constructor(readonly file: string, onError: (error: Error) => void) {
    if (file === '') return;
    mkdirSync(dirname(file), { recursive: true });
    this.stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
    // A full disk must not crash the gateway; the caller logs it.
    this.stream.on('error', onError);
  }

  write(record: Omit<AuditRecord, 'time'>): void {
    if (!this.stream || this.stream.destroyed) return;
    this.stream.write(`${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
  }

  /** The audit record for a load balancer change. */
  recordChange(change: PoolChange): void {
    this.write({
      event: auditEvent(change),
      backend: change.backend.id,
      url: change.backend.origin,
      actor: change.actor ?? defaultActor(change),
      reason: change.reason,
      from: change.from,
      to: change.to,
      ...(change.weight ? { weightFrom: change.weight.from, weightTo: change.weight.to } : {}),
    });
  }

  /** Flushes what is buffered and closes the file. */
  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream || stream.destroyed) return;
    await new Promise<void>((resolve) => stream.end(resolve));
  }
}

/** Names a change the way an operator searches for it. */
export function auditEvent(change: PoolChange): AuditEvent {
  if (change.weight) return 'weight';
  if (change.from === 'absent') return change.backend.source === 'registry' || change.backend.source === 'etcd' ? 'registered' : 'added';
  if (change.to === 'absent') {
    if (change.actor === 'ttl') return 'expired';
    return change.backend.source === 'registry' || change.backend.source === 'etcd' ? 'deregistered' : 'removed';
  }
  if (change.to === 'draining') return 'drained';
  if (change.from === 'draining') return 'enabled';
  return change.to;
}

function defaultActor(change: PoolChange): string {
  if (change.to === 'ejected' || change.from === 'ejected') return 'passive';
  if (change.from === 'absent' || change.to === 'absent') return change.backend.source === 'static' ? 'config' : change.backend.source;
  return 'health';
}
