/**
 * The tool containers of one run alive at once: a weighted, first-come first-served semaphore.
 * A task with services takes 1 + services slots; a request waits behind earlier ones even when
 * it would fit, so a big task is never starved by small ones.
 */
export class SlotsClosedError extends Error {
  constructor() {
    super("the run is ending");
    this.name = "SlotsClosedError";
  }
}

interface Waiter {
  weight: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class Slots {
  private used = 0;
  private readonly waiting: Waiter[] = [];
  private closed = false;

  constructor(readonly capacity: number) {}

  get inUse(): number {
    return this.used;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves once `weight` slots are taken; rejects with SlotsClosedError when closed first. */
  acquire(weight: number): Promise<void> {
    if (this.closed) return Promise.reject(new SlotsClosedError());
    if (weight > this.capacity) return Promise.reject(new RangeError(`${weight} slots asked, ${this.capacity} exist`));
    if (!this.waiting.length && this.used + weight <= this.capacity) {
      this.used += weight;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.waiting.push({ weight, resolve, reject }));
  }

  release(weight: number): void {
    this.used = Math.max(0, this.used - weight);
    while (this.waiting.length && this.used + this.waiting[0].weight <= this.capacity) {
      const w = this.waiting.shift()!;
      this.used += w.weight;
      w.resolve();
    }
  }

  /** Every waiter is rejected; later acquires fail at once. */
  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new SlotsClosedError());
  }
}
