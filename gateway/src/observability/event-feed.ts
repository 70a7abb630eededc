// The feed of backend state changes the dashboard shows: the recent ones kept in a ring, new ones pushed to listeners.
// Fed from the load balancer's onChange, so it sees exactly what the health log line and the metrics see.
import type { PoolChange } from '../pool/load-balancer-options.js';

export interface StateEvent {
  /** Increasing from 1; an SSE client sends the last one it saw (Last-Event-ID) to resume without repeats. */
  id: number;
  /** Epoch ms. */
  time: number;
  backend: string;
  url: string;
  from: string;
  to: string;
  reason: string;
}

export type StateEventListener = (event: StateEvent) => void;

/** Enough history to fill the dashboard's feed on open without holding much memory. */
export const DEFAULT_EVENT_HISTORY = 200;

export class EventFeed {
  private readonly recent: StateEvent[] = [];
  private readonly listeners = new Set<StateEventListener>();
  private nextId = 1;

  constructor(private readonly history = DEFAULT_EVENT_HISTORY) {}

  record(change: PoolChange): StateEvent {
    const event: StateEvent = {
      id: this.nextId++,
      time: Date.now(),
      backend: change.backend.id,
      url: change.backend.origin,
      from: change.from,
      to: change.to,
      reason: change.reason,
    };
    this.recent.push(event);
    if (this.recent.length > this.history) this.recent.shift();
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** Kept events newer than afterId, oldest first. */
  since(afterId = 0): StateEvent[] {
    return this.recent.filter((event) => event.id > afterId);
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: StateEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
