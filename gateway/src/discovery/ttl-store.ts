// Registrations held by this gateway alone: one timer per backend, pushed back by every heartbeat;
// when it fires the registry hears `expired`. Used when registry.etcd is not configured.
import type { Registration } from './registration.js';
import type { RegistryStore, StoreEvents } from './registry.js';

interface Entry {
  timer: NodeJS.Timeout;
  lastHeartbeat: number;
}

export class TtlStore implements RegistryStore {
  readonly source = 'registry' as const;
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly events: StoreEvents,
  ) {}

  async put(id: string, _registration: Registration): Promise<boolean> {
    const created = !this.entries.has(id);
    this.arm(id);
    return created;
  }

  async renew(id: string): Promise<boolean> {
    if (!this.entries.has(id)) return false;
    this.arm(id);
    return true;
  }

  async delete(id: string): Promise<boolean> {
    const entry = this.entries.get(id);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.entries.delete(id);
    return true;
  }

  lastHeartbeat(id: string): number | undefined {
    return this.entries.get(id)?.lastHeartbeat;
  }

  async close(): Promise<void> {
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
  }

  private arm(id: string): void {
    clearTimeout(this.entries.get(id)?.timer);
    const timer = setTimeout(() => {
      this.entries.delete(id);
      this.events.expired(id);
    }, this.ttlMs);
    timer.unref();
    this.entries.set(id, { timer, lastHeartbeat: Date.now() });
  }
}
