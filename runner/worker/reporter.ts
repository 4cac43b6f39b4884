/**
 * One run's events on their way to the hub (`POST /api/worker/runs/{id}/events`): numbered from 1,
 * sent in order in batches (every ~50 ms, or at once past 200 waiting; a batch within the hub's
 * EVENT_BATCH_LIMITS, in events and in bytes), and dropped only once the
 * hub acknowledged them. While the hub is unreachable they are kept and resent with backoff; past
 * `memoryEvents` waiting, further events go to `<spoolDir>/<runId>.ndjson` and are read back in
 * order, so a long outage loses nothing and costs no memory. The hub applies each seq once, so a
 * batch resent after a lost answer is harmless. The run's final event is the last one and is
 * retried until acknowledged.
 */
import { appendFile, mkdir, open, rm } from "node:fs/promises";
import path from "node:path";
import { backoffMs, sleep, type Backoff } from "../src/backoff.ts";
import { HubError, isTransient, type HubClient } from "./hub-client.ts";
import { EVENT_BATCH_LIMITS, INSTANCE_HEADER, type EventsResponse, type ReportedEvent } from "./protocol.ts";

export interface ReporterOptions {
  flushMs: number;
  /** events in one request, and bytes of their JSON (a single larger event goes alone) */
  batchEvents: number;
  batchBytes: number;
  /** events kept in memory while unsent; more go to the spool file */
  memoryEvents: number;
  /** and at most about this many bytes of them (log lines may be long) */
  memoryBytes: number;
  spoolDir: string;
  backoff: Backoff;
}

export const DEFAULT_REPORTER_OPTIONS: Omit<ReporterOptions, "spoolDir"> = {
  flushMs: 50,
  batchEvents: 200,
  // the request's own JSON around the events takes well under this margin
  batchBytes: EVENT_BATCH_LIMITS.bytes - 4096,
  memoryEvents: 10_000,
  memoryBytes: 16 * 1024 * 1024,
  backoff: { baseMs: 250, maxMs: 10_000 },
};

interface Numbered {
  seq: number;
  event: ReportedEvent;
}

export class RunReporter {
  private nextSeq = 1;
  private acked = 0;
  /** unacknowledged events in memory, oldest first (all older than the spooled ones) */
  private readonly memory: (Numbered & { bytes: number })[] = [];
  private memoryBytes = 0;
  /** events in the spool file not yet read back */
  private spooled = 0;
  private spoolOffset = 0;
  private spoolWrites: Promise<void> = Promise.resolve();
  /** spooled lines not yet written */
  private readonly spoolBuffer: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private finalSeq: number | null = null;
  private abandoned: string | null = null;
  private readonly stopped = new AbortController();
  private settle!: () => void;
  /** resolves once every event up to the final one is acknowledged (or the reporter gave up) */
  readonly delivered: Promise<void>;

  constructor(
    private readonly hub: HubClient,
    readonly runId: string,
    private readonly instance: string,
    private readonly opts: ReporterOptions,
    private readonly onCancel: (reason: string) => void,
    private readonly log: (msg: string, fields?: Record<string, unknown>) => void,
  ) {
    this.delivered = new Promise((resolve) => (this.settle = resolve));
  }

  private get spoolFile(): string {
    return path.join(this.opts.spoolDir, `${this.runId}.ndjson`);
  }

  /** the highest seq the hub acknowledged */
  get acknowledged(): number {
    return this.acked;
  }

  push(event: ReportedEvent): void {
    if (this.finalSeq !== null || this.abandoned) return;
    const n: Numbered = { seq: this.nextSeq++, event };
    if (event.type === "run.finished") this.finalSeq = n.seq;
    const line = JSON.stringify(n) + "\n";
    const bytes = Buffer.byteLength(line);
    if (this.spooled > 0 || this.memory.length >= this.opts.memoryEvents || this.memoryBytes + bytes > this.opts.memoryBytes) {
      this.spooled++;
      this.spoolBuffer.push(line);
      if (this.spoolBuffer.length === 1) this.spoolWrites = this.spoolWrites.then(() => this.flushSpool()).catch((err: Error) => this.spoolFailed(err));
    } else this.keep(n, bytes);
    if (this.memory.length + this.spooled >= this.opts.batchEvents || this.finalSeq !== null) this.kick(0);
    else this.kick(this.opts.flushMs);
  }

  /** Gives up delivering (the hub will never take these events: the run is not ours any more, or the worker exits). */
  abandon(why: string): void {
    if (this.abandoned) return;
    this.abandoned = why;
    this.stopped.abort();
    if (this.timer) clearTimeout(this.timer);
    void this.spoolWrites.then(() => rm(this.spoolFile, { force: true }));
    this.settle();
  }

