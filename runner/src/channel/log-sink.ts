/**
 * Container output → log lines, with every byte stream capped: a line longer than
 * `logLineBytes` is emitted cut with a marker and the rest of it, up to the next newline, is
 * dropped as it arrives (never accumulated); beyond `taskLogBytes` a task's output is dropped
 * with one notice while its stream keeps being drained. With a run's secrets, every line is
 * masked before it leaves (secrets/mask.ts): each stream of each task through its own window,
 * so a secret split across consecutive lines is found; a line held because it ends with the
 * beginning of a secret goes out with the next line, when its stream ends, or after HOLD_MS.
 */
import type { LogLine } from "../types.ts";
import { SecretMasker, type LineMasker } from "../secrets/mask.ts";

/** How long a line that ends with the beginning of a secret waits for the next line of its stream. */
export const HOLD_MS = 1000;

export interface LogLimits {
  taskLogBytes: number;
  logLineBytes: number;
}

type Stream = "stdout" | "stderr";

const NL = 0x0a;

export function formatBytes(n: number): string {
  const one = (v: number) => v.toFixed(1).replace(/\.0$/, "");
  if (n >= 1024 * 1024) return `${one(n / (1024 * 1024))} MiB`;
  if (n >= 1024) return `${one(n / 1024)} KiB`;
  return `${n} bytes`;
}

/** Splits a byte stream into lines of at most `max` bytes; `emit(line, cut)` once per line. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = false;

  constructor(
    private readonly max: number,
    private readonly emit: (line: Buffer, cut: boolean) => void,
  ) {}

  write(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NL, start);
      const end = nl < 0 ? chunk.length : nl;
      if (!this.discarding && end > start) {
        const room = this.max - this.size;
        const piece = chunk.subarray(start, Math.min(end, start + room));
        // a copy: a kept piece must not pin the (possibly large) chunk it came in
        if (piece.length) this.parts.push(nl < 0 ? Buffer.from(piece) : piece);
        this.size += piece.length;
        if (end - start > room) {
          this.flushLine(true);
          this.discarding = true;
        }
      }
      if (nl < 0) return;
      if (this.discarding) this.discarding = false;
      else this.flushLine(false);
      start = nl + 1;
    }
  }

  /** What is left without a final newline becomes a line. */
  end(): void {
    if (this.size > 0 && !this.discarding) this.flushLine(false);
    this.parts = [];
    this.size = 0;
    this.discarding = false;
  }

  private flushLine(cut: boolean) {
    const line = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.emit(line, cut);
  }
}

interface TaskLog {
  bytes: number;
  over: boolean;
  splitters: Partial<Record<Stream, LineSplitter>>;
  maskers: Partial<Record<Stream, { window: LineMasker; timer: NodeJS.Timeout | null }>>;
}

export class LogSink {
  private readonly tasks = new Map<number, TaskLog>();

  constructor(
    private readonly limits: LogLimits,
    private readonly push: (log: LogLine) => void,
    private readonly now: () => string = () => new Date().toISOString(),
    /** the run's secrets (none: lines pass as they are) */
    private readonly masker: SecretMasker = new SecretMasker([]),
  ) {}

  private task(task: number): TaskLog {
    let t = this.tasks.get(task);
    if (!t) {
      t = { bytes: 0, over: false, splitters: {}, maskers: {} };
      this.tasks.set(task, t);
    }
    return t;
  }

  /** The window a task's stream is masked through; its held lines are let out after HOLD_MS. */
  private window(task: number, stream: Stream) {
    const t = this.task(task);
    let m = t.maskers[stream];
    if (!m) {
      const held = { window: this.masker.lines((line) => this.push({ task, stream, line, at: this.now() })), timer: null as NodeJS.Timeout | null };
      t.maskers[stream] = held;
      m = held;
    }
    return m;
  }

  private emitMasked(task: number, stream: Stream, line: string, suffix: string) {
    if (this.masker.empty) return this.push({ task, stream, line: line + suffix, at: this.now() });
    const m = this.window(task, stream);
    if (m.timer) clearTimeout(m.timer);
    m.timer = null;
    m.window.push(line, suffix);
    if (m.window.holding) {
      m.timer = setTimeout(() => {
        m.timer = null;
        m.window.release();
      }, HOLD_MS);
      m.timer.unref?.();
    }
  }

  output(task: number, stream: Stream, chunk: Buffer): void {
    const t = this.task(task);
    if (t.over) return;
    let s = t.splitters[stream];
    if (!s) {
      s = new LineSplitter(this.limits.logLineBytes, (line, cut) => this.line(task, stream, line, cut));
      t.splitters[stream] = s;
    }
    s.write(chunk);
  }

  /** The task's streams ended: partial lines become lines, held lines go out. */
  flush(task: number): void {
    const t = this.tasks.get(task);
    if (!t) return;
    for (const s of Object.values(t.splitters)) s?.end();
    for (const m of Object.values(t.maskers)) {
      if (!m) continue;
      if (m.timer) clearTimeout(m.timer);
      m.timer = null;
      m.window.end();
    }
  }

  /** A line of the runner's own about the run; `internal`: about its machinery, not shown to the run's owner (LogLine.internal). */
  system(task: number, line: string, opts: { internal?: boolean } = {}): void {
    this.push({ task, stream: "system", line: this.masker.text(line), at: this.now(), ...(opts.internal ? { internal: true as const } : {}) });
  }

  private line(task: number, stream: Stream, raw: Buffer, cut: boolean) {
    const t = this.task(task);
    if (t.over) return;
    if (t.bytes + raw.length + 1 > this.limits.taskLogBytes) {
      t.over = true;
      t.splitters = {};
      this.system(task, `… further output of task ${task} dropped (over ${formatBytes(this.limits.taskLogBytes)})`);
      return;
    }
    t.bytes += raw.length + 1;
    let line = raw.toString("utf8");
    if (line.endsWith("\r")) line = line.slice(0, -1);
    this.emitMasked(task, stream, line, cut ? ` … [line cut at ${formatBytes(this.limits.logLineBytes)}; the rest of it was dropped]` : "");
  }
}
