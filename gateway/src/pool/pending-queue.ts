// The requests of one pool waiting for a backend slot: every available backend was at concurrency.maxPerBackend
// when they came (Envoy's circuit breaker with a queue, nginx's `max_conns` + `queue`, HAProxy's `timeout queue`).
// FIFO and bounded by maxPending. Every request waits the same queueTimeoutMs, so they expire in the order they
// came: one timer for the head is enough. An intrusive list, like WaitingTries: a wait allocates nothing.

/** A request waiting in a PendingQueue. The links and the deadline belong to the queue it is in. */
export interface PendingRequest {
  /** A slot may be free: take it, or give up for good (no backend left); false while every candidate is still at its cap. */
  admit(): boolean;
  /** It waited queueTimeoutMs without a slot. */
  expire(): void;
  pendingIn: PendingQueue | undefined;
  previousPending: PendingRequest | undefined;
  nextPending: PendingRequest | undefined;
  /** Epoch ms when it stops waiting. */
  pendingUntil: number;
}

export class PendingQueue {
  private head: PendingRequest | undefined;
  private tail: PendingRequest | undefined;
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private wakeScheduled = false;

  constructor(
    readonly maxPending: number,
    readonly timeoutMs: number,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Queues the request at the tail; false when maxPending requests are already waiting. */
  enqueue(request: PendingRequest): boolean {
    if (request.pendingIn !== undefined) return true;
    if (this.count >= this.maxPending) return false;
    request.pendingUntil = Date.now() + this.timeoutMs;
    this.link(request, this.tail, undefined);
    if (this.timer === undefined) this.arm();
    return true;
  }

  /** Takes the request out (it was admitted, or its client left); a second delete does nothing. */
  delete(request: PendingRequest): void {
    if (request.pendingIn !== this) return;
    if (request.previousPending !== undefined) request.previousPending.nextPending = request.nextPending;
    else this.head = request.nextPending;
    if (request.nextPending !== undefined) request.nextPending.previousPending = request.previousPending;
    else this.tail = request.previousPending;
    request.pendingIn = request.previousPending = request.nextPending = undefined;
    this.count -= 1;
    if (this.count === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /**
   * A slot freed or the set of backends changed: let the waiters try, oldest first. After the current call stack,
   * so the try that freed the slot has finished its own bookkeeping (and its retry, if any, is queued behind).
   */
  wake(): void {
    if (this.count === 0 || this.wakeScheduled) return;
    this.wakeScheduled = true;
    queueMicrotask(this.drain);
  }

  /** Admits waiters from the head until one still finds every backend busy: it keeps its place. */
  private readonly drain = (): void => {
    this.wakeScheduled = false;
    for (let request = this.head; request !== undefined; request = this.head) {
      // Out of the queue while it tries: a failed try may send it back through enqueue.
      const { pendingUntil } = request;
      this.delete(request);
      if (request.admit()) continue;
      request.pendingUntil = pendingUntil;
      this.link(request, undefined, this.head);
      if (this.timer === undefined) this.arm();
      return;
    }
  };

  private link(request: PendingRequest, previous: PendingRequest | undefined, next: PendingRequest | undefined): void {
    request.pendingIn = this;
    request.previousPending = previous;
    request.nextPending = next;
    if (previous !== undefined) previous.nextPending = request;
    else this.head = request;
    if (next !== undefined) next.previousPending = request;
    else this.tail = request;
    this.count += 1;
  }

  private arm(): void {
    this.timer = setTimeout(this.expireDue, Math.max(0, this.head!.pendingUntil - Date.now()));
    this.timer.unref();
  }

  private readonly expireDue = (): void => {
    this.timer = undefined;
    const now = Date.now();
    while (this.head !== undefined && this.head.pendingUntil <= now) {
      const request = this.head;
      this.delete(request);
      request.expire();
    }
    if (this.head !== undefined && this.timer === undefined) this.arm();
  };
}
