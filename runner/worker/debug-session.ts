/**
 * The worker's side of debug terminals: for each session the hub orders (heartbeat and poll
 * answers), the task is checked again from the runner's own facts (a grant or a secret refuses it,
 * whatever the hub said), a shell is opened in its container (runner/src/debug/shell.ts: uid 65534,
 * never privileged), and bytes are relayed: what the user types arrives on one long streaming
 * request per session, output goes back in numbered batches (every ~30 ms) that the hub records
 * once each. The session ends when the shell exits, the task ends, or the hub says so; the shell
 * is hung up in every case.
 */
import { backoffMs, sleep } from "../src/backoff.ts";
import { KILLED_WITH_CONTAINER, openDebugShell, type DebugShell } from "../src/debug/shell.ts";
import type { DebugEndReason } from "../src/debug/vocabulary.ts";
import type { ContainerEngine } from "../src/engine/engine.ts";
import type { Run } from "../src/run/run.ts";
import { HubError, type HubClient } from "./hub-client.ts";
import { INSTANCE_HEADER, type DebugOrder } from "./protocol.ts";
import { DEBUG_LIMITS, type DebugInput, type DebugOutputRequest, type DebugOutputResponse, type WORKER_DEBUG_ENDS } from "./debug-protocol.ts";

type WorkerEnd = (typeof WORKER_DEBUG_ENDS)[number];

export interface DebugHost {
  hub: HubClient;
  engine: ContainerEngine;
  /** the instance the hub knows this worker by now */
  instance(): string;
  /** a run this worker runs now */
  run(runId: string): Run | undefined;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

/** How often output is sent while the shell prints, and the task's state looked at. */
const FLUSH_MS = 30;
const WATCH_MS = 500;
/** frames in one output request: 256 KiB at most, the hub's rate for one second */
const FRAMES_PER_POST = Math.min(16, DEBUG_LIMITS.framesPerRequest);
/** how long the hub may stay away before the session is given up */
const HUB_PATIENCE_MS = 60_000;

export class DebugSessions {
  private readonly live = new Map<string, WorkerDebugSession>();

  constructor(private readonly host: DebugHost) {}

  /** Opens the sessions ordered that are not open here yet. */
  serve(orders: DebugOrder[] | undefined): void {
    for (const o of orders ?? []) {
      if (this.live.has(o.session)) continue;
      const s = new WorkerDebugSession(o, this.host);
      this.live.set(o.session, s);
      void s.done.finally(() => this.live.delete(o.session));
    }
  }

  get size(): number {
    return this.live.size;
  }

