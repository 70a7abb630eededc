// The tries waiting for one backend's response headers, so they can be moved elsewhere when it goes away.
// An intrusive doubly linked list rather than a Set: under load, a long-lived Set that every request joins and
// leaves made V8 promote about 2.6 KB per request to the old generation (a Mark-Compact every few seconds);
// links kept in the tries themselves allocate nothing.

/** A try waiting for a backend's answer. The two links belong to the WaitingTries it is in. */
export interface WaitingTry {
  rescue(reason: string): void;
  waitingIn: WaitingTries | undefined;
  previousWaiting: WaitingTry | undefined;
  nextWaiting: WaitingTry | undefined;
}

export class WaitingTries {
  private head: WaitingTry | undefined;

  add(entry: WaitingTry): void {
    if (entry.waitingIn !== undefined) return;
    entry.waitingIn = this;
    entry.previousWaiting = undefined;
    entry.nextWaiting = this.head;
    if (this.head !== undefined) this.head.previousWaiting = entry;
    this.head = entry;
  }

  /** Removes the entry if it is in this list; a second delete does nothing. */
  delete(entry: WaitingTry): void {
    if (entry.waitingIn !== this) return;
    if (entry.previousWaiting !== undefined) entry.previousWaiting.nextWaiting = entry.nextWaiting;
    else this.head = entry.nextWaiting;
    if (entry.nextWaiting !== undefined) entry.nextWaiting.previousWaiting = entry.previousWaiting;
    entry.waitingIn = entry.previousWaiting = entry.nextWaiting = undefined;
  }

  /** A copy of the entries, so they may leave the list while the caller goes through them. */
  toArray(): WaitingTry[] {
    const entries: WaitingTry[] = [];
    for (let entry = this.head; entry !== undefined; entry = entry.nextWaiting) entries.push(entry);
    return entries;
  }
}
