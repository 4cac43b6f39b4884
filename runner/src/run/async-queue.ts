/**
 * A push-driven async iterable: producers `push`, one consumer iterates with `for await`.
 * It ends after `end()` once the queued items are consumed, or at once when `signal` aborts.
 * Run.events() and the hub's live stream are built on it.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private head = 0;
  private ended = false;
  private wake: (() => void) | null = null;

  constructor(private readonly signal?: AbortSignal) {
    signal?.addEventListener("abort", () => this.wakeUp(), { once: true });
  }

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.wakeUp();
  }

  /** No more items: iteration ends once those already queued are consumed. */
  end(): void {
    this.ended = true;
    this.wakeUp();
  }

  get size(): number {
    return this.items.length - this.head;
  }

  private wakeUp() {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private take(): T {
    const item = this.items[this.head++];
    // an array used as a queue: compact now and then instead of O(n) shift() per item
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.signal?.aborted) return;
      if (this.size > 0) {
        yield this.take();
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/**
 * Iterates what `subscribe` delivers until `last(item)` is true (that item included), `signal`
 * aborts or the consumer stops; the subscription is removed in every case.
 */
export async function* subscribeIterator<T>(
  subscribe: (push: (item: T) => void) => () => void,
  opts: { last?: (item: T) => boolean; signal?: AbortSignal } = {},
): AsyncGenerator<T> {
  const queue = new AsyncQueue<T>(opts.signal);
  const off = subscribe((item) => {
    queue.push(item);
    if (opts.last?.(item)) queue.end();
  });
  try {
    yield* queue;
  } finally {
    off();
  }
}