  /** Ends every session (the worker stops or was declared lost). */
  async stop(): Promise<void> {
    for (const s of this.live.values()) s.finish(null);
    await Promise.allSettled([...this.live.values()].map((s) => s.done));
  }
}

class WorkerDebugSession {
  readonly done: Promise<void>;
  private shell: DebugShell | null = null;
  private finished = false;
  private endToReport: { reason: WorkerEnd; message?: string } | null = null;
  private readonly abort = new AbortController();
  /** output not yet acknowledged by the hub, numbered */
  private readonly frames: { seq: number; data: Buffer }[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private nextSeq = 1;
  /** the highest input seq written to the shell */
  private applied = 0;
  private ackDirty = false;
  private state: { opened?: boolean; paused?: boolean } = {};
  private wake: (() => void) | null = null;
  private readonly route: string;

  constructor(
    private readonly order: DebugOrder,
    private readonly host: DebugHost,
  ) {
    this.route = `/api/worker/debug/${encodeURIComponent(order.session)}`;
    this.done = this.serve().catch((err: Error) => host.log("debug session failed", { session: order.session, error: err.message }));
  }

  private get headers() {
    return { [INSTANCE_HEADER]: this.host.instance() };
  }

  private async serve(): Promise<void> {
    const { order, host } = this;
    const run = host.run(order.runId);
    const target = run?.debugTarget(order.task) ?? { ok: false as const, refusal: { reason: "task_not_running" as const, message: "the run is not running on this worker" } };
    if (!target.ok) {
      host.log("debug session refused", { session: order.session, run: order.runId, task: order.task, reason: target.refusal.reason });
      this.finish({ reason: target.refusal.reason === "task_not_running" ? "task_ended" : "refused", message: target.refusal.message });
      return this.sender();
    }
    try {
      this.shell = await openDebugShell(host.engine, target.containerId, order.session, { cols: order.cols, rows: order.rows });
    } catch (err) {
      this.finish({ reason: "failed", message: (err as Error).message.slice(0, 500) });
      return this.sender();
    }
    host.log("debug session opened", { session: order.session, run: order.runId, task: order.task });
    this.shell.onOutput((chunk) => this.queue(chunk));
    this.state = { opened: true, paused: target.paused };
    const shell = this.shell;
    void shell.closed.then(async () => {
      // the exec's connection closes when the shell exits and when the container stops: the engine
      // says which. The container may still read as running a moment after its entry exited, but the
      // shell was then killed with it (SIGKILL as the pid namespace ends), never by its own exit.
      const [code, alive] = await Promise.all([shell.exitCode(), host.engine.inspect(target.containerId).then((s) => s.running, () => false)]);
      const taskGone = code === KILLED_WITH_CONTAINER || !alive || !run!.debugTarget(order.task).ok;
      this.finish({ reason: taskGone ? "task_ended" : "shell_exited" });
    });
    const watching = this.watchTask(run!);
    await Promise.all([this.sender(), this.readInput(run!), watching]);
  }

  /** The session is over: the shell is hung up; `end`, when given, is reported to the hub (null: the hub ended it). */
  finish(end: { reason: WorkerEnd; message?: string } | null): void {
    if (this.finished) return;
    this.finished = true;
    this.endToReport = end;
    this.abort.abort();
    void this.shell?.end();
    this.wake?.();
  }

  private queue(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.wake?.();
  }

  /** Numbers pending output into frames of at most DEBUG_LIMITS.frameBytes. */
  private frame(): void {
    if (!this.pendingBytes) return;
    let all = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    while (all.length) {
      this.frames.push({ seq: this.nextSeq++, data: all.subarray(0, DEBUG_LIMITS.frameBytes) });
      all = all.subarray(DEBUG_LIMITS.frameBytes);
    }
  }

  /** Sends output, acknowledgements and state changes, in order, until the session is over and all is said. */
  private async sender(): Promise<void> {
    let failures = 0;
    let failingSince = 0;
    for (;;) {
      this.frame();
      const stateChanged = this.state.opened !== undefined || this.state.paused !== undefined;
      const last = this.finished && this.pendingBytes === 0;
      if (this.frames.length || this.ackDirty || stateChanged || (last && this.endToReport)) {
        const batch = this.frames.slice(0, FRAMES_PER_POST);
        const body: DebugOutputRequest = {
          frames: batch.map((f) => ({ seq: f.seq, data: f.data.toString("base64") })),
          acked: this.applied,
          ...this.state,
          ...(last && this.endToReport && batch.length === this.frames.length ? { end: this.endToReport } : {}),
        };
        const sentState = this.state;
        this.ackDirty = false;
        try {
          const res = await this.host.hub.post<DebugOutputResponse>(`${this.route}/output`, body, { headers: this.headers, timeoutMs: 15_000 });
          failures = 0;
          while (this.frames.length && this.frames[0].seq <= res.acked) this.frames.shift();
          if (this.state === sentState) this.state = {};
          if (body.end) return;
          if (res.end) {
            // the hub ended the session: what is still unsent has nowhere to go
            this.finish(null);
            return;
          }
          continue;
        } catch (err) {
          this.ackDirty = true;
          if (err instanceof HubError && (err.status === 404 || err.status === 410)) {
            // the hub no longer serves this session to this instance: nothing more to say
            this.finish(null);
            return;
          }
          if (!(err instanceof HubError && err.status === 429)) {
            failingSince = failures++ === 0 ? Date.now() : failingSince;
            if (Date.now() - failingSince > HUB_PATIENCE_MS) {
              this.host.log("debug session given up: the hub does not take its output", { session: this.order.session, error: (err as Error).message });
              this.finish(null);
              return;
            }
          }
          await sleep(err instanceof HubError && err.status === 429 ? 200 : backoffMs(failures, { baseMs: 200, maxMs: 5_000 }));
          continue;
        }
      }
      if (this.finished) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, FLUSH_MS * 10);
        this.wake = () => {
          clearTimeout(t);
          this.wake = null;
          // gather what else comes within a moment into the same request
          setTimeout(resolve, FLUSH_MS);
        };
      });
    }
  }

  /** The session's input stream: applied in order; opened again (after what was applied) when it breaks. */
  private async readInput(run: Run): Promise<void> {
    let failures = 0;
    while (!this.finished) {
      try {
        const res = await this.host.hub.stream(`${this.route}/stream`, { after: this.applied }, { headers: this.headers, signal: this.abort.signal, timeoutMs: 15_000 });
        failures = 0;
        for await (const line of lines(res.body!, this.abort.signal)) {
          const input = JSON.parse(line) as DebugInput;
          if (input.kind === "end") return this.finish(null);
          if (input.kind === "ping") continue;
          if (input.seq <= this.applied) continue;
          this.applied = input.seq;
          this.ackDirty = true;
          // waiting for the write keeps a flood in the hub's relay (where its cap refuses more), not in this process
          if (input.kind === "data") await this.shell?.write(Buffer.from(input.data, "base64"));
          else if (input.kind === "resize") await this.shell?.resize(input.cols, input.rows).catch(() => undefined);
          else if (input.kind === "continue" && run.resumeTask(this.order.task)) this.state = { ...this.state, paused: false };
          this.applied = input.seq;
          this.ackDirty = true;
          this.wake?.();
        }
      } catch (err) {
        if (this.finished) return;
        if (err instanceof HubError && (err.status === 404 || err.status === 410)) return this.finish(null);
        failures++;
        await sleep(backoffMs(failures, { baseMs: 250, maxMs: 5_000 }), this.abort.signal);
      }
    }
  }

  /** Ends the session when its task ends; tells the hub when the task starts or stops waiting before its entry. */
  private async watchTask(run: Run): Promise<void> {
    let paused = this.state.paused ?? false;
    while (!this.finished) {
      await sleep(WATCH_MS, this.abort.signal);
      if (this.finished) return;
      const t = run.debugTarget(this.order.task);
      if (!t.ok) return this.finish({ reason: t.refusal.reason === "task_not_running" ? "task_ended" : "refused", message: t.refusal.message });
      if (t.paused !== paused) {
        paused = t.paused;
        this.state = { ...this.state, paused };
        this.wake?.();
      }
    }
  }
}

/** The lines of a streamed body, as they come; stops when `signal` aborts. */
async function* lines(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<string> {
  const reader = body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener("abort", stop, { once: true });
  const decoder = new TextDecoder();
  let buf = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) yield line;
      }
      // one input line is small; a hub that sends an endless one is not followed
      if (buf.length > 1024 * 1024) throw new Error("the hub sent a debug input line over 1 MiB");
    }
  } finally {
    signal.removeEventListener("abort", stop);
    reader.releaseLock();
  }
}

export type { DebugEndReason };