  private kick(delayMs: number) {
    if (this.sending || this.abandoned) return;
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sending = this.sendAll().finally(() => {
        this.sending = null;
        if (this.pending() && !this.abandoned) this.kick(0);
      });
    }, delayMs);
  }

  private pending(): boolean {
    return this.memory.length > 0 || this.spooled > 0;
  }

  /** Sends batches until nothing is waiting; failures back off and retry. */
  private async sendAll(): Promise<void> {
    let failures = 0;
    while (this.pending() && !this.abandoned) {
      if (this.memory.length === 0) {
        try {
          await this.readSpool();
        } catch (err) {
          return this.spoolFailed(err as Error);
        }
      }
      const batch = this.nextBatch();
      try {
        const res = await this.hub.post<EventsResponse>(
          `/api/worker/runs/${encodeURIComponent(this.runId)}/events`,
          { instance: this.instance, events: batch },
          { signal: this.stopped.signal, headers: { [INSTANCE_HEADER]: this.instance } },
        );
        if (res.cancel) this.onCancel(res.cancel);
        if (this.ack(typeof res.acked === "number" ? res.acked : 0)) failures = 0;
        else {
          // the hub answered but recorded none of them (it wants an earlier seq it lost?): resend, slowly
          failures++;
          await sleep(backoffMs(failures, this.opts.backoff), this.stopped.signal);
        }
      } catch (err) {
        if (this.abandoned) return;
        if (!isTransient(err)) {
          const e = err as Error;
          this.log("the hub refused the run's events; they are dropped", { run: this.runId, error: e.message, status: err instanceof HubError ? err.status : undefined });
          this.abandon(e.message);
          return;
        }
        failures++;
        if (failures === 1) this.log("the hub does not take the run's events for now; keeping them", { run: this.runId, error: (err as Error).message });
        await sleep(backoffMs(failures, this.opts.backoff), this.stopped.signal);
      }
    }
    if (this.finalSeq !== null && this.acked >= this.finalSeq) {
      await this.spoolWrites.catch(() => undefined);
      await rm(this.spoolFile, { force: true });
      this.settle();
    }
  }

  /** The oldest waiting events, as many as fit in one request (always at least one). */
  private nextBatch(): Numbered[] {
    const batch: Numbered[] = [];
    let bytes = 0;
    for (const n of this.memory) {
      if (batch.length >= this.opts.batchEvents || (batch.length > 0 && bytes + n.bytes > this.opts.batchBytes)) break;
      batch.push({ seq: n.seq, event: n.event });
      bytes += n.bytes;
    }
    return batch;
  }

  /** Drops what the hub has recorded; false when that was nothing of what is waiting. */
  private ack(acked: number): boolean {
    if (acked > this.acked) this.acked = acked;
    let drop = 0;
    while (drop < this.memory.length && this.memory[drop].seq <= this.acked) drop++;
    for (const n of this.memory.splice(0, drop)) this.memoryBytes -= n.bytes;
    return drop > 0;
  }

  private keep(n: Numbered, bytes: number) {
    this.memory.push({ ...n, bytes });
    this.memoryBytes += bytes;
  }

  /** A spool that cannot be written or read back (a full disk): the report is given up, loudly, rather than sent with a gap. */
  private spoolFailed(err: Error): void {
    this.log("the run's spooled events could not be kept; its report is dropped", { run: this.runId, error: err.message });
    this.abandon(`the event spool failed: ${err.message}`);
  }

  /** Appends what waits in `spoolBuffer` in one write (events come much faster than files open). */
  private async flushSpool(): Promise<void> {
    const lines = this.spoolBuffer.splice(0);
    await mkdir(this.opts.spoolDir, { recursive: true, mode: 0o700 });
    await appendFile(this.spoolFile, lines.join(""), { mode: 0o600 });
  }

  /** Moves the oldest spooled events (up to a batch) back into memory. */
  private async readSpool(): Promise<void> {
    await this.spoolWrites;
    const want = this.opts.batchEvents;
    const file = await open(this.spoolFile, "r");
    try {
      for (let size = 1024 * 1024; ; size *= 2) {
        const buf = Buffer.alloc(size);
        const { bytesRead } = await file.read(buf, 0, size, this.spoolOffset);
        let start = 0;
        let read = 0;
        for (let nl = buf.indexOf(10, start); read < want && nl >= 0 && nl < bytesRead; nl = buf.indexOf(10, start)) {
          this.keep(JSON.parse(buf.toString("utf8", start, nl)) as Numbered, nl - start + 1);
          this.spooled--;
          read++;
          start = nl + 1;
        }
        this.spoolOffset += start;
        // nothing whole in the buffer: one event longer than it (a big final result); read more at once
        if (read > 0 || bytesRead < size) break;
      }
    } finally {
      await file.close();
    }
    if (this.spooled === 0) {
      this.spoolOffset = 0;
      await rm(this.spoolFile, { force: true });
    }
  }
}
